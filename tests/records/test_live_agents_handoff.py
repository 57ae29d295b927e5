"""The handoff joins the live-agent queue when an agent is on duty during agents'
hours (issue 18); out of hours, with nobody on duty, or after leaving the queue
the citizen gets today's answer, in both languages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions.handoff import ActionHandOff, ActionLeaveLiveQueue, HandoffService
from records.live_agents import get_chat, go_on_duty, open_chat, take_chat
from records.repository import list_handoffs
from tests.records.trackers import bot_event, make_tracker, seeded_engine, user_event

KST = timezone(timedelta(hours=9))
OPEN = datetime(2026, 3, 4, 10, 0, tzinfo=KST)  # a Wednesday morning
EVENING = datetime(2026, 3, 4, 20, 0, tzinfo=KST)
HOLIDAY = datetime(2026, 9, 25, 11, 0, tzinfo=KST)  # 추석


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return seeded_engine(tmp_path)


def on_duty(engine: Engine, agency: str | None, staff_id: int = 1, at: datetime = OPEN) -> None:
    go_on_duty(engine, staff_id, f"agent{staff_id}", agency, now=at.astimezone(timezone.utc).replace(tzinfo=None))


async def ask_for_person(engine: Engine, moment: datetime, **tracker: Any) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    service = HandoffService(lambda: engine, clock=lambda: moment)
    tracker.setdefault("text", "상담원 연결해 주세요")
    tracker.setdefault("intent", "human_handoff")
    await ActionHandOff(service).run(dispatcher, make_tracker(**tracker), {})
    return dispatcher.messages


async def test_with_an_agency_agent_on_duty_the_citizen_is_queued_with_place_and_wait(engine: Engine) -> None:
    on_duty(engine, "mofa")
    history = [user_event("여권 재발급 2026-0012347 상태", "check_application_status"), bot_event("생년월일을 알려 주세요.")]
    messages = await ask_for_person(engine, OPEN, slots={"current_service": "passport_reissue"},
                                    events=history, sender_id="web-one")
    [queued] = messages
    assert queued["utter_action"] == "utter_live_agent_queued"
    assert "외교부" in queued["text"] and "1번째" in queued["text"] and "약 3분" in queued["text"]
    assert [b["payload"] for b in queued["buttons"]] == ["/cancel"]
    chat = open_chat(engine, "web-one")
    assert (chat.state, chat.agency_id, chat.service_id, chat.channel) == ("waiting", "mofa", "passport_reissue", "web")
    assert "2026-0012347" not in str(chat.transcript)
    # Still recorded as a handoff, as before.
    assert [row.reason for row in list_handoffs(engine)] == ["requested"]
    # A second citizen is second in line, in English.
    messages = await ask_for_person(engine, OPEN, text="talk to a person", sender_id="web-two",
                                    slots={"current_service": "passport_reissue", "language": "en"})
    assert "You are number 2 in the queue" in messages[-1]["text"]
    assert "Ministry of Foreign Affairs" in messages[-1]["text"]


async def test_a_general_pool_agent_takes_the_call_centre_queue(engine: Engine) -> None:
    on_duty(engine, None)
    messages = await ask_for_person(engine, OPEN, slots={"language": "en"}, sender_id="telegram:77")
    assert "general enquiries" in messages[-1]["text"]
    chat = open_chat(engine, "telegram:77")
    assert chat.agency_id is None and chat.channel == "telegram"


async def test_an_agent_of_another_agency_does_not_open_the_queue(engine: Engine) -> None:
    on_duty(engine, "mois")
    messages = await ask_for_person(engine, OPEN, slots={"current_service": "passport_reissue"})
    assert [m["utter_action"] for m in messages[-2:]] == ["utter_handoff_agency", "utter_callback_offer"]
    assert open_chat(engine, "citizen-1") is None


@pytest.mark.parametrize(("moment", "language", "expected"), [
    (EVENING, "ko", "지금은 상담 시간이 아니에요"),
    (EVENING, "en", "The line is closed right now"),
    (HOLIDAY, "ko", "오늘은 공휴일(추석)이라"),
    (HOLIDAY, "en", "Today is a public holiday"),
])
async def test_out_of_hours_gives_todays_answer_even_with_an_agent_on_duty(
    engine: Engine, moment: datetime, language: str, expected: str
) -> None:
    on_duty(engine, None, at=moment)
    messages = await ask_for_person(engine, moment, slots={"language": language})
    # today's answer, then the offer of a call-back (issue 18, item 1)
    assert [m["utter_action"] for m in messages[-2:]] == ["utter_handoff_call_centre", "utter_callback_offer"]
    assert expected in messages[-2]["text"] and "110" in messages[-2]["text"]
    assert open_chat(engine, "citizen-1") is None


async def test_nobody_on_duty_gives_todays_answer(engine: Engine) -> None:
    messages = await ask_for_person(engine, OPEN)
    assert [m["utter_action"] for m in messages[-2:]] == ["utter_handoff_call_centre", "utter_callback_offer"]


@pytest.mark.parametrize(("language", "expected"), [("ko", "상담 대기를 취소했어요"), ("en", "You have left the queue")])
async def test_leaving_the_queue_cancels_and_gives_the_contact(engine: Engine, language: str, expected: str) -> None:
    on_duty(engine, None)
    await ask_for_person(engine, OPEN, slots={"language": language})
    chat_id = open_chat(engine, "citizen-1").id
    dispatcher = CollectingDispatcher()
    action = ActionLeaveLiveQueue(HandoffService(lambda: engine, clock=lambda: OPEN), lambda: engine)
    await action.run(dispatcher, make_tracker("/cancel", "cancel", slots={"language": language}), {})
    assert dispatcher.messages[0]["text"] == expected or expected in dispatcher.messages[0]["text"]
    assert dispatcher.messages[-1]["utter_action"] == "utter_handoff_call_centre"  # leaving by choice: no call-back offer
    assert get_chat(engine, chat_id).outcome == "cancelled"
    assert len(list_handoffs(engine)) == 1  # leaving is not a second handoff


async def test_leaving_after_an_agent_took_it_keeps_the_chat(engine: Engine) -> None:
    on_duty(engine, None)
    await ask_for_person(engine, OPEN)
    chat_id = open_chat(engine, "citizen-1").id
    assert take_chat(engine, chat_id, 1, "agent1", None)
    dispatcher = CollectingDispatcher()
    action = ActionLeaveLiveQueue(HandoffService(lambda: engine, clock=lambda: OPEN), lambda: engine)
    await action.run(dispatcher, make_tracker("/cancel", "cancel"), {})
    # Nothing waits any more: "cancel" is answered as it is when nothing is in progress.
    assert [m.get("utter_action") for m in dispatcher.messages] == ["utter_nothing_to_cancel"]
    assert get_chat(engine, chat_id).state == "active"


async def test_round_the_clock_agents_take_a_holiday_evening_handoff(engine: Engine) -> None:
    from actions.office_hours import parse_hours

    on_duty(engine, None, at=HOLIDAY)
    service = HandoffService(lambda: engine, clock=lambda: HOLIDAY, agent_hours=parse_hours("연중무휴 24시간"))
    dispatcher = CollectingDispatcher()
    await ActionHandOff(service).run(dispatcher, make_tracker("상담원", "human_handoff"), {})
    assert dispatcher.messages[-1]["utter_action"] == "utter_live_agent_queued"
