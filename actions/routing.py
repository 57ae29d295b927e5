"""Services tailored to the citizen's situation (issue 5).

* A life event ("아기를 낳았어요", "we just moved to Busan"): the ordered
  checklist of services from the catalogue, one button per service.
* An eligibility profile: the form ``benefits_form`` asks age, region,
  household, work, disability, nationality and (optionally) income; every
  question can be skipped. The catalogue's structured rules are then evaluated
  against the answers, at the moment of the question.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from actions import form_answers as answers
from actions.form_answers import NONE, SKIPPED, is_skip
from actions.form_questions import AskFormQuestion
from actions.forms import FORM_SLOTS, LeavableFormValidation
from actions.life_events import build_checklist, event_names, resolve_life_event
from actions.recommendations import Recommendation, facts_label, reason_line, recommend
from actions.responses import render, utter
from actions.service_answers import answer_named_service, named_service
from actions.service_context import CONTEXT_SLOT
from core.db import get_engine

logger = logging.getLogger(__name__)

BENEFITS_FORM = "benefits_form"
BENEFIT_SLOTS = FORM_SLOTS[BENEFITS_FORM]
MAX_LISTED = 10
MOVING_EVENT = "moving"


def _language(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("language") == "en" else "ko"


def _latest_region(tracker: Tracker) -> Optional[str]:
    values = [value for value in tracker.get_latest_entity_values("region") if isinstance(value, str)]
    return values[-1] if values else None


def _service_button(service_id: str, title: str) -> Dict[str, str]:
    return {"title": title, "payload": f"/ask_service_overview{json.dumps({'service': service_id})}"}


class ActionListLifeEventServices(Action):
    """Reply to a life event with the ordered services to take care of."""

    def __init__(self, engine_factory: Callable[[], Engine] = get_engine) -> None:
        self._engine_factory = engine_factory

    def name(self) -> Text:
        return "action_list_life_event_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = _language(tracker)
        engine = self._engine_factory()
        entities = list(tracker.get_latest_entity_values("life_event"))
        text = tracker.latest_message.get("text") or ""
        try:
            event_id = await asyncio.to_thread(resolve_life_event, engine, entities, text)
            checklist = await asyncio.to_thread(build_checklist, engine, event_id, language) if event_id else None
            if checklist is None or not checklist.items:
                # "lost my driving licence, what now": not a life event but a service.
                named = None if event_id else await asyncio.to_thread(
                    answer_named_service, engine, text, "how_to_apply", language
                )
                if named is not None:
                    service_id, answer = named
                    utter(dispatcher, tracker, answer.response, **answer.values)
                    return [SlotSet(CONTEXT_SLOT, service_id)]
                choices = await asyncio.to_thread(event_names, engine, language)
                buttons = [
                    {"title": name, "payload": f"/report_life_event{json.dumps({'life_event': event})}"}
                    for event, name in choices
                ]
                utter(dispatcher, tracker, "utter_life_event_ask_which", buttons=buttons)
                return []
        except SQLAlchemyError as error:
            logger.error("life event lookup failed: %s", type(error).__name__)
            utter(dispatcher, tracker, "utter_routing_unavailable")
            return []
        region = _latest_region(tracker) or tracker.get_slot("region")
        lines = "\n".join(f"{n}. {item.name} — {item.summary}" for n, item in enumerate(checklist.items, 1))
        notes = []
        if region:
            note = "life_event_region_moving" if checklist.event_id == MOVING_EVENT else "life_event_region"
            notes.append(render(note, language, {"region": region})["text"])
        if checklist.birth_onestop:
            notes.append(render("life_event_birth_onestop", language, {"covers": checklist.birth_onestop})["text"])
        utter(
            dispatcher,
            tracker,
            "utter_life_event_checklist",
            buttons=[_service_button(item.service_id, item.name) for item in checklist.items],
            life_event=checklist.event_id,
            event_name=checklist.name,
            description=checklist.description,
            checklist=lines,
            notes="\n\n".join(notes),
            service_ids=[item.service_id for item in checklist.items],
        )
        # "이사왔는데 전입신고 해야되죠": the service named stays in context for follow-ups.
        named_id = await asyncio.to_thread(named_service, engine, text)
        if named_id in {item.service_id for item in checklist.items}:
            return [SlotSet(CONTEXT_SLOT, named_id)]
        return []


class ActionAskBenefitsQuestion(AskFormQuestion):
    """A question of the benefits form, with buttons for common answers and Skip."""


class ActionAskBenefitsAge(ActionAskBenefitsQuestion):
    """How old are you?"""

    slot = "benefits_age"


class ActionAskBenefitsRegion(ActionAskBenefitsQuestion):
    """Where do you live?"""

    slot = "benefits_region"


class ActionAskBenefitsChildren(ActionAskBenefitsQuestion):
    """Children: how many, and the youngest one's age."""

    slot = "benefits_children"


class ActionAskBenefitsYoungestChild(ActionAskBenefitsQuestion):
    """The youngest child's age, when the household answer did not say."""

    slot = "benefits_youngest_child"


class ActionAskBenefitsEmployment(ActionAskBenefitsQuestion):
    """Work situation."""

    slot = "benefits_employment"


class ActionAskBenefitsDisability(ActionAskBenefitsQuestion):
    """Disability."""

    slot = "benefits_disability"


class ActionAskBenefitsForeignResident(ActionAskBenefitsQuestion):
    """Foreign resident or Korean national."""

    slot = "benefits_foreign_resident"


class ActionAskBenefitsIncome(ActionAskBenefitsQuestion):
    """Household income band (optional)."""

    slot = "benefits_income"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _yes_no(value: Optional[bool]) -> Optional[str]:
    return None if value is None else ("yes" if value else "no")


class ValidateBenefitsForm(LeavableFormValidation):
    """Reads each answer in natural form; a skip keeps the fact unknown.

    The household answer also fills the youngest child's age when it says it
    (or "none" without children), so that question is asked only when needed.
    """

    def name(self) -> Text:
        return "validate_benefits_form"

    def _read(self, slot: str, value: Any, parsed: Optional[str], dispatcher: CollectingDispatcher,
              tracker: Tracker) -> Dict[Text, Any]:
        if value is None:
            return {slot: None}  # cleared, not answered: the form asks
        if is_skip(_text(value)):
            return {slot: SKIPPED}
        if parsed is None:
            utter(dispatcher, tracker, "utter_benefits_not_understood")
            return {slot: None}
        return {slot: parsed}

    def validate_benefits_age(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> Dict[Text, Any]:
        """Age in years, 0-120."""
        age = answers.parse_age(_text(slot_value))
        return self._read("benefits_age", slot_value, None if age is None else str(age), dispatcher, tracker)

    def validate_benefits_region(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        """The official region name when recognised, else the words given."""
        region = answers.parse_region(_text(slot_value), _latest_region(tracker))
        return self._read("benefits_region", slot_value, region, dispatcher, tracker)

    def validate_benefits_children(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        """Number of children; the youngest's age in months too when said."""
        if slot_value is None:
            return {"benefits_children": None}  # cleared, not answered: the form asks
        text = _text(slot_value)
        if is_skip(text):
            return {"benefits_children": SKIPPED, "benefits_youngest_child": SKIPPED}
        household = answers.parse_household(text)
        if household is None:
            utter(dispatcher, tracker, "utter_benefits_not_understood")
            return {"benefits_children": None}
        result: Dict[Text, Any] = {"benefits_children": str(household.children)}
        if household.children == 0:
            result["benefits_youngest_child"] = NONE
        elif household.youngest_months is not None:
            result["benefits_youngest_child"] = str(household.youngest_months)
        return result

    def validate_benefits_youngest_child(self, slot_value: Any, dispatcher: CollectingDispatcher,
                                         tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """The youngest child's age in months."""
        if _text(slot_value) in (NONE, SKIPPED) or str(slot_value).isdigit():
            return {"benefits_youngest_child": str(slot_value)}  # set by the household answer
        months = answers.parse_child_age_months(_text(slot_value))
        parsed = None if months is None else str(months)
        return self._read("benefits_youngest_child", slot_value, parsed, dispatcher, tracker)

    def validate_benefits_employment(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        """employed, unemployed, self_employed, student, retired or homemaker."""
        parsed = answers.parse_employment(_text(slot_value))
        return self._read("benefits_employment", slot_value, parsed, dispatcher, tracker)

    def validate_benefits_disability(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        """yes or no."""
        parsed = _yes_no(answers.parse_disability(_text(slot_value)))
        return self._read("benefits_disability", slot_value, parsed, dispatcher, tracker)

    def validate_benefits_foreign_resident(self, slot_value: Any, dispatcher: CollectingDispatcher,
                                           tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """yes (a foreign resident) or no (a Korean national)."""
        parsed = _yes_no(answers.parse_foreign_resident(_text(slot_value)))
        return self._read("benefits_foreign_resident", slot_value, parsed, dispatcher, tracker)

    def validate_benefits_income(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        """low, middle or high."""
        parsed = answers.parse_income_band(_text(slot_value))
        return self._read("benefits_income", slot_value, parsed, dispatcher, tracker)


def benefit_answers(tracker: Tracker) -> Dict[str, Optional[str]]:
    """The form's answers keyed by the names :func:`facts_from_answers` expects."""
    return {slot[len("benefits_"):]: tracker.get_slot(slot) for slot in BENEFIT_SLOTS}


def clear_benefit_slots() -> List[EventType]:
    """Forget the answers, so the next search starts afresh."""
    return [SlotSet(slot, None) for slot in BENEFIT_SLOTS]


def _result_messages(result: Recommendation, language: str) -> Dict[str, str]:
    lines = [
        f"{n}. {match.name} — {reason_line(match.reasons, language)}"
        for n, match in enumerate(result.matched[:MAX_LISTED], 1)
    ]
    hidden = len(result.matched) - MAX_LISTED
    if hidden > 0:
        lines.append(render("benefits_more", language, {"count": hidden})["text"])
    pending = [
        render("benefits_pending_line", language, {"facts": facts_label(facts, language),
                                                   "services": ", ".join(names)})["text"]
        for facts, names in result.pending.items()
    ]
    return {"matched": "\n".join(lines), "pending": "\n".join(pending)}


class ActionRecommendBenefits(Action):
    """After the form: the services that match, with reasons, and those that depend on skipped facts."""

    def __init__(self, engine_factory: Callable[[], Engine] = get_engine) -> None:
        self._engine_factory = engine_factory

    def name(self) -> Text:
        return "action_recommend_benefits"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = _language(tracker)
        facts = answers.facts_from_answers(benefit_answers(tracker))
        try:
            result = await asyncio.to_thread(recommend, self._engine_factory(), facts, language)
        except SQLAlchemyError as error:
            logger.error("benefit recommendation failed: %s", type(error).__name__)
            utter(dispatcher, tracker, "utter_routing_unavailable")
            return clear_benefit_slots()
        texts = _result_messages(result, language)
        if result.matched:
            utter(
                dispatcher,
                tracker,
                "utter_benefits_matched",
                buttons=[_service_button(match.service_id, match.name) for match in result.matched[:MAX_LISTED]],
                matched=texts["matched"],
                matched_ids=[match.service_id for match in result.matched],
            )
        else:
            utter(dispatcher, tracker, "utter_benefits_none_matched")
        if result.pending:
            utter(
                dispatcher,
                tracker,
                "utter_benefits_pending",
                pending=texts["pending"],
                pending_facts=[list(facts) for facts in result.pending],
            )
        return clear_benefit_slots()
