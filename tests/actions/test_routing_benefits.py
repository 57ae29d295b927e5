"""The benefits form: answers read in natural forms, and recommendations from the catalogue rules."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions import form_answers as answers
from actions.forms import ActionCancelForm
from actions.routing import BENEFIT_SLOTS, ActionRecommendBenefits, ValidateBenefitsForm
from knowledge.importer import set_service_field
from tests.records.trackers import make_tracker, seeded_engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return seeded_engine(tmp_path)


@pytest.mark.parametrize(("text", "age"), [("67", 67), ("만 67세", 67), ("67살이에요", 67), ("sixty-seven", 67),
                                           ("I'm 30 years old", 30), ("서른", None), ("200", None)])
def test_age_in_natural_forms(text: str, age: Any) -> None:
    assert answers.parse_age(text) == age


@pytest.mark.parametrize(
    ("text", "children", "months"),
    [("애 둘, 막내 3살", 2, 36), ("아이 하나 6개월", 1, 6), ("없어요", 0, None), ("자녀 없어요", 0, None),
     ("2 kids, youngest is 3", 2, 36), ("no children", 0, None), ("세 명이에요", 3, None), ("1명", 1, None)],
)
def test_household_in_natural_forms(text: str, children: int, months: Any) -> None:
    assert answers.parse_household(text) == answers.Household(children, months)


@pytest.mark.parametrize(
    ("text", "value"),
    [("무직이에요", "unemployed"), ("unemployed", "unemployed"), ("일자리 찾는 중", "unemployed"),
     ("회사 다녀요", "employed"), ("자영업", "self_employed"), ("은퇴했어요", "retired"), ("Student", "student"),
     ("주부", "homemaker"), ("글쎄요", None)],
)
def test_employment_in_natural_forms(text: str, value: Any) -> None:
    assert answers.parse_employment(text) == value


@pytest.mark.parametrize("text", ["건너뛰기", "몰라요", "잘 모르겠어요", "skip", "Skip", "pass", "I'd rather not say"])
def test_skip_words(text: str) -> None:
    assert answers.is_skip(text)


def test_yes_no_and_nationality() -> None:
    assert answers.parse_disability("네") is True and answers.parse_disability("아니요") is False
    assert answers.parse_disability("no") is False and answers.parse_disability("yes") is True
    assert answers.parse_foreign_resident("네, 외국인이에요") is True
    assert answers.parse_foreign_resident("아니요, 한국 국적이에요") is False
    assert answers.parse_foreign_resident("No, I'm Korean") is False


def test_facts_leave_skipped_answers_unknown_and_no_children_match_no_child_rule() -> None:
    facts = answers.facts_from_answers(
        {"age": "67", "region": "skipped", "children": "0", "youngest_child": "none", "employment": "retired",
         "disability": "no", "foreign_resident": "no", "income": "skipped"}
    )
    assert facts == {"age": 67, "children_count": 0, "youngest_child_age_months": math.inf,
                     "employment": "retired", "disability": False, "foreign_resident": False}


def _validate(slot: str, value: str, **slots: Any) -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(value, slots={"requested_slot": slot, slot: value, **slots}, active_loop="benefits_form")
    method = getattr(ValidateBenefitsForm(), f"validate_{slot}")
    result = method(value, dispatcher, tracker, {})
    result["_messages"] = dispatcher.messages
    return result


def test_validator_stores_normalised_answers_or_asks_again() -> None:
    assert _validate("benefits_age", "만 67세")["benefits_age"] == "67"
    assert _validate("benefits_age", "건너뛰기")["benefits_age"] == "skipped"
    unclear = _validate("benefits_age", "음...")
    assert unclear["benefits_age"] is None
    assert unclear["_messages"][0]["utter_action"] == "utter_benefits_not_understood"
    household = _validate("benefits_children", "애 둘, 막내 3살")
    assert household["benefits_children"] == "2" and household["benefits_youngest_child"] == "36"
    # count only: the youngest child's age is left for its own question
    assert "benefits_youngest_child" not in _validate("benefits_children", "2명")
    assert _validate("benefits_children", "없어요")["benefits_youngest_child"] == "none"
    assert _validate("benefits_income", "낮은 편")["benefits_income"] == "low"


def profile(**answers_by_slot: str) -> Dict[str, str]:
    """Every benefits slot, skipped unless given."""
    slots = {slot: "skipped" for slot in BENEFIT_SLOTS}
    slots.update({f"benefits_{name}": value for name, value in answers_by_slot.items()})
    return slots


async def recommend(engine: Engine, language: str = "ko", **answers_by_slot: str) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("", slots={"language": language, **profile(**answers_by_slot)})
    events = await ActionRecommendBenefits(lambda: engine).run(dispatcher, tracker, {})
    assert all(isinstance(event, dict) and event.get("value") is None for event in events)  # answers forgotten
    assert {event["name"] for event in events} == set(BENEFIT_SLOTS)
    return dispatcher.messages


def _matched(messages: List[Dict[str, Any]]) -> Dict[str, Any]:
    return next(m for m in messages if m.get("utter_action") == "utter_benefits_matched")


async def test_a_67_year_old_gets_the_basic_pension_with_the_age_reason(engine: Engine) -> None:
    messages = await recommend(engine, age="67", children="0", youngest_child="none", employment="retired",
                               disability="no", foreign_resident="no", income="middle")
    matched = _matched(messages)
    assert "basic_pension" in matched["matched_ids"]
    line = next(line for line in matched["text"].splitlines() if "기초연금" in line)
    assert "만 65세 이상이시고" in line and "신청 대상일 수 있어요" in line
    assert {"title": "기초연금", "payload": '/ask_service_overview{"service": "basic_pension"}'} in matched["buttons"]


async def test_in_english_the_reason_is_english(engine: Engine) -> None:
    messages = await recommend(engine, "en", age="67", foreign_resident="no", income="low")
    line = next(line for line in _matched(messages)["text"].splitlines() if "Basic pension" in line or
                "basic pension" in line.lower())
    assert "you are 65 or older" in line.lower()


async def test_a_30_year_old_does_not_get_the_basic_pension(engine: Engine) -> None:
    messages = await recommend(engine, age="30", children="0", youngest_child="none", employment="employed",
                               disability="no", foreign_resident="no", income="middle")
    matched = _matched(messages)
    assert "basic_pension" not in matched["matched_ids"]
    assert "기초연금" not in matched["text"]
    assert "youth_monthly_rent_support" in matched["matched_ids"]  # 19-34 with a median income
    pending = [m for m in messages if m.get("utter_action") == "utter_benefits_pending"]
    assert not pending or "기초연금" not in pending[0]["text"]


async def test_skipped_income_puts_the_pension_under_what_income_would_decide(engine: Engine) -> None:
    messages = await recommend(engine, age="67", foreign_resident="no", income="skipped")
    assert "basic_pension" not in _matched(messages)["matched_ids"]
    pending = next(m for m in messages if m.get("utter_action") == "utter_benefits_pending")
    line = next(line for line in pending["text"].splitlines() if "기초연금" in line)
    assert line.startswith("• 소득 정보를 알려 주시면 확인할 수 있어요:")
    assert ["income_band"] in pending["pending_facts"]


async def test_everything_skipped_lists_only_what_depends_on_the_answers(engine: Engine) -> None:
    messages = await recommend(engine)
    assert [m["utter_action"] for m in messages] == ["utter_benefits_none_matched", "utter_benefits_pending"]


async def test_a_rule_changed_in_the_catalogue_changes_the_recommendation_at_once(engine: Engine) -> None:
    answers_60 = dict(age="60", foreign_resident="no", income="middle")
    assert "basic_pension" not in _matched(await recommend(engine, **answers_60))["matched_ids"]
    new_rules = {"all": [
        {"fact": "age", "op": ">=", "value": 60, "reason": {"ko": "만 60세 이상이시고", "en": "you are 60 or older"}},
        {"fact": "foreign_resident", "op": "==", "value": False,
         "reason": {"ko": "국내에 거주하는 국민이시고", "en": "you are a Korean national"}},
    ]}
    set_service_field(engine, "basic_pension", "eligibility.rules", new_rules, actor="test")
    matched = _matched(await recommend(engine, **answers_60))
    assert "basic_pension" in matched["matched_ids"]
    assert "만 60세 이상이시고" in matched["text"]


async def test_cancel_stops_the_form_and_forgets_the_answers() -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("취소", intent="cancel", slots={"benefits_age": "67"}, active_loop="benefits_form")
    events = await ActionCancelForm().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["utter_action"] == "utter_form_cancelled"
    assert ActiveLoop(None) in events
    assert SlotSet("benefits_age", None) in events
