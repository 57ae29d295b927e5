"""Corrections, follow-ups, deadlines and topics the catalogue lacks, through the service actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions.corrections import read_correction, rejected_span
from actions.particles import attach_particles, particle_for
from actions.service_context import context_is_current, last_answered_topic, names_only_a_service
from actions.services import (
    ActionAnswerServiceDeadline,
    ActionAnswerServiceFee,
    ActionAnswerServiceFollowup,
    ActionAnswerServiceOverview,
    ActionAnswerServiceProcessingTime,
)
from core.db import get_engine, session_scope
from knowledge.models import Service
from knowledge.seed import CATALOGUE_DIR, seed_catalogue


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = get_engine(f"sqlite:///{tmp_path}/followups.db")
    seed_catalogue(engine, CATALOGUE_DIR)
    return engine


def answered(topic: str, service_id: str) -> List[Dict[str, Any]]:
    """Events of an earlier turn whose answer was about ``topic`` of ``service_id``."""
    return [
        {"event": "user", "text": "…", "parse_data": {"intent": {"name": f"ask_service_{topic}"}}},
        {"event": "action", "name": f"action_answer_service_{topic}"},
        {"event": "bot", "text": "…", "metadata": {"utter_action": f"utter_service_{topic}", "topic": topic}},
        {"event": "slot", "name": "current_service", "value": service_id},
    ]


def tracker(text: str, intent: str, events: List[Dict[str, Any]], current: str | None = None,
            entities: List[Dict[str, Any]] | None = None, language: str = "ko") -> Tracker:
    return Tracker.from_dict({
        "sender_id": "citizen",
        "slots": {"language": language, "current_service": current},
        "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []},
        "events": events + [{"event": "user", "text": text}],
    })


def span(text: str, words: str, value: str | None = None) -> Dict[str, Any]:
    start = text.index(words)
    return {"entity": "service", "value": value or words, "start": start, "end": start + len(words)}


def service_text(engine: Engine, service_id: str, field: str, language: str = "ko") -> str:
    with session_scope(engine) as session:
        service = session.get(Service, service_id)
        assert service is not None
        return service.text(field, language) or ""


async def run(action: Any, engine: Engine, t: Tracker) -> tuple:
    dispatcher = CollectingDispatcher()
    events = await action(engine).run(dispatcher, t, {})
    return dispatcher.messages, events


# --------------------------------------------------------------------------- the grammar


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("아니 여권 말고 운전면허 갱신이요", "운전면허 갱신이요"),
        ("여권 아니고 출생신고요", "출생신고요"),
        ("여권이 아니라 운전면허요", "운전면허요"),
        ("아 잘못 말했어요 출생신고요", "출생신고요"),
        ("그거 말고요", ""),
        ("not the passport, I meant the driving licence", "the driving licence"),
        ("sorry I meant birth registration", "birth registration"),
        ("no, not the passport, the ID card", "the ID card"),
        ("not that one", ""),
    ],
)
def test_corrections_say_what_is_wanted(text: str, wanted: str) -> None:
    correction = read_correction(text)
    assert correction is not None and correction.wanted_text == wanted


@pytest.mark.parametrize(
    "text",
    ["여권 수수료 얼마예요", "I am not sure how to apply for a passport", "남편이 대신 신청해도 되나요",
     "주말 빼고 며칠 걸려요", "여권뿐만 아니라 비자도 필요해요", "what if I do not have an ID card"],
)
def test_ordinary_questions_are_not_corrections(text: str) -> None:
    assert read_correction(text) is None


def test_the_span_before_말고_and_after_not_is_the_rejected_one() -> None:
    text = "아니 여권 말고 운전면허 갱신이요"
    assert rejected_span(text, 3, 5) and not rejected_span(text, 9, 16)
    english = "not the passport, I meant the driving licence"
    assert rejected_span(english, 8, 16) and not rejected_span(english, 30, 45)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("안전신문고 신고(https://www.safetyreport.go.kr)^이나 앱에", "안전신문고 신고(https://www.safetyreport.go.kr)나 앱에"),
        ("국민신문고 민원 신청(https://www.epeople.go.kr)^으로", "국민신문고 민원 신청(https://www.epeople.go.kr)으로"),
        ("정보공개청구^으로", "정보공개청구로"),
        ("서울^으로", "서울로"),
        ("'여권'^이에요", "'여권'이에요"),
        ("공휴일(성탄절)^이라서", "공휴일(성탄절)이라서"),
        ("가족관계증명서^을", "가족관계증명서를"),
    ],
)
def test_particles_fit_the_word_before_a_link_or_parenthesis(template: str, expected: str) -> None:
    assert attach_particles(template) == expected


def test_particle_forms() -> None:
    assert particle_for("여권", "은") == "은" and particle_for("신고", "은") == "는"
    assert particle_for("민원(3건)", "이") == "이" and particle_for("서류(사본)", "이") == "가"


# --------------------------------------------------------------------------- context from events


def test_the_last_topic_and_whether_the_service_is_still_current() -> None:
    events = answered("fee", "passport_reissue")
    assert last_answered_topic(events) == "fee"
    assert context_is_current(events)
    moved_on = events + [{"event": "action", "name": "application_status_form"}]
    assert not context_is_current(moved_on)
    assert not context_is_current(events + [{"event": "session_started"}])
    assert last_answered_topic([]) is None


# --------------------------------------------------------------------------- the actions


async def test_a_correction_answers_the_same_topic_for_the_service_meant(engine: Engine) -> None:
    text = "아니 여권 말고 운전면허 갱신이요"
    t = tracker(text, "inform", answered("processing_time", "passport_reissue"), "passport_reissue",
                [span(text, "여권"), span(text, "운전면허 갱신")])
    messages, events = await run(ActionAnswerServiceFollowup, engine, t)
    assert messages[0]["utter_action"] == "utter_service_processing_time"
    assert messages[0]["answer"] == service_text(engine, "driver_license_renewal", "processing_time")
    assert events[0]["value"] == "driver_license_renewal"


async def test_a_correction_found_by_words_alone_still_drops_the_rejected_service(engine: Engine) -> None:
    text = "여권 말고 운전면허 갱신이요"  # no entities: the NLU missed both spans
    t = tracker(text, "ask_service_fee", answered("fee", "passport_reissue"), "passport_reissue")
    messages, _ = await run(ActionAnswerServiceFee, engine, t)
    assert messages[0]["utter_action"] == "utter_service_fee"
    assert "운전면허" in messages[0]["service_name"]


async def test_그거_말고_asks_which_service(engine: Engine) -> None:
    t = tracker("그거 말고요", "inform", answered("fee", "passport_reissue"), "passport_reissue")
    messages, events = await run(ActionAnswerServiceFollowup, engine, t)
    assert messages[0]["utter_action"] == "utter_service_ask_name"
    assert events == []


async def test_a_service_named_alone_gets_the_last_question(engine: Engine) -> None:
    text = "출생신고는요?"
    t = tracker(text, "inform", answered("deadline", "death_registration"), "death_registration",
                [span(text, "출생신고")])
    messages, _ = await run(ActionAnswerServiceFollowup, engine, t)
    assert messages[0]["utter_action"] == "utter_service_deadline"
    assert messages[0]["answer"] == service_text(engine, "birth_registration", "deadline")


async def test_a_topic_follow_up_keeps_the_service(engine: Engine) -> None:
    t = tracker("기한은요?", "ask_service_deadline", answered("overview", "birth_registration"), "birth_registration")
    messages, _ = await run(ActionAnswerServiceDeadline, engine, t)
    assert messages[0]["answer"] == service_text(engine, "birth_registration", "deadline")
    assert "1개월" in messages[0]["answer"] or "한 달" in messages[0]["answer"]


async def test_once_the_conversation_moved_on_a_topic_question_asks_which_service(engine: Engine) -> None:
    history = answered("fee", "passport_reissue") + [{"event": "action", "name": "application_status_form"}]
    t = tracker("얼마나 걸려요?", "ask_service_processing_time", history, "passport_reissue")
    messages, _ = await run(ActionAnswerServiceProcessingTime, engine, t)
    assert messages[0]["utter_action"] == "utter_service_ask_which_last"
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/ask_service_processing_time{"service": "passport_reissue"}'
    ]


async def test_a_topic_the_catalogue_lacks_names_the_agency_to_ask(engine: Engine) -> None:
    with session_scope(engine) as session:
        service = session.get(Service, "passport_reissue")
        assert service is not None
        service.deadline_ko = service.deadline_en = None
        phone = service.where_phone or (service.agency.phone if service.agency else None)
    for language in ("ko", "en"):
        t = tracker("passport reissue deadline" if language == "en" else "여권 재발급 기한", "ask_service_deadline",
                    [], None, [{"entity": "service", "value": "passport_reissue"}], language)
        messages, _ = await run(ActionAnswerServiceDeadline, engine, t)
        assert messages[0]["utter_action"] == "utter_service_topic_missing"
        assert phone and phone in messages[0]["text"]
        assert ("기한" in messages[0]["text"]) if language == "ko" else ("deadline" in messages[0]["text"])


@pytest.mark.parametrize(
    ("text", "words", "alone"),
    [("운전면허 갱신은요?", "운전면허 갱신", True), ("what about a passport?", "passport", True),
     ("그럼 여권은?", "여권", True), ("여권 수수료 얼마예요", "여권", False), ("여권 재발급 서류", "여권 재발급", False)],
)
def test_a_service_named_on_its_own(text: str, words: str, alone: bool) -> None:
    start = text.index(words)
    assert names_only_a_service(text, [(start, start + len(words))]) is alone


async def test_a_service_named_alone_read_as_an_overview_question_gets_the_last_topic(engine: Engine) -> None:
    text = "운전면허 갱신은요?"
    t = tracker(text, "ask_service_overview", answered("fee", "passport_reissue"), "passport_reissue",
                [span(text, "운전면허 갱신")])
    messages, _ = await run(ActionAnswerServiceOverview, engine, t)
    assert messages[0]["utter_action"] == "utter_service_fee"
    assert "운전면허" in messages[0]["service_name"]


async def test_a_fine_in_a_deadline_question_is_not_the_fine_payment_service(engine: Engine) -> None:
    text = "기한 넘기면 과태료 있어요?"
    t = tracker(text, "ask_service_deadline", answered("overview", "moving_in_report"), "moving_in_report",
                [span(text, "과태료")])
    messages, _ = await run(ActionAnswerServiceDeadline, engine, t)
    assert messages[0]["answer"] == service_text(engine, "moving_in_report", "deadline")
    named = "전입신고 늦게 하면 과태료 있어요?"
    t = tracker(named, "ask_service_deadline", [], None, [span(named, "전입신고"), span(named, "과태료")])
    messages, _ = await run(ActionAnswerServiceDeadline, engine, t)
    assert messages[0]["answer"] == service_text(engine, "moving_in_report", "deadline")


async def test_naming_the_service_after_which_service_answers_the_question_asked(engine: Engine) -> None:
    first = tracker("수수료 얼마예요?", "ask_service_fee", [])
    dispatcher = CollectingDispatcher()
    await ActionAnswerServiceFee(engine).run(dispatcher, first, {})
    asked = dispatcher.messages[0]
    assert asked["utter_action"] == "utter_service_ask_name"
    history = [{"event": "bot", "text": asked["text"], "metadata": {"utter_action": asked["utter_action"],
                                                                   "asked_topic": asked["asked_topic"]}}]
    text = "여권 재발급이요"
    messages, _ = await run(ActionAnswerServiceFollowup, engine, tracker(text, "inform", history, None,
                                                                        [span(text, "여권 재발급")]))
    assert messages[0]["utter_action"] == "utter_service_fee"


async def test_a_topic_question_naming_no_service_asks_which_instead_of_guessing(engine: Engine) -> None:
    messages, _ = await run(ActionAnswerServiceFee, engine, tracker("how much is the fee?", "ask_service_fee", [],
                                                                    language="en"))
    assert messages[0]["utter_action"] == "utter_service_ask_name"
    assert "Which service" in messages[0]["text"]


async def test_the_whole_message_wins_when_it_reads_more_than_the_entity(engine: Engine) -> None:
    text = "외국인등록증 잃어버렸어요"
    t = tracker(text, "ask_service_how_to_apply", [], None, [span(text, "외국인등록증")])
    from actions.services import ActionAnswerServiceHowToApply

    messages, events = await run(ActionAnswerServiceHowToApply, engine, t)
    assert events[0]["value"] == "residence_card_reissue"
    t = tracker("외국인등록증 어떻게 받아요", "ask_service_how_to_apply", [], None,
                [span("외국인등록증 어떻게 받아요", "외국인등록증")])
    messages, events = await run(ActionAnswerServiceHowToApply, engine, t)
    assert events[0]["value"] == "foreigner_registration"
