"""The status form's validator, run through rasa_sdk as the action server would."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import event

from actions.status import ValidateApplicationStatusForm
from applications.models import VerificationFailure
from core.db import create_schema, get_engine, session_scope

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "bot" / "domain" / "status.yml"
RESPONSES_FILE = Path(__file__).resolve().parents[2] / "bot" / "responses" / "status.yml"
DOMAIN: Dict[str, Any] = {
    "forms": {"application_status_form": {"required_slots": ["application_number", "birth_date"]}},
    "slots": {"application_number": {"type": "text"}, "birth_date": {"type": "text"}},
}
NOW = datetime(2026, 6, 1, 1, 0)


def form_tracker(slots_just_set: Dict[str, Any], requested_slot: str | None, language: str = "ko") -> Tracker:
    """A tracker in the middle of the form, whose last events are the slot candidates."""
    events: List[Dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "...", "parse_data": {"intent": {"name": "inform"}}},
    ]
    events += [SlotSet(name, value) for name, value in slots_just_set.items()]
    return Tracker.from_dict(
        {
            "sender_id": "citizen-1",
            "slots": {"language": language, "requested_slot": requested_slot, **slots_just_set},
            "latest_message": {"text": "...", "intent": {"name": "inform"}},
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": "application_status_form"},
            "latest_action_name": "action_listen",
        }
    )


async def validate(slots: Dict[str, Any], requested_slot: str | None = "application_number"):
    dispatcher = CollectingDispatcher()
    events = await ValidateApplicationStatusForm(clock=lambda: NOW).run(
        dispatcher, form_tracker(slots, requested_slot), DOMAIN
    )
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return values, [m.get("utter_action") or m["response"] for m in dispatcher.messages]


@pytest.mark.parametrize(
    "typed", ["2026-0001019", "20260001019", "2026 000 1019", "제 번호는 2026-0001019예요"]
)
async def test_valid_numbers_are_kept_normalised(typed):
    values, responses = await validate({"application_number": typed})
    assert values["application_number"] == "2026-0001019"
    assert responses == []


async def test_wrong_check_digit_is_caught_before_any_lookup(tmp_path, monkeypatch):
    engine = create_schema(get_engine(f"sqlite:///{tmp_path}/t.db"))
    statements: List[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    monkeypatch.setattr("core.db.get_engine", lambda url=None: engine)
    monkeypatch.setattr("actions.status.get_engine", lambda url=None: engine)

    values, responses = await validate({"application_number": "2026-0001018"})

    assert values["application_number"] is None
    assert responses == ["utter_application_number_check_digit"]
    assert statements == []  # not a single query
    with session_scope(engine) as session:
        assert session.query(VerificationFailure).count() == 0


@pytest.mark.parametrize(
    "typed", ["hello", "2026-001019", "850312", "", "🙂", "'; DROP TABLE applications;--"]
)
async def test_badly_shaped_numbers_get_the_format_hint(typed):
    values, responses = await validate({"application_number": typed})
    assert values["application_number"] is None
    assert responses == ["utter_application_number_format"]


async def test_number_given_in_the_first_message_is_kept_so_the_form_asks_only_the_birth_date():
    # At activation the form validates the pre-filled slot; requested_slot is not set yet.
    values, responses = await validate({"application_number": "2026-0001019"}, requested_slot=None)
    assert values == {"application_number": "2026-0001019"}
    assert responses == []


def test_domain_maps_the_number_from_the_first_message():
    """From a status question, and from the number typed on its own (inform)."""
    mappings = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))["slots"]["application_number"][
        "mappings"
    ]
    assert {
        "type": "from_entity",
        "entity": "application_number",
        "intent": ["check_application_status", "inform"],
    } in mappings
    for mapping in mappings:
        if mapping["type"] == "from_text":
            assert "cancel" in mapping["not_intent"]  # so cancelling is not read as a number


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("1985-03-12", "1985-03-12"),
        ("850312", "1985-03-12"),
        ("1985년 3월 12일", "1985-03-12"),
        ("85년 3월 12일", "1985-03-12"),
        ("March 12, 1985", "1985-03-12"),
        ("생일은 1990.07.25 이에요", "1990-07-25"),
    ],
)
async def test_birth_dates_are_kept_as_iso(typed, stored):
    values, responses = await validate({"birth_date": typed}, requested_slot="birth_date")
    assert values["birth_date"] == stored
    assert responses == []


@pytest.mark.parametrize(
    "typed, response",
    [
        ("12/03/1985", "utter_birth_date_ambiguous"),
        ("1985-02-30", "utter_birth_date_impossible"),
        ("2030-01-01", "utter_birth_date_impossible"),
        ("생일이요", "utter_birth_date_format"),
        ("******-*******", "utter_status_resident_number_warning"),
        ("850312-1234567", "utter_status_resident_number_warning"),
    ],
)
async def test_birth_date_problems_get_a_hint(typed, response):
    values, responses = await validate({"birth_date": typed}, requested_slot="birth_date")
    assert values["birth_date"] is None
    assert responses == [response]


def test_every_hint_exists_in_both_languages():
    responses = {
        **yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))["responses"],
        **yaml.safe_load(RESPONSES_FILE.read_text(encoding="utf-8"))["responses"],
    }
    hints = [
        "utter_application_number_check_digit",
        "utter_application_number_format",
        "utter_birth_date_format",
        "utter_birth_date_ambiguous",
        "utter_birth_date_impossible",
        "utter_status_resident_number_warning",
        "utter_ask_application_number",
        "utter_ask_birth_date",
    ]
    for name in hints:
        languages = {variation["condition"][0]["value"] for variation in responses[name]}
        assert languages == {"ko", "en"}, name
    check_digit_ko = next(
        v["text"] for v in responses["utter_application_number_check_digit"] if "마지막" in v["text"]
    )
    assert "접수증에 적힌 번호를 다시 확인해 주세요" in check_digit_ko
