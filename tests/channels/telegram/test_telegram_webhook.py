"""The Telegram channel's webhook, driven over real HTTP as Rasa serves it.

A small ``on_new_message`` stands in for the agent and answers through the
output channel it is given, so these tests check the channel's contract:
what reaches the conversation, and what reaches the Bot API.
"""

from __future__ import annotations

import json
import logging

import pytest

from channels.telegram import TelegramInput
from channels.telegram.format import MAX_MESSAGE_LENGTH, telegram_length
from channels.telegram.updates import (
    BUTTON_EXPIRED_TEXT,
    EDITED_MESSAGE_TEXT,
    HANDLING_FAILED_TEXT,
    UNSUPPORTED_CONTENT_TEXT,
)


async def test_a_text_message_reaches_the_conversation_and_the_reply_is_sent(
    fake_api, telegram_channel, serve_channel, recorder, updates
):
    served = await serve_channel(telegram_channel, recorder)

    status, body = await served.post_update(updates.text(5001, "여권 재발급 수수료가 얼마예요?", "ko-KR"))

    assert status == 200, body
    [message] = recorder.messages
    assert message.text == "여권 재발급 수수료가 얼마예요?"
    assert message.sender_id == "telegram:5001"
    assert message.input_channel == "telegram"
    assert message.metadata == {"language_hint": "ko"}
    [sent] = fake_api.calls_to("sendMessage")
    assert sent["chat_id"] == 5001
    assert sent["text"] == "echo: 여권 재발급 수수료가 얼마예요?"
    assert "parse_mode" not in sent  # plain text: nothing to escape


@pytest.mark.parametrize(
    ("language_code", "metadata"),
    [("en-US", {"language_hint": "en"}), ("ko", {"language_hint": "ko"}), ("de", {}), (None, {})],
)
async def test_the_users_language_code_is_passed_as_a_hint(
    telegram_channel, serve_channel, recorder, updates, language_code, metadata
):
    served = await serve_channel(telegram_channel, recorder)

    await served.post_update(updates.text(5002, "/start", language_code))

    assert recorder.messages[0].metadata == metadata


async def test_group_and_private_chats_are_separate_conversations(
    fake_api, telegram_channel, serve_channel, recorder, updates
):
    served = await serve_channel(telegram_channel, recorder)

    await served.post_update(updates.text(5003, "hello"))
    await served.post_update(updates.text(-1005003, "hello"))

    assert [m.sender_id for m in recorder.messages] == ["telegram:5003", "telegram:-1005003"]
    assert [call["chat_id"] for call in fake_api.calls_to("sendMessage")] == [5003, -1005003]


async def test_a_resident_registration_number_is_masked_before_rasa_and_never_logged(
    telegram_channel, serve_channel, recorder, updates, caplog
):
    caplog.set_level(logging.DEBUG)
    served = await serve_channel(telegram_channel, recorder)

    await served.post_update(updates.text(5004, "제 주민번호는 900101-1234567 인데 등본 떼려면요?"))

    [message] = recorder.messages
    assert "1234567" not in message.text
    assert message.text == "제 주민번호는 ******-******* 인데 등본 떼려면요?"
    assert message.metadata["resident_number_masked"] is True
    assert "900101-1234567" not in caplog.text


@pytest.mark.parametrize(
    ("typed", "payload"),
    [
        ("/start", "/greet"),
        ("/start@gov_assistant_test_bot", "/greet"),
        ("/help", "/help"),
        ("/lang", "/set_language"),
        ("/lang en", '/set_language{"language": "en"}'),
        ("/lang 한국어", '/set_language{"language": "ko"}'),
        ("/lang klingon", "/set_language"),
        ("/unknown_command", "/help"),
        # Rasa's intent syntax typed by hand is text for the NLU, never an injected intent.
        (
            '/check_application_status{"application_number": "2026-0012345"}',
            'check_application_status{"application_number": "2026-0012345"}',
        ),
        ("/", "/help"),
    ],
)
async def test_commands_map_to_intents_and_typed_intents_are_not_injected(
    telegram_channel, serve_channel, recorder, updates, typed, payload
):
    served = await serve_channel(telegram_channel, recorder)

    status, _ = await served.post_update(updates.text(5005, typed))

    assert status == 200
    assert recorder.messages[0].text == payload


async def test_buttons_become_an_inline_keyboard_and_a_tap_continues_the_conversation(
    fake_api, telegram_channel, serve_channel, make_recorder, updates
):
    language_buttons = [
        {"title": "한국어", "payload": '/set_language{"language": "ko"}'},
        {"title": "English", "payload": '/set_language{"language": "en"}'},
    ]

    def reply(message):
        if message.text == "/set_language":
            return {"text": "어떤 언어로 안내해 드릴까요?", "buttons": language_buttons}
        return f"you chose {message.text}"

    recorder = make_recorder(reply)
    served = await serve_channel(telegram_channel, recorder)

    await served.post_update(updates.text(5006, "/lang"))
    [question] = fake_api.calls_to("sendMessage")
    keyboard = question["reply_markup"]["inline_keyboard"]
    assert [[button["text"] for button in row] for row in keyboard] == [["한국어"], ["English"]]
    assert [row[0]["callback_data"] for row in keyboard] == [b["payload"] for b in language_buttons]

    [bot_message] = fake_api.results_of("sendMessage")
    tap = updates.callback(bot_message, keyboard[1][0]["callback_data"], language_code="en")
    status, _ = await served.post_update(tap)

    assert status == 200
    assert recorder.messages[-1].text == '/set_language{"language": "en"}'
    assert recorder.messages[-1].sender_id == "telegram:5006"
    assert recorder.messages[-1].metadata == {"language_hint": "en"}
    [answered] = fake_api.calls_to("answerCallbackQuery")
    assert answered["callback_query_id"] == tap["callback_query"]["id"]
    methods = [call.method for call in fake_api.calls]
    # The spinner stops before the assistant answers.
    assert methods.index("answerCallbackQuery") < len(methods) - 1
    assert methods[-1] == "sendMessage"
    assert fake_api.sent_texts(5006)[-1] == 'you chose /set_language{"language": "en"}'


async def test_a_payload_longer_than_64_bytes_survives_the_round_trip(
    fake_api, telegram_channel, serve_channel, make_recorder, updates
):
    long_payload = '/inform{"service": "주민등록표 등본 발급", "region": "서울특별시 종로구"}'
    assert len(long_payload.encode()) > 64

    def reply(message):
        if message.text == "/help":
            return {"text": "골라 주세요.", "buttons": [{"title": "등본 발급", "payload": long_payload}]}
        return None

    recorder = make_recorder(reply)
    served = await serve_channel(telegram_channel, recorder)
    await served.post_update(updates.text(5007, "/help"))
    [question] = fake_api.calls_to("sendMessage")
    callback_data = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(callback_data.encode()) <= 64

    [bot_message] = fake_api.results_of("sendMessage")
    await served.post_update(updates.callback(bot_message, callback_data))

    assert recorder.messages[-1].text == long_payload


async def test_callback_data_that_is_not_on_the_message_is_refused(
    fake_api, telegram_channel, serve_channel, make_recorder, updates
):
    recorder = make_recorder(lambda m: {"text": "메뉴", "buttons": [{"title": "도움말", "payload": "/help"}]})
    served = await serve_channel(telegram_channel, recorder)
    await served.post_update(updates.text(5008, "/help"))
    [menu] = fake_api.results_of("sendMessage")

    forged = updates.callback(menu, '/check_application_status{"x": 1}')
    status, _ = await served.post_update(forged)

    assert status == 200
    assert len(recorder.messages) == 1  # only the /help that built the menu
    [answered] = fake_api.calls_to("answerCallbackQuery")
    assert answered["text"] == BUTTON_EXPIRED_TEXT
    assert len(BUTTON_EXPIRED_TEXT) <= 200


@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "document"])
async def test_non_text_messages_get_a_polite_bilingual_reply(
    fake_api, telegram_channel, serve_channel, recorder, updates, kind
):
    served = await serve_channel(telegram_channel, recorder)

    status, _ = await served.post_update(getattr(updates, kind)(5009))

    assert status == 200
    assert recorder.messages == []
    assert fake_api.sent_texts(5009) == [UNSUPPORTED_CONTENT_TEXT]
    assert "글로 입력해 주세요" in UNSUPPORTED_CONTENT_TEXT and "only read text" in UNSUPPORTED_CONTENT_TEXT


async def test_an_edited_message_gets_a_polite_bilingual_reply(
    fake_api, telegram_channel, serve_channel, recorder, updates
):
    served = await serve_channel(telegram_channel, recorder)

    status, _ = await served.post_update(updates.edited(5010, "여권 수수료요"))

    assert status == 200
    assert recorder.messages == []
    assert fake_api.sent_texts(5010) == [EDITED_MESSAGE_TEXT]


async def test_a_service_message_is_ignored_quietly(fake_api, telegram_channel, serve_channel, recorder, updates):
    served = await serve_channel(telegram_channel, recorder)

    status, _ = await served.post_update(updates.member_joined(-1005011))

    assert status == 200
    assert recorder.messages == []
    assert fake_api.calls_to("sendMessage") == []


MALFORMED_BODIES = {
    "not json": b"this is not json",
    "binary": b"\xff\xfe\x00\x01",
    "empty": b"",
    "a list": b"[1, 2, 3]",
    "no update_id": b'{"message": {"text": "hi"}}',
    "update_id not a number": b'{"update_id": "seven"}',
    "message not an object": b'{"update_id": 1, "message": "oops"}',
    "message without chat": b'{"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "hi"}}',
    "chat id not a number": json.dumps(
        {
            "update_id": 1,
            "message": {"message_id": 1, "date": 0, "chat": {"id": "x", "type": "private"}, "text": "hi"},
        }
    ).encode(),
    "text not a string": json.dumps(
        {
            "update_id": 1,
            "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": 42},
        }
    ).encode(),
}


@pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
async def test_a_malformed_update_gets_400_and_reaches_no_conversation(
    fake_api, telegram_channel, serve_channel, recorder, body
):
    served = await serve_channel(telegram_channel, recorder)

    status, payload = await served.post_update(None, raw=body)

    assert status == 400
    assert "not a Telegram update" in payload["error"]
    assert recorder.messages == []
    assert fake_api.calls == []


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", "test-secret_0123456789x", "тест"])
async def test_a_call_without_the_right_secret_gets_403_and_reaches_no_handler(
    fake_api, telegram_channel, serve_channel, recorder, updates, secret
):
    served = await serve_channel(telegram_channel, recorder)

    status, payload = await served.post_update(updates.text(5012, "hello"), secret=secret)

    assert status == 403
    assert payload == {"error": "Forbidden"}
    assert recorder.messages == []
    assert fake_api.calls == []


async def test_a_token_without_a_secret_refuses_every_call_and_warns(
    fake_api, serve_channel, recorder, updates, caplog
):
    caplog.set_level(logging.WARNING)
    channel = TelegramInput(fake_api.token, None, fake_api.base_url)
    served = await serve_channel(channel, recorder)

    for secret in (None, "", "anything"):
        status, payload = await served.post_update(updates.text(5013, "hello"), secret=secret)
        assert status == 403
        assert "TELEGRAM_SECRET" in payload["error"]

    assert recorder.messages == []
    assert fake_api.calls == []
    assert "TELEGRAM_SECRET must be set" in caplog.text
    await channel.aclose()


async def test_without_a_token_the_channel_is_off_and_answers_503(
    fake_api, serve_channel, recorder, updates, webhook_secret, monkeypatch
):
    for name in ("TELEGRAM_TOKEN", "TELEGRAM_SECRET", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    channel = TelegramInput.from_credentials(None)
    served = await serve_channel(channel, recorder)

    status, payload = await served.post_update(updates.text(5014, "hello"), secret=webhook_secret)

    assert status == 503
    assert "TELEGRAM_TOKEN" in payload["error"]
    assert channel.get_output_channel() is None
    assert recorder.messages == []
    async with served.session.get(f"{served.url}/webhooks/telegram/") as health:
        assert await health.json() == {"status": "ok", "configured": False, "accepting_updates": False}


async def test_the_channel_reads_its_secrets_from_the_environment_only(fake_api, monkeypatch, caplog):
    monkeypatch.setenv("TELEGRAM_TOKEN", fake_api.token)
    monkeypatch.setenv("TELEGRAM_SECRET", "from-the-environment")
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake_api.base_url)
    caplog.set_level(logging.WARNING)

    channel = TelegramInput.from_credentials({"access_token": "from-the-file"})
    output = channel.get_output_channel()
    await output.send_text_message("telegram:5015", "안내 문자입니다")

    assert fake_api.sent_texts(5015) == ["안내 문자입니다"]  # the fake only accepts its own token
    assert "credentials.yml has Telegram secrets; they are ignored" in caplog.text
    await channel.aclose()


async def test_a_10000_character_reply_arrives_as_several_messages_none_over_the_limit(
    fake_api, telegram_channel, serve_channel, make_recorder, updates
):
    sentence = "주민등록표 등본은 정부24에서 온라인으로 무료로 발급받을 수 있어요. "
    long_reply = (sentence * 400)[:10_000]
    recorder = make_recorder(lambda message: long_reply)
    served = await serve_channel(telegram_channel, recorder)

    await served.post_update(updates.text(5016, "등본 안내 전부 알려 주세요"))

    parts = fake_api.sent_texts(5016)
    assert len(parts) >= 3
    assert all(0 < telegram_length(part) <= MAX_MESSAGE_LENGTH for part in parts)
    assert " ".join(parts).split() == long_reply.split()
    assert all(part.endswith("요.") for part in parts[:-1])  # split after whole sentences


async def test_buttons_of_a_long_reply_go_under_its_last_part(
    fake_api, telegram_channel, serve_channel, make_recorder, updates
):
    text = "\n\n".join(f"{n}. " + "안내 " * 700 for n in range(3))
    recorder = make_recorder(lambda m: {"text": text, "buttons": [{"title": "처음으로", "payload": "/help"}]})
    served = await serve_channel(telegram_channel, recorder)

    await served.post_update(updates.text(5017, "안내"))

    sent = fake_api.calls_to("sendMessage")
    assert len(sent) > 1
    assert all("reply_markup" not in part for part in sent[:-1])
    assert sent[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/help"


async def test_a_failing_turn_gets_an_apology_and_200_and_logs_no_personal_data(
    fake_api, telegram_channel, serve_channel, make_recorder, updates, caplog
):
    caplog.set_level(logging.DEBUG)

    def explode(message):
        raise RuntimeError(f"tracker store down while handling {message.text} for 2026-0012345")

    served = await serve_channel(telegram_channel, make_recorder(explode))

    status, _ = await served.post_update(updates.text(5018, "신청번호 2026-0012345 생년월일 1985-03-12"))

    assert status == 200
    assert fake_api.sent_texts(5018) == [HANDLING_FAILED_TEXT]
    assert "RuntimeError" in caplog.text
    assert "2026-0012345" not in caplog.text
    assert "1985-03-12" not in caplog.text


async def test_a_user_who_blocked_the_bot_does_not_break_the_turn(
    fake_api, telegram_channel, serve_channel, make_recorder, updates
):
    fake_api.failures["sendMessage"] = [(403, "Forbidden: bot was blocked by the user", None)]
    recorder = make_recorder(lambda m: "첫 번째 답변\n\n두 번째 답변")
    served = await serve_channel(telegram_channel, recorder)

    status, _ = await served.post_update(updates.text(5019, "hello"))

    assert status == 200
    assert len(fake_api.calls_to("sendMessage")) == 1  # stops after the refusal


async def test_flood_control_is_waited_out_once(fake_api, telegram_channel):
    fake_api.failures["sendMessage"] = [(429, "Too Many Requests: retry after 1", {"retry_after": 1})]

    await telegram_channel.get_output_channel().send_text_message("telegram:5020", "알림")

    assert fake_api.sent_texts(5020) == ["알림", "알림"]  # refused once, then delivered


async def test_the_health_route_says_whether_updates_are_accepted(telegram_channel, serve_channel, recorder):
    served = await serve_channel(telegram_channel, recorder)

    async with served.session.get(f"{served.url}/webhooks/telegram/") as reply:
        assert await reply.json() == {"status": "ok", "configured": True, "accepting_updates": True}
