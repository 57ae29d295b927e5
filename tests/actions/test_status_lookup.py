"""The status lookup and cancel actions, run through rasa_sdk with a real SQLite database."""

from __future__ import annotations

import io
import logging
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.status import ActionCancelApplicationStatus, ActionCheckApplicationStatus
from applications.cli import run as staff_cli
from applications.hashing import BirthDateHasher
from applications.repository import add_application, default_handling, move_application
from applications.statuses import ApplicationStatus
from core.db import create_schema, get_engine, session_scope

RESPONSES_FILE = Path(__file__).resolve().parents[2] / "bot" / "responses" / "status.yml"
RESPONSES: Dict[str, List[Dict[str, Any]]] = yaml.safe_load(RESPONSES_FILE.read_text(encoding="utf-8"))[
    "responses"
]
START = datetime(2026, 6, 1, 1, 0)  # 10:00 KST
BIRTH = "1985-03-12"
PEPPER = "status-test-pepper"


def name_of(message: Dict[str, Any]) -> str:
    """The response a dispatched message came from."""
    return message.get("utter_action") or message["response"]


def render(message: Dict[str, Any], language: str) -> str:
    """The text the citizen sees: already filled by actions.responses.utter (no placeholder
    left), or, for a domain response, filled like Rasa fills it (no missing keys)."""
    if message.get("utter_action"):
        assert message["utter_action"] in RESPONSES
        assert not re.search(r"{[^\n{}]+?}", message["text"]), message["text"]
        return message["text"]
    variation = next(v for v in RESPONSES[message["response"]] if v["condition"][0]["value"] == language)
    variables = {key: value for key, value in message.items() if isinstance(value, str)}
    text = variation["text"]
    for name in re.findall(r"{([^\n{}]+?)}", text):
        assert name in variables, f"{message['response']} needs {{{name}}}"
        text = text.replace("{" + name + "}", variables[name])
    return text


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def engine(tmp_path):
    return create_schema(get_engine(f"sqlite:///{tmp_path}/t.db"))


@pytest.fixture
def hasher():
    return BirthDateHasher(PEPPER.encode())


@pytest.fixture
def clock():
    return Clock(START)


@pytest.fixture
def action(engine, hasher, clock):
    return ActionCheckApplicationStatus(
        engine_factory=lambda: engine, clock=clock, hasher_factory=lambda: hasher
    )


def add(engine, hasher, service_id="passport_reissue", birth=BIRTH) -> str:
    with session_scope(engine) as session:
        application = add_application(
            session,
            service_id=service_id,
            birth_date=date.fromisoformat(birth),
            handling=default_handling(service_id),
            hasher=hasher,
            now=START - timedelta(days=3),
            created_by="test",
        )
        return application.number


def move(engine, number, status, **details):
    with session_scope(engine) as session:
        move_application(
            session, number, status, by="clerk", now=START - timedelta(days=1), force=True, **details
        )


def tracker(number: str | None, birth: str | None, language: str | None = "ko", sender="citizen-1"):
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {"language": language, "application_number": number, "birth_date": birth},
            "latest_message": {"text": "...", "intent": {"name": "inform"}},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "application_status_form",
        }
    )


async def lookup(action, number, birth, language="ko", sender="citizen-1"):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(number, birth, language, sender), {})
    return dispatcher.messages, events


def assert_slots_cleared(events):
    cleared = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert cleared == {"application_number": None, "birth_date": None}


STATUS_WORDS = {
    ApplicationStatus.RECEIVED: ("'접수'", "received"),
    ApplicationStatus.IN_REVIEW: ("'처리중'", "in review"),
    ApplicationStatus.SUPPLEMENT_REQUESTED: ("'보완요청'", "supplement requested"),
    ApplicationStatus.APPROVED: ("'승인'", "approved"),
    ApplicationStatus.REJECTED: ("'반려'", "rejected"),
    ApplicationStatus.COMPLETED: ("'처리완료'", "completed"),
    ApplicationStatus.WITHDRAWN: ("'취하'", "withdrawn"),
}


@pytest.mark.parametrize("status", list(ApplicationStatus))
@pytest.mark.parametrize("language", ["ko", "en"])
async def test_every_status_is_explained_in_both_languages(engine, hasher, action, status, language):
    number = add(engine, hasher, "child_allowance")
    if status is not ApplicationStatus.RECEIVED:
        move(
            engine,
            number,
            status,
            documents_ko=["가족관계증명서", "통장 사본"],
            documents_en=["Family relation certificate", "Copy of bankbook"],
            deadline=date(2026, 6, 12),
            reason_ko="소득 기준을 넘습니다.",
            reason_en="Income is above the limit.",
        )
    messages, events = await lookup(action, number, BIRTH, language)

    assert [name_of(m) for m in messages] == [f"utter_application_status_{status.value}"]
    text = render(messages[0], language)
    ko_word, en_word = STATUS_WORDS[status]
    assert (ko_word if language == "ko" else f"status: {en_word}") in text
    assert ("아동수당" if language == "ko" else "Child allowance") in text
    assert "129" in text  # whom to call
    office = "행정복지센터" if language == "ko" else "Community Service Center"
    assert office in text
    if status is ApplicationStatus.SUPPLEMENT_REQUESTED:
        assert ("가족관계증명서" if language == "ko" else "Family relation certificate") in text
        assert ("2026년 6월 12일" if language == "ko" else "12 June 2026") in text
    if status is ApplicationStatus.REJECTED:
        assert ("소득 기준을 넘습니다." if language == "ko" else "Income is above the limit.") in text
    if status in (ApplicationStatus.RECEIVED, ApplicationStatus.IN_REVIEW):
        assert ("2026년 6월 28일" if language == "ko" else "28 June 2026") in text  # expected date
    assert_slots_cleared(events)


@pytest.mark.parametrize("language, word", [("ko", "'발급완료'"), ("en", "status: issued")])
async def test_a_completed_passport_is_ready_to_collect(engine, hasher, action, language, word):
    number = add(engine, hasher, "passport_issue")
    move(engine, number, ApplicationStatus.COMPLETED)
    messages, _ = await lookup(action, number, BIRTH, language)
    assert name_of(messages[0]) == "utter_application_status_issued"
    assert word in render(messages[0], language)


@pytest.mark.parametrize("language", ["ko", "en"])
async def test_unknown_number_and_wrong_birth_date_get_the_same_reply(engine, hasher, action, language):
    number = add(engine, hasher)
    wrong_date = await lookup(action, number, "1985-03-13", language, sender="a")
    unknown_number = await lookup(action, "2026-0001019", BIRTH, language, sender="b")
    assert wrong_date == unknown_number
    assert name_of(wrong_date[0][0]) == "utter_application_not_verified"
    assert render(wrong_date[0][0], language) == render(unknown_number[0][0], language)


async def test_guessing_birth_dates_locks_the_sender_then_the_number(engine, hasher, action, clock):
    number = add(engine, hasher)
    guesses = [f"1985-03-{day:02d}" for day in range(13, 30)]

    replies = []
    for guess in guesses[:5]:
        clock.now += timedelta(seconds=10)
        messages, events = await lookup(action, number, guess, sender="attacker")
        replies.append(name_of(messages[0]))
        assert_slots_cleared(events)
    assert replies == ["utter_application_not_verified"] * 4 + ["utter_application_lookup_locked"]

    # The right birth date during the lockout still shows nothing.
    messages, _ = await lookup(action, number, BIRTH, sender="attacker")
    assert [name_of(m) for m in messages] == ["utter_application_lookup_locked"]
    for language in ("ko", "en"):
        text = render(messages[0], language)
        assert "여권" not in text and "passport" not in text.lower()
        assert "110" in text and "30" in text

    # A second sender pushes the number to 10 failures in all; then it is locked for everyone.
    replies = []
    for guess in guesses[5:10]:
        clock.now += timedelta(seconds=10)
        messages, _ = await lookup(action, number, guess, sender="second-attacker")
        replies.append(name_of(messages[0]))
    assert replies == ["utter_application_not_verified"] * 4 + ["utter_application_lookup_locked"]
    messages, _ = await lookup(action, number, BIRTH, sender="real-owner")
    assert [name_of(m) for m in messages] == ["utter_application_lookup_locked"]

    # 30 minutes later the owner gets the status.
    clock.now += timedelta(minutes=31)
    messages, _ = await lookup(action, number, BIRTH, sender="real-owner")
    assert name_of(messages[0]) == "utter_application_status_received"


async def test_a_lockout_holds_for_a_new_action_server_process(engine, hasher, clock):
    number = add(engine, hasher)
    first = ActionCheckApplicationStatus(
        engine_factory=lambda: engine, clock=clock, hasher_factory=lambda: hasher
    )
    for day in range(13, 18):
        await lookup(first, number, f"1985-03-{day}", sender="attacker")
    engine.dispose()
    restarted = ActionCheckApplicationStatus(
        engine_factory=lambda: engine, clock=clock, hasher_factory=lambda: hasher
    )
    messages, _ = await lookup(restarted, number, BIRTH, sender="attacker")
    assert name_of(messages[0]) == "utter_application_lookup_locked"


async def test_nothing_personal_is_logged_and_slots_are_emptied(engine, hasher, action, caplog):
    number = add(engine, hasher)
    caplog.set_level(logging.DEBUG)
    outcomes = [
        await lookup(action, number, BIRTH),
        await lookup(action, number, "1985-03-13"),
        await lookup(action, "2026-0001019", BIRTH),
    ]
    for _, events in outcomes:
        assert_slots_cleared(events)
    logged = caplog.text
    assert "application status lookup" in logged  # the action does log its outcome
    for secret in (number, number.replace("-", ""), BIRTH, "850312", "1985", "2026-0001019"):
        assert secret not in logged


async def test_staff_move_is_seen_by_the_next_lookup_without_restart(
    engine, hasher, action, tmp_path, monkeypatch
):
    monkeypatch.setenv("ASSISTANT_HASH_SALT", PEPPER)
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path / "var"))
    url = str(engine.url)
    out = io.StringIO()
    assert (
        staff_cli(
            ["--database-url", url, "add", "--service", "passport_reissue", "--birth-date", BIRTH], out=out
        )
        == 0
    )
    number = out.getvalue().strip()

    messages, _ = await lookup(action, number, BIRTH, "en")
    assert name_of(messages[0]) == "utter_application_status_received"

    assert staff_cli(
        ["--database-url", url, "move", number, "supplement_requested", "--documents", "여권용 사진 1매",
         "--documents-en", "One passport photo", "--deadline", "2026-06-20", "--by", "Kim Minji"],
        out=io.StringIO(),
    ) == 0  # fmt: skip

    messages, _ = await lookup(action, number, BIRTH, "en")
    assert name_of(messages[0]) == "utter_application_status_supplement_requested"
    assert "One passport photo" in render(messages[0], "en")


async def test_database_trouble_gets_a_polite_reply_not_a_trace(tmp_path, hasher, clock, caplog):
    broken = get_engine(f"sqlite:///{tmp_path}/empty.db")  # no tables
    action = ActionCheckApplicationStatus(
        engine_factory=lambda: broken, clock=clock, hasher_factory=lambda: hasher
    )
    caplog.set_level(logging.ERROR)
    messages, events = await lookup(action, "2026-0001019", BIRTH, "en")
    assert [name_of(m) for m in messages] == ["utter_application_lookup_unavailable"]
    assert_slots_cleared(events)
    assert "2026-0001019" not in caplog.text and "OperationalError" in caplog.text


async def test_missing_language_falls_back_to_korean_and_missing_slots_look_up_nothing(
    engine, hasher, action
):
    number = add(engine, hasher)
    messages, _ = await lookup(action, number, BIRTH, language=None)
    assert "여권 재발급" in messages[0]["text"]
    messages, events = await lookup(action, None, None)
    assert [name_of(m) for m in messages] == ["utter_application_not_verified"]
    assert_slots_cleared(events)


async def test_cancel_stops_the_form_and_forgets_the_values():
    dispatcher = CollectingDispatcher()
    events = await ActionCancelApplicationStatus().run(dispatcher, tracker("2026-0001019", None), {})
    assert [name_of(m) for m in dispatcher.messages] == ["utter_application_status_cancelled"]
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert values == {"requested_slot": None, "application_number": None, "birth_date": None}
    for language in ("ko", "en"):
        assert render(dispatcher.messages[0], language)


def test_every_status_response_has_a_korean_and_an_english_variation():
    for name, variations in RESPONSES.items():
        languages = sorted(v["condition"][0]["value"] for v in variations)
        assert languages == ["en", "ko"], name
        korean = next(v["text"] for v in variations if v["condition"][0]["value"] == "ko")
        assert re.search(r"[가-힣]", korean), name
        assert re.search(r"(요|니다|세요)[.!?)]?", korean), name  # polite register
