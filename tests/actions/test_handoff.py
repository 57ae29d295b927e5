"""Handoff to a person: the right contact, open now or not (Korea time, holidays), recorded masked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions.fallback import ActionHandleFallback, previous_turn_was_not_understood
from actions.handoff import ActionHandOff, HandoffService
from actions.office_hours import OfficeHours, availability, load_holidays, parse_hours
from records.repository import list_handoffs
from tests.records.trackers import action_event, bot_event, make_tracker, seeded_engine, user_event

KST = timezone(timedelta(hours=9))


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return seeded_engine(tmp_path)


def test_the_holiday_file_covers_2026_and_2027_with_lunar_and_substitute_days() -> None:
    holidays = load_holidays()
    assert holidays[date(2026, 2, 17)].name_ko == "설날"
    assert holidays[date(2026, 9, 25)].name_ko == "추석"
    assert "대체공휴일" in holidays[date(2026, 3, 2)].name_ko
    assert "대체공휴일" in holidays[date(2027, 2, 9)].name_ko
    assert {day.year for day in holidays} == {2026, 2027}
    # a substitute holiday is always on a weekday
    assert all(day.weekday() < 5 for day, h in holidays.items() if "대체" in h.name_ko)


def test_hours_from_the_catalogue_text() -> None:
    assert parse_hours("평일 09:00~18:00 (정부24 고객센터)") == OfficeHours()
    assert parse_hours("연중무휴 24시간 (경찰민원콜센터)").always_open
    assert not parse_hours("평일 09:00~18:00 (긴급 위기 상담은 24시간)").always_open
    assert parse_hours("평일 10:00~17:00") == OfficeHours(opens=time(10, 0), closes=time(17, 0))


@pytest.mark.parametrize(
    ("moment", "open_now", "why"),
    [
        (kst(2026, 3, 4, 10, 0), True, None),          # Wednesday morning
        (kst(2026, 3, 4, 18, 0), False, "outside_hours"),
        (kst(2026, 3, 4, 8, 59), False, "outside_hours"),
        (kst(2026, 3, 7, 11, 0), False, "weekend"),     # Saturday
        (kst(2026, 2, 17, 11, 0), False, "holiday"),    # 설날
        (kst(2026, 3, 2, 11, 0), False, "holiday"),     # 대체공휴일
    ],
)
def test_open_now_in_korea_time(moment: datetime, open_now: bool, why: Any) -> None:
    state = availability(OfficeHours(), moment)
    assert state.open_now is open_now
    assert state.closed_because == why


def test_a_naive_utc_moment_is_read_as_utc() -> None:
    # 00:30 UTC is 09:30 in Korea on a Wednesday
    assert availability(OfficeHours(), datetime(2026, 3, 4, 0, 30)).open_now


def test_next_opening_skips_the_lunar_new_year_and_the_weekend() -> None:
    state = availability(OfficeHours(), kst(2026, 2, 13, 19, 0))  # Friday evening before 설날
    assert state.next_open == kst(2026, 2, 19, 9, 0)


def handoff_at(engine: Engine, moment: datetime) -> HandoffService:
    return HandoffService(lambda: engine, clock=lambda: moment)


async def hand_off(engine: Engine, moment: datetime, **tracker: Any) -> List[Dict[str, Any]]:
    """The handoff's messages up to the contact. No agent is on duty in these tests, so the
    contact is always followed by the offer of a call-back (checked here, left out of the result)."""
    dispatcher = CollectingDispatcher()
    await ActionHandOff(handoff_at(engine, moment)).run(dispatcher, make_tracker(**tracker), {})
    *messages, offer = dispatcher.messages
    assert offer["utter_action"] == "utter_callback_offer"
    assert [b["payload"] for b in offer["buttons"]] == ["/request_callback"]
    return messages


async def test_without_a_service_the_call_centre_110_open_now(engine: Engine) -> None:
    messages = await hand_off(engine, kst(2026, 3, 4, 10, 0), text="상담원 연결해 주세요", intent="human_handoff")
    assert messages[-1]["utter_action"] == "utter_handoff_call_centre"
    assert "110" in messages[-1]["text"] and "09:00~18:00" in messages[-1]["text"]
    assert "지금은 상담 시간이라" in messages[-1]["text"]


async def test_outside_office_hours_says_when_it_opens(engine: Engine) -> None:
    messages = await hand_off(engine, kst(2026, 3, 4, 20, 0), text="talk to a person", intent="human_handoff",
                              slots={"language": "en"})
    assert "The line is closed right now. It opens again Thu 5 Mar, 09:00" in messages[-1]["text"]


async def test_on_a_public_holiday_names_it(engine: Engine) -> None:
    messages = await hand_off(engine, kst(2026, 9, 25, 11, 0), text="상담원", intent="human_handoff")
    assert "오늘은 공휴일(추석)이라 상담사가 쉬어요" in messages[-1]["text"]
    assert "9월 28일(월) 09:00" in messages[-1]["text"]


async def test_with_a_service_in_context_the_agency_in_charge(engine: Engine) -> None:
    messages = await hand_off(engine, kst(2026, 3, 4, 10, 0), text="사람이랑 얘기할래요", intent="human_handoff",
                              slots={"current_service": "passport_reissue"})
    text = messages[-1]["text"]
    assert messages[-1]["utter_action"] == "utter_handoff_agency"
    assert "외교부" in text and "02-2100-2114" in text and "여권" in text


async def test_a_24_hour_agency_is_open_on_a_holiday(engine: Engine) -> None:
    from core.db import session_scope
    from knowledge.models import Service

    with session_scope(engine) as session:
        police_service = next(s.id for s in session.query(Service).all() if s.agency_id == "police")
    messages = await hand_off(engine, kst(2026, 2, 17, 3, 0), text="상담원", intent="human_handoff",
                              slots={"current_service": police_service})
    assert "182" in messages[-1]["text"] and "지금은 상담 시간이라" in messages[-1]["text"]


async def test_the_handoff_is_recorded_with_a_masked_transcript(engine: Engine) -> None:
    history = [
        user_event("2026-0012347 처리 상태 알려주세요", "check_application_status"),
        bot_event("생년월일을 알려 주세요."),
        user_event("900101-1234567"),
        bot_event("주민등록번호는 입력하지 마세요."),
    ]
    await hand_off(engine, kst(2026, 3, 4, 10, 0), text="상담원 연결", intent="human_handoff", events=history,
                   slots={"current_service": "passport_reissue"}, sender_id="web-abc")
    [row] = list_handoffs(engine)
    assert row.sender_id == "web-abc" and row.reason == "requested" and row.service_id == "passport_reissue"
    assert row.agency_id == "mofa" and row.language == "ko" and row.open_now
    joined = " ".join(line["text"] for line in row.transcript)
    assert "2026-0012347" not in joined and "1234567" not in joined
    assert "****-*******" in joined and row.transcript[-1] == {"who": "user", "text": "상담원 연결"}


async def test_an_nlu_fallback_handoff_is_recorded_as_repeated_fallback(engine: Engine) -> None:
    await hand_off(engine, kst(2026, 3, 4, 10, 0), text="asdf qwer", intent="nlu_fallback")
    assert [row.reason for row in list_handoffs(engine)] == ["repeated_fallback"]


def test_previous_turn_detection() -> None:
    first = [user_event("a"), action_event("action_handle_fallback"), bot_event("rephrase", "utter_ask_rephrase"),
             user_event("b")]
    assert previous_turn_was_not_understood(first)
    after_handoff = [user_event("a"), action_event("action_handle_fallback"),
                     bot_event("110", "utter_handoff_call_centre"), user_event("b")]
    assert not previous_turn_was_not_understood(after_handoff)
    assert not previous_turn_was_not_understood([user_event("a"), action_event("utter_greet"), user_event("b")])


async def test_two_fallbacks_in_a_row_hand_off(engine: Engine) -> None:
    action = ActionHandleFallback(handoff_at(engine, kst(2026, 3, 4, 10, 0)), lambda: engine)
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker("???"), {})
    assert dispatcher.messages[0]["utter_action"] == "utter_ask_rephrase"
    assert [m.get("response") for m in dispatcher.messages[1:]] == ["utter_help_menu"]
    assert events == [UserUtteranceReverted()]
    history = [user_event("???"), action_event("action_handle_fallback"), bot_event("?", "utter_ask_rephrase")]
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, make_tracker("!!!", events=history), {})
    assert [m["utter_action"] for m in dispatcher.messages] == ["utter_handoff_after_fallback",
                                                                "utter_handoff_call_centre", "utter_callback_offer"]
    assert [row.reason for row in list_handoffs(engine)] == ["repeated_fallback"]


async def test_a_message_not_understood_that_names_a_service_gets_that_service(engine: Engine) -> None:
    action = ActionHandleFallback(handoff_at(engine, kst(2026, 3, 4, 10, 0)), lambda: engine)
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker("여권 분실했어요", "nlu_fallback"), {})
    assert dispatcher.messages[0]["utter_action"] == "utter_service_overview"
    assert dispatcher.messages[0]["service_name"] == "여권 재발급"
    assert events == [SlotSet("current_service", "passport_reissue")]
    assert list_handoffs(engine) == []
