"""Call-back requests, the citizen's side (issue 18, item 1): the offer after the
queue, the consent notice, the phone number (a resident number refused and never
kept), the optional message, the stored request and the database error path."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from actions.callback import (
    CALLBACK_SLOTS,
    ActionAskCallbackConsent,
    ActionSubmitCallback,
    ValidateCallbackForm,
    offer_message,
    offer_payload,
)
from actions.form_answers import SKIPPED
from actions.handoff import ActionHandOff, HandoffService
from actions.office_hours import OfficeHours
from channels.telegram.format import MAX_CALLBACK_DATA_BYTES
from core.db import session_scope
from core.privacy import PHONE_MASK
from core.tracker_store import SENSITIVE_SLOTS, mask_event_data
from records.callback_models import CallbackRequest
from records.callbacks import RETENTION_DAYS, open_requests
from tests.actions.test_forms import FORMS_DOMAIN, form_tracker, slot_events
from tests.records.trackers import make_tracker, seeded_engine

SECRET = b"test pepper for call-back actions"
KST = timezone(timedelta(hours=9))
WEDNESDAY_MORNING = datetime(2026, 3, 4, 10, 0, tzinfo=KST)
WEDNESDAY_NIGHT = datetime(2026, 3, 4, 22, 0, tzinfo=KST)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return seeded_engine(tmp_path)


def rows(engine: Engine) -> List[CallbackRequest]:
    with session_scope(engine) as session:
        found = session.execute(select(CallbackRequest)).scalars().all()
        session.expunge_all()
        return list(found)


async def validate(text: str, requested: str, intent: str = "inform", confidence: float = 0.9,
                   **slots: Any) -> tuple:
    """Run the form's validation on ``text`` typed as the answer to ``requested``, as Rasa would send it."""
    tracker = form_tracker(text, intent, confidence, "callback_form", requested, **slots)
    tracker.add_slots([{"event": "slot", "name": requested, "value": text}])
    dispatcher = CollectingDispatcher()
    events = await ValidateCallbackForm().run(dispatcher, tracker, FORMS_DOMAIN)
    return slot_events(events), dispatcher.messages


# --------------------------------------------------------------------------- the offer


async def test_out_of_agents_hours_the_contact_comes_with_the_offer_and_its_reason(engine: Engine) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("상담원 연결해 주세요", "human_handoff", slots={"current_service": "passport_reissue"})
    events = await ActionHandOff(HandoffService(lambda: engine, clock=lambda: WEDNESDAY_NIGHT)).run(
        dispatcher, tracker, {})
    assert [m["utter_action"] for m in dispatcher.messages] == ["utter_handoff_agency", "utter_callback_offer"]
    offer = dispatcher.messages[-1]
    assert offer["buttons"] == [{"title": "전화 상담 예약하기", "payload": "/request_callback"}]
    assert slot_events(events) == {"callback_reason": "out_of_hours", "callback_agency": "mofa"}


async def test_in_agents_hours_with_nobody_on_duty_the_reason_is_no_agent(engine: Engine) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("talk to a person", "human_handoff", slots={"language": "en"})
    events = await ActionHandOff(HandoffService(lambda: engine, clock=lambda: WEDNESDAY_MORNING)).run(
        dispatcher, tracker, {})
    assert dispatcher.messages[-1]["buttons"] == [{"title": "Ask for a call-back", "payload": "/request_callback"}]
    assert slot_events(events) == {"callback_reason": "no_agent", "callback_agency": None}


async def test_joining_the_queue_offers_nothing_yet_but_remembers_the_agency(engine: Engine) -> None:
    from records.live_agents import go_on_duty

    go_on_duty(engine, 1, "agent1", None, now=WEDNESDAY_MORNING.astimezone(timezone.utc).replace(tzinfo=None))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("상담원 연결", "human_handoff", slots={"current_service": "passport_reissue"})
    always = OfficeHours(always_open=True)
    events = await ActionHandOff(HandoffService(lambda: engine, clock=lambda: WEDNESDAY_MORNING,
                                                agent_hours=always)).run(dispatcher, tracker, {})
    assert [m["utter_action"] for m in dispatcher.messages] == ["utter_live_agent_queued"]
    assert slot_events(events) == {"callback_agency": "mofa"}


def test_the_timeout_button_carries_its_reason_in_valid_entity_json_within_telegram_limits() -> None:
    import json

    for language, title in (("ko", "전화 상담 예약하기"), ("en", "Ask for a call-back")):
        offer = offer_message(language, "timed_out")
        [button] = offer["buttons"]
        assert button["title"] == title
        payload = button["payload"]
        assert payload.startswith("/request_callback{")
        assert json.loads(payload[len("/request_callback"):]) == {"callback_reason": "timed_out"}
        assert len(payload.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
    assert offer_payload("made_up") == "/request_callback"


# --------------------------------------------------------------------------- the form


async def test_the_consent_notice_states_purpose_items_retention_and_the_right_to_refuse() -> None:
    for language, words in (
        ("ko", ["개인정보 수집·이용 동의", "전화 상담 회신", "전화번호, 남기신 말", f"{RETENTION_DAYS}일 후 파기",
                "거부하실 수 있어요", "전화 회신은 받으실 수 없지만"]),
        ("en", ["Consent to the collection and use of personal information", "calling you back",
                "phone number and the message", f"{RETENTION_DAYS} days, then deleted", "You may refuse",
                "nobody will call you back"]),
    ):
        dispatcher = CollectingDispatcher()
        await ActionAskCallbackConsent().run(dispatcher, make_tracker("x", slots={"language": language}), {})
        [message] = dispatcher.messages
        for word in words:
            assert word in message["text"], (language, word)
        assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]


@pytest.mark.parametrize(("text", "intent", "consent"), [
    ("/affirm", "affirm", "yes"),
    ("/deny", "deny", "no"),
    ("동의합니다", "affirm", "yes"),
    ("동의하지 않아요", "affirm", "no"),  # the words decide, whatever the classifier guessed
    ("네", "affirm", "yes"),
    ("I don't agree", "deny", "no"),
    ("ok", "affirm", "yes"),
])
async def test_consent_is_read_from_the_button_or_the_words(text: str, intent: str, consent: str) -> None:
    slots, _ = await validate(text, "callback_consent", intent)
    assert slots["callback_consent"] == consent


async def test_an_unclear_consent_is_asked_again() -> None:
    slots, messages = await validate("음 글쎄", "callback_consent", "nlu_fallback", 0.3)
    assert slots["callback_consent"] is None
    assert messages[0]["utter_action"] == "utter_callback_consent_unclear"


async def test_refusing_consent_ends_the_form_without_asking_for_the_number() -> None:
    slots, _ = await validate("/deny", "callback_consent", "deny")
    assert slots["callback_consent"] == "no" and slots["requested_slot"] is None


async def test_a_resident_number_typed_as_the_phone_is_refused_and_never_kept() -> None:
    slots, messages = await validate("900101-1234567", "callback_phone", callback_consent="yes")
    assert slots["callback_phone"] is None
    assert [m.get("response") for m in messages] == ["utter_callback_resident_number_warning"]
    assert "1234567" not in str(slots) and "900101" not in str(slots)


async def test_an_invalid_number_gets_an_example_of_the_format() -> None:
    slots, messages = await validate("12345", "callback_phone", callback_consent="yes")
    assert slots["callback_phone"] is None
    assert messages[0]["utter_action"] == "utter_callback_phone_invalid"
    assert "010-1234-5678" in messages[0]["text"]


async def test_a_phone_number_is_kept_as_digits_and_sealed_in_the_tracker_store() -> None:
    slots, _ = await validate("010-1234-5678", "callback_phone", callback_consent="yes")
    assert slots["callback_phone"] == "01012345678"
    assert SENSITIVE_SLOTS["callback_phone"] == PHONE_MASK
    stored = mask_event_data({"event": "slot", "name": "callback_phone", "value": "021201234"})
    assert stored["value"] == PHONE_MASK


@pytest.mark.parametrize("text", ["/skip", "없음", "No message", "skip"])
async def test_the_message_can_be_skipped(text: str) -> None:
    slots, _ = await validate(text, "callback_message", "skip", callback_consent="yes", callback_phone="01012345678")
    assert slots["callback_message"] == SKIPPED


async def test_a_message_that_sounds_like_a_question_is_kept_masked() -> None:
    text = "여권 재발급 수수료 문의드려요 제 번호 010-9876-5432"
    slots, _ = await validate(text, "callback_message", "ask_service_fee", 0.7,
                              callback_consent="yes", callback_phone="01012345678")
    assert slots["callback_message"].startswith("여권 재발급 수수료 문의드려요")
    assert "9876" not in slots["callback_message"]


# --------------------------------------------------------------------------- the submit


def submit_tracker(**slots: Any):
    tracker = make_tracker("/skip", "skip", slots=slots, sender_id="telegram:5550001")
    tracker.events[-1]["input_channel"] = "telegram"
    return tracker


def cleared(events: List[Dict[str, Any]]) -> bool:
    values = slot_events(events)
    return all(slot in values and values[slot] is None for slot in CALLBACK_SLOTS)


async def test_a_consented_request_is_stored_sealed_confirmed_and_forgotten(engine: Engine) -> None:
    dispatcher = CollectingDispatcher()
    tracker = submit_tracker(callback_consent="yes", callback_phone="01012345678", callback_message="여권 문의",
                             callback_reason="out_of_hours", callback_agency="mofa")
    events = await ActionSubmitCallback(lambda: engine, secret=SECRET).run(dispatcher, tracker, {})
    [row] = rows(engine)
    assert (row.reason, row.agency_id, row.channel, row.language, row.message) == (
        "out_of_hours", "mofa", "telegram", "ko", "여권 문의")
    assert "01012345678" not in row.phone_sealed and "5678" not in row.phone_sealed
    [view] = open_requests(engine, "mofa", SECRET)
    assert view.phone == "010-1234-5678"
    [message] = dispatcher.messages
    assert message["utter_action"] == "utter_callback_booked"
    assert "외교부" in message["text"] and "5678" in message["text"] and f"{RETENTION_DAYS}일 후 파기" in message["text"]
    assert "010-1234" not in message["text"]
    assert cleared(events)


async def test_a_citizen_still_waiting_in_the_queue_leaves_it_when_the_call_back_is_booked(engine: Engine) -> None:
    from records.live_agents import join_queue, open_chat

    join_queue(engine, sender_id="telegram:5550001", language="ko", reason="requested", agency_id=None)
    dispatcher = CollectingDispatcher()
    tracker = submit_tracker(callback_consent="yes", callback_phone="01012345678", callback_message=SKIPPED)
    await ActionSubmitCallback(lambda: engine, secret=SECRET).run(dispatcher, tracker, {})
    assert len(rows(engine)) == 1
    assert open_chat(engine, "telegram:5550001") is None
    assert [m["utter_action"] for m in dispatcher.messages] == ["utter_callback_booked", "utter_callback_left_queue"]
    assert "상담 연결은 취소했어요" in dispatcher.messages[1]["text"]


async def test_a_typed_request_without_a_handoff_goes_to_the_general_pool(engine: Engine) -> None:
    dispatcher = CollectingDispatcher()
    tracker = submit_tracker(callback_consent="yes", callback_phone="021201234", callback_message=SKIPPED,
                             language="en")
    action = ActionSubmitCallback(lambda: engine, clock=lambda: WEDNESDAY_NIGHT, secret=SECRET)
    await action.run(dispatcher, tracker, {})
    [row] = rows(engine)
    assert row.agency_id is None and row.message == "" and row.language == "en"
    assert row.reason in ("out_of_hours", "no_agent")
    assert "Government Call Centre" in dispatcher.messages[0]["text"]
    assert f"deleted after {RETENTION_DAYS} days" in dispatcher.messages[0]["text"]


async def test_without_consent_nothing_is_stored(engine: Engine) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitCallback(lambda: engine, secret=SECRET).run(
        dispatcher, submit_tracker(callback_consent="no", callback_reason="no_agent"), {})
    assert rows(engine) == []
    assert [m["utter_action"] for m in dispatcher.messages] == ["utter_callback_declined"]
    assert cleared(events)


async def test_a_database_error_gives_an_apology_and_todays_contact(engine: Engine) -> None:
    def broken() -> Engine:
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    dispatcher = CollectingDispatcher()
    tracker = submit_tracker(callback_consent="yes", callback_phone="01012345678", callback_message=SKIPPED)
    events = await ActionSubmitCallback(broken, secret=SECRET).run(dispatcher, tracker, {})
    assert [m["utter_action"] for m in dispatcher.messages] == ["utter_callback_failed", "utter_handoff_call_centre"]
    assert "110" in dispatcher.messages[-1]["text"]
    assert cleared(events)
