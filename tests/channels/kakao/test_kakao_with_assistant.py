"""The KakaoTalk channel in front of the real assistant: the project's trained
model (``rasa_agent`` from tests/conftest.py, with a running action server on a
seeded database), with only Kakao faked (the Open Builder client, the callback
receiver). Every response is checked against the skill response format.
"""

from __future__ import annotations

import logging

import pytest

from channels.kakao.input import KakaoInput
from tests.channels.kakao.conftest import (
    SKILL_SECRET,
    assert_valid,
    new_user,
    outputs_text,
    quick_reply_labels,
    skill_request,
)

pytestmark = pytest.mark.stack


def domain_texts(agent, response: str, language: str):
    """The texts of ``response`` for ``language`` in the trained domain."""
    return {
        variation["text"]
        for variation in agent.domain.responses[response]
        if any(condition.get("value") == language for condition in variation.get("condition") or [])
    }


@pytest.fixture
async def served(rasa_agent, serve_kakao):
    """The channel, with the default 3.5-second budget, in front of the trained agent."""
    return await serve_kakao(KakaoInput(secret=SKILL_SECRET), rasa_agent.handle_message)


async def test_a_greeting_in_korean_and_in_english(rasa_agent, served):
    korean_user, english_user = new_user(), new_user()

    korean = await served.open_builder.send("안녕하세요", korean_user)
    english = await served.open_builder.send("Hello there", english_user, lang="ko")

    assert domain_texts(rasa_agent, "utter_greet", "ko") & set(outputs_text(korean).split("\n"))
    assert domain_texts(rasa_agent, "utter_greet", "en") & set(outputs_text(english).split("\n"))
    tracker = await rasa_agent.tracker_store.retrieve(f"kakao:{korean_user}")
    assert tracker.get_latest_input_channel() == "kakao"
    assert tracker.get_slot("language") == "ko"
    assert (await rasa_agent.tracker_store.retrieve(f"kakao:{english_user}")).get_slot("language") == "en"


async def test_a_service_question_gets_the_fee_from_the_catalogue(served):
    response = await served.open_builder.send("여권 재발급 수수료 얼마예요?", new_user())

    text = outputs_text(response)
    assert "여권" in text and "원" in text, text


async def test_the_status_form_over_three_requests(served):
    user = new_user()

    asked = await served.open_builder.send("민원 처리 상태 확인하고 싶어요", user)
    assert "번호" in outputs_text(asked)
    birth = await served.open_builder.send("2026-0001019", user)
    assert "생년월일" in outputs_text(birth)
    status = await served.open_builder.send("1985-03-12", user)

    text = outputs_text(status)
    assert "보완" in text, text


async def test_a_life_event_offers_its_services_as_quick_replies_that_work(rasa_agent, served):
    user = new_user()

    response = await served.open_builder.send("아기를 낳았어요", user)

    assert "챙기실 일을 순서대로" in outputs_text(response)
    replies = response["template"]["quickReplies"]
    assert len(replies) >= 3
    assert all(reply["extra"]["payload"].startswith("/ask_service_overview") for reply in replies
               if reply["label"] != "더 보기")
    service = next(reply for reply in replies if reply["label"] != "더 보기")
    answer = await served.open_builder.tap(response, service["label"], user)
    tracker = await rasa_agent.tracker_store.retrieve(f"kakao:{user}")
    assert tracker.latest_message.intent["name"] == "ask_service_overview"
    assert outputs_text(answer)


async def test_a_long_answer_is_split_under_the_limits_without_losing_a_word(rasa_agent, served):
    user = new_user()

    # The English checklist for a birth runs to well over 1000 characters.
    response = await served.open_builder.send("I had a baby", user)
    pages = [response]
    while "More" in quick_reply_labels(pages[-1]):
        pages.append(await served.open_builder.tap(pages[-1], "More", user))

    tracker = await rasa_agent.tracker_store.retrieve(f"kakao:{user}")
    said = " ".join(event.text or "" for event in tracker.events if event.type_name == "bot")
    assert len(said) > 1000
    outputs = [output for page in pages for output in page["template"]["outputs"]]
    assert len(outputs) >= 2
    assert all(len(o["simpleText"]["text"]) <= 1000 for o in outputs if "simpleText" in o)
    assert " ".join(outputs_text(page) for page in pages).split() == said.split()
    labels = quick_reply_labels(response)
    assert labels and all(len(label) <= 14 for label in labels)


async def test_a_slow_answer_goes_through_the_callback(rasa_agent, serve_kakao, fake_kakao):
    # A zero budget: the trained assistant can never answer in time.
    served = await serve_kakao(KakaoInput(secret=SKILL_SECRET, budget=0.0), rasa_agent.handle_message)
    user = new_user()

    waiting = await served.open_builder.send("여권 재발급 수수료 얼마예요?", user, callback_url=fake_kakao.callback_url())

    assert waiting == {"version": "2.0", "useCallback": True, "data": {"text": "잠시만요, 답변을 준비하고 있어요…"}}
    (delivered,) = await fake_kakao.wait_for_callbacks(1, timeout=60)
    assert_valid(delivered.body)
    assert "여권" in outputs_text(delivered.body)


async def test_401_without_the_secret_and_400_for_a_malformed_body_change_no_tracker(rasa_agent, served):
    user = new_user()

    unauthorized, _ = await served.open_builder.post(skill_request("안녕하세요", user), secret="guess")
    malformed, body = await served.open_builder.post({"userRequest": {"utterance": "안녕하세요"}})

    assert (unauthorized, malformed) == (401, 400)
    assert "error" in body
    assert await rasa_agent.tracker_store.retrieve(f"kakao:{user}") is None


async def test_503_without_configuration(rasa_agent, serve_kakao):
    served = await serve_kakao(KakaoInput(secret=None), rasa_agent.handle_message)
    user = new_user()

    status, body = await served.open_builder.post(skill_request("안녕하세요", user))

    assert status == 503 and "KAKAO_SKILL_SECRET" in body["error"]
    assert await rasa_agent.tracker_store.retrieve(f"kakao:{user}") is None


async def test_a_resident_number_is_never_stored_or_logged(rasa_agent, served, caplog):
    caplog.set_level(logging.DEBUG)
    user = new_user()

    response = await served.open_builder.send("제 주민번호는 900101-1234567이에요", user)

    assert domain_texts(rasa_agent, "utter_resident_number_warning", "ko") & set(outputs_text(response).split("\n"))
    tracker = await rasa_agent.tracker_store.retrieve(f"kakao:{user}")
    stored = str([event.as_dict() for event in tracker.events])
    assert "1234567" not in stored and "900101" not in stored
    assert "1234567" not in caplog.text
