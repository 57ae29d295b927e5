"""Feedback: 👍/👎 after an answer, a handoff and an optional comment after 👎, and the staff report."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions.feedback import (
    ActionAskFeedback,
    ActionRecordFeedback,
    ActionSaveFeedbackComment,
    ValidateFeedbackCommentForm,
)
from actions.handoff import HandoffService
from records.cli import main as records_main
from records.repository import helpful_rates, list_handoffs
from tests.records.trackers import bot_event, make_tracker, seeded_engine, user_event

WEDNESDAY_10AM = datetime(2026, 3, 4, 10, 0, tzinfo=timezone(timedelta(hours=9)))
THUMBS_UP = [{"entity": "helpful", "value": "yes"}]
THUMBS_DOWN = [{"entity": "helpful", "value": "no"}]


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return seeded_engine(tmp_path)


def recorder(engine: Engine) -> ActionRecordFeedback:
    return ActionRecordFeedback(lambda: engine, HandoffService(lambda: engine, clock=lambda: WEDNESDAY_10AM))


def answered(question: str, intent: str, service: str) -> List[Dict[str, Any]]:
    """A question and the answer that set the service in context."""
    return [user_event(question, intent), {"event": "slot", "name": "current_service", "value": service},
            bot_event("답변", "utter_service_fee")]


async def test_buttons_only_after_an_actual_answer() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("여권 재발급 수수료", "ask_service_fee")
    tracker.events.append({"event": "slot", "name": "current_service", "value": "passport_reissue"})
    await ActionAskFeedback().run(dispatcher, tracker, {})
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        '/feedback{"helpful": "yes"}', '/feedback{"helpful": "no"}']
    assert dispatcher.messages[0]["buttons"][0]["title"] == "👍 도움이 됐어요"
    dispatcher = CollectingDispatcher()
    await ActionAskFeedback().run(dispatcher, make_tracker("뭐라고요", "ask_service_fee"), {})
    assert dispatcher.messages == []
    dispatcher = CollectingDispatcher()
    await ActionAskFeedback().run(dispatcher, make_tracker("bye", "goodbye", slots={"language": "en"}), {})
    assert dispatcher.messages[0]["buttons"][0]["title"] == "👍 Helpful"


async def test_a_thumbs_up_is_stored_with_intent_service_and_language(engine: Engine) -> None:
    dispatcher = CollectingDispatcher()
    history = answered("how much is a passport reissue", "ask_service_fee", "passport_reissue")
    tracker = make_tracker('/feedback{"helpful": "yes"}', "feedback", THUMBS_UP, events=history,
                           slots={"language": "en", "current_service": "passport_reissue"})
    events = await recorder(engine).run(dispatcher, tracker, {})
    assert events[0]["value"] == "yes"
    assert dispatcher.messages[0]["utter_action"] == "utter_feedback_thanks"
    [rate] = helpful_rates(engine)
    assert (rate.key, rate.total, rate.helpful) == ("passport_reissue", 1, 1)
    assert list_handoffs(engine) == []


async def test_typed_words_count_as_a_rating_and_unclear_ones_ask_again(engine: Engine) -> None:
    dispatcher = CollectingDispatcher()
    events = await recorder(engine).run(dispatcher, make_tracker("도움이 안 됐어요", "feedback"), {})
    assert events[0]["value"] == "no"
    dispatcher = CollectingDispatcher()
    events = await recorder(engine).run(dispatcher, make_tracker("음", "feedback"), {})
    assert events[0]["value"] == "unclear"
    assert dispatcher.messages[0]["utter_action"] == "utter_ask_feedback"


async def test_feedback_round_trip_shows_in_the_staff_report(engine: Engine) -> None:
    sender = "telegram-42"
    history = answered("여권 재발급 수수료 얼마예요? 접수번호 2026-0012347", "ask_service_fee", "passport_reissue")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker('/feedback{"helpful": "no"}', "feedback", THUMBS_DOWN, events=history,
                           slots={"current_service": "passport_reissue"}, sender_id=sender)
    events = await recorder(engine).run(dispatcher, tracker, {})
    assert events[0]["value"] == "no"
    # a thumbs-down routes to the agency in charge (no live agent is on duty: with the
    # offer of a call-back for that agency), and that is recorded
    assert [m["utter_action"] for m in dispatcher.messages] == ["utter_handoff_after_thumbs_down",
                                                                "utter_handoff_agency", "utter_callback_offer"]
    assert {e["name"]: e["value"] for e in events[1:]}["callback_agency"] == "mofa"
    assert [(h.reason, h.agency_id) for h in list_handoffs(engine)] == [("thumbs_down", "mofa")]

    comment = ValidateFeedbackCommentForm().validate_feedback_comment(
        "수수료가 2026년 기준인지 알려주세요", CollectingDispatcher(), make_tracker("x"), {})
    dispatcher = CollectingDispatcher()
    await ActionSaveFeedbackComment(lambda: engine).run(
        dispatcher, make_tracker("x", slots=comment, sender_id=sender), {})
    assert dispatcher.messages[0]["utter_action"] == "utter_feedback_comment_thanks"

    out = io.StringIO()
    assert records_main(["feedback", "--by-service"], out=out, engine=engine) == 0
    report = out.getvalue()
    assert "Helpful: 0 of 1 ratings (0%)" in report
    assert "passport_reissue" in report
    assert "thumbs_down [passport_reissue]: 여권 재발급 수수료 얼마예요? 접수번호 ****-*******" in report
    assert "comment: 수수료가 2026년 기준인지 알려주세요" in report
    assert "2026-0012347" not in report


def test_a_skipped_comment_is_not_stored() -> None:
    form = ValidateFeedbackCommentForm()
    assert form.validate_feedback_comment("건너뛰기", CollectingDispatcher(), make_tracker("x"), {}) == {
        "feedback_comment": "skipped"}
    assert form.validate_feedback_comment('/feedback{"helpful": "no"}', CollectingDispatcher(),
                                          make_tracker("x"), {}) == {"feedback_comment": "skipped"}
