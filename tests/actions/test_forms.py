"""Forms never trap: leaving for another request, unsure requests as answers, the offer to stop."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ValidateFeedbackCommentForm
from actions.forms import (
    FORM_OWN_INTENTS,
    FORM_SLOTS,
    LEAVE_FORM_INTENTS,
    MISUNDERSTOOD_SLOT,
    ActionLeaveForm,
    kept_out_intents,
    leaving_intents,
)
from actions.petitions import ValidatePetitionForm
from actions.routing import ValidateBenefitsForm
from actions.status import ValidateApplicationStatusForm
from tests.records.trackers import make_tracker

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_FILES = [yaml.safe_load(p.read_text(encoding="utf-8")) or {} for p in sorted((ROOT / "bot" / "domain").glob("*.yml"))]
DOMAIN = {name: spec for data in DOMAIN_FILES for name, spec in (data.get("slots") or {}).items()}
FORMS_DOMAIN = {"slots": DOMAIN, "forms": {n: f for data in DOMAIN_FILES for n, f in (data.get("forms") or {}).items()}}


def form_tracker(text: str, intent: str, confidence: float, form: str, requested: str, **slots: Any):
    tracker = make_tracker(text, intent, slots={"requested_slot": requested, **slots}, active_loop=form)
    tracker.latest_message["intent"]["confidence"] = confidence
    return tracker


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def test_every_free_text_form_slot_keeps_out_the_requests_that_leave_its_form() -> None:
    checked = 0
    for slot, spec in DOMAIN.items():
        for mapping in spec.get("mappings") or []:
            if mapping.get("type") != "from_text":
                continue
            form = next(c["active_loop"] for c in mapping["conditions"] if c.get("active_loop"))
            assert set(mapping["not_intent"]) == set(kept_out_intents(form)), slot
            checked += 1
    assert checked >= 14


def test_a_form_is_never_left_for_the_request_it_exists_for() -> None:
    assert "check_application_status" not in leaving_intents("application_status_form")
    assert "file_petition" not in leaving_intents("petition_form")
    assert "ask_service_fee" in leaving_intents("petition_form")
    assert set(FORM_OWN_INTENTS) == set(FORM_SLOTS)
    assert all(set(own) <= set(LEAVE_FORM_INTENTS) for own in FORM_OWN_INTENTS.values())


def test_the_generated_form_exit_rules_are_up_to_date() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("form_exit_rules", ROOT / "scripts" / "form_exit_rules.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0, "run: python scripts/form_exit_rules.py"
    rules = yaml.safe_load(module.OUTPUT.read_text(encoding="utf-8"))["rules"]
    pairs = {(rule["condition"][0]["active_loop"], rule["steps"][0]["intent"]) for rule in rules}
    for form in FORM_SLOTS:
        for intent in leaving_intents(form):
            assert (form, intent) in pairs
    for rule in rules:
        assert rule["steps"][1] == {"action": "action_leave_form"}


@pytest.mark.parametrize("form", sorted(FORM_SLOTS))
async def test_leaving_a_form_says_so_and_forgets_its_answers(form: str) -> None:
    slots = {slot: "something" for slot in FORM_SLOTS[form]}
    tracker = make_tracker("여권 수수료 얼마예요", "ask_service_fee", slots=slots, active_loop=form)
    dispatcher = CollectingDispatcher()
    events = await ActionLeaveForm().run(dispatcher, tracker, {})
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in events if e["event"] == "active_loop"
    ]
    values = slot_events(events)
    assert all(values[slot] is None for slot in FORM_SLOTS[form])
    assert values["requested_slot"] is None
    assert dispatcher.messages[0]["utter_action"] == f"utter_left_{form}"
    assert re.search(r"[가-힣]", dispatcher.messages[0]["text"])


async def test_an_unsure_request_counts_as_the_answer_to_the_question() -> None:
    form = ValidatePetitionForm()
    text = "시청 앞 도로에 구멍이 크게 났어요 어디로 가야 하나"
    tracker = form_tracker(text, "ask_service_where", 0.45, "petition_form", "petition_what", petition_kind="safety")
    events = await form.run(CollectingDispatcher(), tracker, FORMS_DOMAIN)
    assert slot_events(events)["petition_what"] == text


async def test_a_clear_request_is_not_taken_as_an_answer() -> None:
    form = ValidatePetitionForm()
    tracker = form_tracker("여권 수수료 얼마예요", "ask_service_fee", 0.93, "petition_form", "petition_what",
                           petition_kind="safety")
    events = await form.run(CollectingDispatcher(), tracker, FORMS_DOMAIN)
    assert "petition_what" not in slot_events(events)  # nothing filled: the form rejects, the rules take over


async def test_a_comment_form_keeps_comments_that_sound_like_questions() -> None:
    form = ValidateFeedbackCommentForm()
    text = "수수료 안내가 틀렸어요"
    tracker = form_tracker(text, "ask_service_fee", 0.7, "feedback_comment_form", "feedback_comment")
    events = await form.run(CollectingDispatcher(), tracker, FORMS_DOMAIN)
    assert slot_events(events)["feedback_comment"] == text


async def test_two_answers_in_a_row_not_understood_bring_the_offer_to_stop() -> None:
    form = ValidateBenefitsForm()
    first = form_tracker("글쎄요 음", "nlu_fallback", 0.2, "benefits_form", "benefits_age")
    first.add_slots([{"event": "slot", "name": "benefits_age", "value": "글쎄요 음"}])
    dispatcher = CollectingDispatcher()
    events = await form.run(dispatcher, first, FORMS_DOMAIN)
    assert slot_events(events)[MISUNDERSTOOD_SLOT] == 1
    assert "utter_form_offer_stop" not in [m.get("utter_action") for m in dispatcher.messages]

    second = form_tracker("음 글쎄", "nlu_fallback", 0.2, "benefits_form", "benefits_age", form_misunderstood=1)
    second.add_slots([{"event": "slot", "name": "benefits_age", "value": "음 글쎄"}])
    dispatcher = CollectingDispatcher()
    events = await form.run(dispatcher, second, FORMS_DOMAIN)
    offer = [m for m in dispatcher.messages if m.get("utter_action") == "utter_form_offer_stop"]
    assert offer and offer[0]["buttons"][0]["payload"] == "/cancel"
    assert slot_events(events)[MISUNDERSTOOD_SLOT] is None  # counting starts again


async def test_an_understood_answer_resets_the_count() -> None:
    form = ValidateApplicationStatusForm()
    tracker = form_tracker("2026-0012347", "inform", 0.9, "application_status_form", "application_number",
                           form_misunderstood=1)
    tracker.add_slots([{"event": "slot", "name": "application_number", "value": "2026-0012347"}])
    events = await form.run(CollectingDispatcher(), tracker, FORMS_DOMAIN)
    values = slot_events(events)
    assert values["application_number"] == "2026-0012347"
    assert values[MISUNDERSTOOD_SLOT] is None


@pytest.mark.parametrize(
    ("form", "requested", "text", "intent"),
    [
        (ValidateBenefitsForm, "benefits_employment", "은퇴했어요", "report_life_event"),
        (ValidatePetitionForm, "petition_what", "the clerk refused to take my application form",
         "check_application_status"),
        (ValidatePetitionForm, "petition_where", "Mapo-gu Office", "ask_service_where"),
    ],
)
async def test_a_confident_guess_that_reads_as_a_plain_statement_is_the_answer(
    form: Any, requested: str, text: str, intent: str
) -> None:
    action = form()
    loop = action.name().removeprefix("validate_")
    tracker = form_tracker(text, intent, 0.92, loop, requested, petition_kind="complaint")
    events = await action.run(CollectingDispatcher(), tracker, FORMS_DOMAIN)
    assert requested in slot_events(events)
