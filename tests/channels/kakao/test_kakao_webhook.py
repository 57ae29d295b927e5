"""The KakaoTalk skill webhook over HTTP, with the agent replaced by a fake
``on_new_message`` (the trained assistant is in test_kakao_with_assistant.py):
authentication, malformed bodies, privacy, quick replies, paging and the
5-second budget with and without a callback URL."""

from __future__ import annotations

import asyncio
import logging

import pytest

from channels.kakao.input import KakaoInput
from channels.kakao.memory import ConversationMemory
from tests.channels.kakao.conftest import (
    SKILL_SECRET,
    FakeAssistant,
    assert_valid,
    new_user,
    outputs_text,
    quick_reply_labels,
    skill_request,
)

LANGUAGE_BUTTONS = [
    {"title": "한국어", "payload": '/set_language{"language": "ko"}'},
    {"title": "English", "payload": '/set_language{"language": "en"}'},
]


async def test_a_message_reaches_rasa_as_the_bot_user_and_the_reply_comes_back(kakao_channel, serve_kakao):
    assistant = FakeAssistant()
    served = await serve_kakao(kakao_channel, assistant)
    user = new_user()

    response = await served.open_builder.send("여권 재발급 수수료 얼마예요?", user)

    assert response == {
        "version": "2.0",
        "template": {"outputs": [{"simpleText": {"text": "echo: 여권 재발급 수수료 얼마예요?"}}]},
    }
    (message,) = assistant.messages
    assert message.sender_id == f"kakao:{user}"
    assert message.input_channel == "kakao"
    assert message.metadata["language_hint"] == "ko"


async def test_the_user_id_is_used_when_properties_have_no_bot_user_key(kakao_channel, serve_kakao):
    assistant = FakeAssistant()
    served = await serve_kakao(kakao_channel, assistant)
    request = skill_request("hello", "user-id-only")
    request["userRequest"]["user"]["properties"] = {"plusfriendUserKey": "pf123"}

    status, response = await served.open_builder.post(request)

    assert status == 200
    assert_valid(response)
    assert assistant.messages[0].sender_id == "kakao:user-id-only"


@pytest.mark.parametrize(
    ("secret", "header"),
    [(None, None), ("", None), ("wrong", None), (SKILL_SECRET + "x", None), (SKILL_SECRET, "X-Other-Header")],
)
async def test_a_call_without_the_secret_is_refused_with_401_before_rasa(kakao_channel, serve_kakao, secret, header):
    assistant = FakeAssistant()
    served = await serve_kakao(kakao_channel, assistant)

    status, body = await served.open_builder.post(skill_request("안녕하세요", new_user()), secret=secret, header=header)

    assert status == 401
    assert "X-Skill-Secret" in body["error"]
    assert assistant.messages == []


async def test_the_secret_header_name_can_be_changed(serve_kakao):
    channel = KakaoInput(secret=SKILL_SECRET, secret_header="X-Agency-Key")
    assistant = FakeAssistant()
    served = await serve_kakao(channel, assistant)
    request = skill_request("안녕하세요", new_user())

    refused, _ = await served.open_builder.post(request)
    accepted, response = await served.open_builder.post(request, header="X-Agency-Key")

    assert (refused, accepted) == (401, 200)
    assert_valid(response)


async def test_without_a_secret_the_channel_answers_503_with_a_clear_body(serve_kakao):
    assistant = FakeAssistant()
    served = await serve_kakao(KakaoInput(secret=None), assistant)

    status, body = await served.open_builder.post(skill_request("안녕하세요", new_user()))

    assert status == 503
    assert "KAKAO_SKILL_SECRET" in body["error"] and "KAKAO_SKILL_SECRET" in body["message"]["ko"]
    assert assistant.messages == []
    async with served.session.get(f"{served.url}/webhooks/kakao/") as health:
        assert await health.json() == {"status": "ok", "configured": False}


async def test_an_address_outside_the_allow_list_is_refused(serve_kakao):
    assistant = FakeAssistant()
    outside = await serve_kakao(KakaoInput(secret=SKILL_SECRET, allowed_networks=["10.20.0.0/16"]), assistant)
    inside = await serve_kakao(KakaoInput(secret=SKILL_SECRET, allowed_networks=["127.0.0.0/8"]), assistant)
    request = skill_request("안녕하세요", new_user())

    refused, body = await outside.open_builder.post(request)
    accepted, response = await inside.open_builder.post(request)

    assert refused == 403 and "error" in body
    assert accepted == 200
    assert_valid(response)
    assert len(assistant.messages) == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"userRequest": "hello"}',
        b'{"userRequest": {"utterance": "hi"}}',
        b'{"userRequest": {"utterance": "hi", "user": {"id": ""}}}',
        b'{"userRequest": {"utterance": 42, "user": {"id": "u1"}}}',
        b'{"userRequest": {"utterance": "hi", "user": {"id": "u1", "properties": []}}}',
        b'{"userRequest": {"utterance": "hi", "user": {"id": "u1"}, "callbackUrl": 7}}',
        b'{"userRequest": {"utterance": "hi", "user": {"id": "u1"}}, "action": "x"}',
        b"\xff\xfe",
    ],
)
async def test_a_malformed_body_gets_400_with_a_json_error(kakao_channel, serve_kakao, raw):
    assistant = FakeAssistant()
    served = await serve_kakao(kakao_channel, assistant)

    status, body = await served.open_builder.post(raw=raw)

    assert status == 400
    assert body["error"].startswith("The body is not a Kakao skill request")
    assert assistant.messages == []


async def test_an_oversized_body_gets_413(kakao_channel, serve_kakao):
    served = await serve_kakao(kakao_channel, FakeAssistant())

    status, body = await served.open_builder.post(raw=b'{"x": "' + b"a" * 300_000 + b'"}')

    assert status == 413 and "error" in body


async def test_a_resident_number_is_masked_before_rasa_and_never_logged(kakao_channel, serve_kakao, caplog):
    caplog.set_level(logging.DEBUG)
    assistant = FakeAssistant()
    served = await serve_kakao(kakao_channel, assistant)

    await served.open_builder.send("제 주민번호는 900101-1234567 인데 등본 떼려면요?", new_user())

    (message,) = assistant.messages
    assert "1234567" not in message.text and "900101" not in message.text
    assert message.metadata["resident_number_masked"] is True
    assert "1234567" not in caplog.text


async def test_typed_intent_syntax_is_neutralised(kakao_channel, serve_kakao):
    assistant = FakeAssistant()
    served = await serve_kakao(kakao_channel, assistant)

    await served.open_builder.send('/set_language{"language": "en"}', new_user())

    assert not assistant.messages[0].text.startswith("/")


async def test_buttons_become_quick_replies_whose_payload_comes_back_on_a_tap(kakao_channel, serve_kakao):
    assistant = FakeAssistant(lambda message: [{"text": "언어를 골라 주세요.", "buttons": LANGUAGE_BUTTONS}])
    served = await serve_kakao(kakao_channel, assistant)
    user = new_user()

    response = await served.open_builder.send("언어 바꿀래요", user)
    replies = response["template"]["quickReplies"]
    assert replies == [
        {"label": "한국어", "action": "message", "messageText": "한국어",
         "extra": {"payload": '/set_language{"language": "ko"}'}},
        {"label": "English", "action": "message", "messageText": "English",
         "extra": {"payload": '/set_language{"language": "en"}'}},
    ]
    await served.open_builder.tap(response, "English", user)

    assert assistant.messages[-1].text == '/set_language{"language": "en"}'


async def test_a_tapped_title_maps_to_its_payload_even_without_client_extra(kakao_channel, serve_kakao):
    assistant = FakeAssistant(lambda message: [{"text": "언어를 골라 주세요.", "buttons": LANGUAGE_BUTTONS}])
    served = await serve_kakao(kakao_channel, assistant)
    user = new_user()
    await served.open_builder.send("언어 바꿀래요", user)

    await served.open_builder.send("한국어", user)

    assert assistant.messages[-1].text == '/set_language{"language": "ko"}'


async def test_a_payload_in_client_extra_that_was_never_offered_is_ignored(kakao_channel, serve_kakao):
    assistant = FakeAssistant()
    served = await serve_kakao(kakao_channel, assistant)

    await served.open_builder.send("안녕", new_user(), client_extra={"payload": '/inform{"service": "passport"}'})

    assert assistant.messages[-1].text == "안녕"


async def test_a_long_answer_is_paged_three_outputs_at_a_time_through_more(kakao_channel, serve_kakao):
    paragraphs = [f"{n}번째 안내입니다. " + "민원 서류를 준비해 주세요. " * 40 for n in range(1, 6)]
    assistant = FakeAssistant(lambda message: [{"text": paragraph} for paragraph in paragraphs]
                              + [{"text": "더 궁금하신 점이 있나요?", "buttons": LANGUAGE_BUTTONS}])
    served = await serve_kakao(kakao_channel, assistant)
    user = new_user()

    first = await served.open_builder.send("긴 안내 주세요", user)
    shown = [first]
    while "더 보기" in quick_reply_labels(shown[-1]):
        shown.append(await served.open_builder.tap(shown[-1], "더 보기", user))

    assert len(shown) >= 2
    assert all(len(page["template"]["outputs"]) <= 3 for page in shown)
    assert quick_reply_labels(first)[0] == "더 보기"
    assert {"한국어", "English"} <= set(quick_reply_labels(first))
    words = " ".join(outputs_text(page) for page in shown).split()
    assert words == " ".join([*paragraphs, "더 궁금하신 점이 있나요?"]).split()
    assert len(assistant.messages) == 1, "the rest of an answer is served without asking Rasa again"


async def test_more_after_the_answer_expired_says_so(serve_kakao):
    clock = [0.0]
    channel = KakaoInput(secret=SKILL_SECRET, memory=ConversationMemory(ttl=60, clock=lambda: clock[0]))
    assistant = FakeAssistant(lambda message: [{"text": f"안내 {n} " + "가" * 900} for n in range(5)])
    served = await serve_kakao(channel, assistant)
    user = new_user()
    first = await served.open_builder.send("긴 안내", user)

    clock[0] += 61
    expired = await served.open_builder.tap(first, "더 보기", user)

    assert "더 이상 볼 수 없어요" in outputs_text(expired)
    assert "도움말" in quick_reply_labels(expired)
    assert len(assistant.messages) == 1


async def test_a_typed_more_without_a_pending_answer_goes_to_rasa(kakao_channel, serve_kakao):
    assistant = FakeAssistant()
    served = await serve_kakao(kakao_channel, assistant)

    await served.open_builder.send("더보기", new_user())

    assert [message.text for message in assistant.messages] == ["더보기"]


async def test_a_slow_answer_goes_through_the_callback_url(serve_kakao, fake_kakao):
    channel = KakaoInput(secret=SKILL_SECRET, budget=0.2)
    assistant = FakeAssistant(lambda message: [{"text": "여권 재발급 수수료는 50,000원이에요.", "buttons": LANGUAGE_BUTTONS}],
                              delay=0.6)
    served = await serve_kakao(channel, assistant)
    user = new_user()
    callback_url = fake_kakao.callback_url()

    started = asyncio.get_running_loop().time()
    response = await served.open_builder.send("여권 재발급 수수료 얼마예요?", user, callback_url=callback_url)
    elapsed = asyncio.get_running_loop().time() - started

    assert response == {"version": "2.0", "useCallback": True, "data": {"text": "잠시만요, 답변을 준비하고 있어요…"}}
    assert elapsed < 0.5
    (received,) = await fake_kakao.wait_for_callbacks(1, timeout=10)
    assert received.path == callback_url.removeprefix(fake_kakao.base_url)
    assert_valid(received.body)
    assert outputs_text(received.body) == "여권 재발급 수수료는 50,000원이에요."
    assert quick_reply_labels(received.body) == ["한국어", "English"]


async def test_the_waiting_text_follows_the_language_of_the_message(serve_kakao, fake_kakao):
    channel = KakaoInput(secret=SKILL_SECRET, budget=0.0)
    served = await serve_kakao(channel, FakeAssistant(delay=0.2))

    response = await served.open_builder.send("How much is a passport?", new_user(), callback_url=fake_kakao.callback_url())

    assert response["data"]["text"] == "One moment, I'm preparing your answer…"
    await fake_kakao.wait_for_callbacks(1, timeout=10)


async def test_a_failed_callback_post_is_retried_within_the_minute(serve_kakao, fake_kakao):
    fake_kakao.callback_answers = [(502, {}), (200, {"taskId": "t1", "status": "ERROR", "message": "busy"})]
    channel = KakaoInput(secret=SKILL_SECRET, budget=0.0)
    served = await serve_kakao(channel, FakeAssistant(delay=0.1))

    response = await served.open_builder.send("안녕하세요", new_user(), callback_url=fake_kakao.callback_url())
    assert response["useCallback"] is True

    received = await fake_kakao.wait_for_callbacks(3, timeout=15)
    assert len({entry.path for entry in received}) == 1
    assert all(entry.body == received[0].body for entry in received)
    await asyncio.sleep(0.3)
    assert len(fake_kakao.callbacks) == 3, "a delivered callback is not posted again"


async def test_a_refused_callback_is_not_retried(serve_kakao, fake_kakao):
    fake_kakao.callback_answers = [(400, {"status": "FAIL", "message": "Invalid callback token."})]
    channel = KakaoInput(secret=SKILL_SECRET, budget=0.0)
    served = await serve_kakao(channel, FakeAssistant(delay=0.1))

    response = await served.open_builder.send("안녕하세요", new_user(), callback_url=fake_kakao.callback_url())
    assert response["useCallback"] is True

    await fake_kakao.wait_for_callbacks(1, timeout=10)
    await asyncio.sleep(1.0)
    assert len(fake_kakao.callbacks) == 1


async def test_a_callback_url_that_is_not_https_is_not_used(serve_kakao):
    channel = KakaoInput(secret=SKILL_SECRET, budget=0.0)
    served = await serve_kakao(channel, FakeAssistant(delay=0.1))

    response = await served.open_builder.send("안녕하세요", new_user(), callback_url="http://attacker.example/collect")

    assert "useCallback" not in response
    assert "답변 보기" in quick_reply_labels(response)


async def test_without_a_callback_url_a_slow_answer_gets_an_apology_and_is_kept_for_later(serve_kakao):
    channel = KakaoInput(secret=SKILL_SECRET, budget=0.1)
    assistant = FakeAssistant(lambda message: [{"text": "처리 상태는 '처리중'이에요."}], delay=0.5)
    served = await serve_kakao(channel, assistant)
    user = new_user()

    late = await served.open_builder.send("제 민원 어떻게 됐어요?", user)
    assert "답변 준비가 늦어지고 있어요" in outputs_text(late)
    assert quick_reply_labels(late) == ["답변 보기", "도움말", "상담원 연결"]
    early = await served.open_builder.tap(late, "답변 보기", user)
    assert "아직 답변을 준비하고 있어요" in outputs_text(early)

    await asyncio.wait_for(assistant.finished.wait(), timeout=5)
    await asyncio.sleep(0.05)
    answer = await served.open_builder.tap(early, "답변 보기", user)
    assert outputs_text(answer) == "처리 상태는 '처리중'이에요."
    assert len(assistant.messages) == 1


async def test_the_menu_quick_replies_send_their_intents(serve_kakao):
    channel = KakaoInput(secret=SKILL_SECRET, budget=0.05)
    assistant = FakeAssistant(delay=0.3)
    served = await serve_kakao(channel, assistant)
    user = new_user()
    late = await served.open_builder.send("hello?", user)

    assert quick_reply_labels(late) == ["Show answer", "Help", "Ask a person"]
    await asyncio.wait_for(assistant.finished.wait(), timeout=5)
    await served.open_builder.tap(late, "Ask a person", user)

    assert assistant.messages[-1].text == "/human_handoff"


async def test_a_failing_assistant_gets_an_apology_not_an_error(kakao_channel, serve_kakao, caplog):
    async def broken(message):
        raise RuntimeError("tracker store down for 900101-1234567")

    served = await serve_kakao(kakao_channel, broken)

    response = await served.open_builder.send("안녕하세요", new_user())

    assert "일시적인 문제로 답변드리지 못했어요" in outputs_text(response)
    assert "1234567" not in caplog.text


async def test_an_over_long_utterance_is_answered_without_rasa(kakao_channel, serve_kakao):
    assistant = FakeAssistant()
    served = await serve_kakao(kakao_channel, assistant)

    response = await served.open_builder.send("가" * 2_001, new_user())

    assert "2,000자" in outputs_text(response)
    assert assistant.messages == []


async def test_an_empty_utterance_greets(kakao_channel, serve_kakao):
    assistant = FakeAssistant()
    served = await serve_kakao(kakao_channel, assistant)

    await served.open_builder.send("   ", new_user())

    assert assistant.messages[0].text == "/greet"


async def test_rasa_run_loads_the_channel_from_credentials_and_starts_without_a_secret(tmp_path, monkeypatch, serve_kakao):
    from rasa.core.run import configure_app, create_http_input_channels

    monkeypatch.delenv("KAKAO_SKILL_SECRET", raising=False)
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("channels.rest.PrivacyRestInput:\nchannels.kakao.KakaoInput:\n")

    channels = create_http_input_channels(None, str(credentials))
    served = await serve_kakao(app=configure_app(input_channels=channels, enable_api=False))

    assert sorted(channel.name() for channel in channels) == ["kakao", "rest"]
    status, body = await served.open_builder.post(skill_request("안녕하세요", new_user()))
    assert status == 503 and "KAKAO_SKILL_SECRET" in body["error"]


async def test_the_project_credentials_register_every_channel():
    from rasa.core.run import create_http_input_channels

    from tests.support.stack import PROJECT_ROOT

    channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))

    assert sorted(channel.name() for channel in channels) == ["kakao", "rest", "telegram"]



async def test_more_while_a_callback_answer_is_prepared_says_to_wait(serve_kakao, fake_kakao):
    channel = KakaoInput(secret=SKILL_SECRET, budget=0.0)
    assistant = FakeAssistant(delay=0.3)
    served = await serve_kakao(channel, assistant)
    user = new_user()

    await served.open_builder.send("여권 발급 알려 주세요", user, callback_url=fake_kakao.callback_url())
    early = await served.open_builder.send("더 보기", user, client_extra={"kakao_more": True})

    assert "아직 답변을 준비하고 있어요" in outputs_text(early)
    await fake_kakao.wait_for_callbacks(1, timeout=10)
    assert [message.text for message in assistant.messages] == ["여권 발급 알려 주세요"]
