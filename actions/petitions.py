"""Petitions (issue 5): the right channel and a ready-to-paste draft.

``action_start_petition`` first checks that a petition is what the citizen
wants (a named catalogue service is answered instead; an unsure guess is
confirmed), says where the petition will go, works out the kind from the first
message (safety report, complaint, policy proposal or request for public
records) and keeps what the citizen already said (what, where, when). ``petition_form`` asks only
for what is missing; where and when may be skipped. ``action_draft_petition``
returns a title and body in the citizen's language holding their own words,
the channel's link (from the catalogue) and what happens next.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from actions.form_answers import SKIPPED, is_skip
from actions.form_questions import AskFormQuestion
from actions.forms import FORM_SLOTS, LeavableFormValidation
from actions.petition_drafts import (
    CHANNEL_SERVICE,
    KINDS,
    build_draft,
    citizen_words,
    classify_petition,
    find_place,
    find_time,
    is_descriptive,
)
from actions.responses import utter
from actions.service_answers import answer_named_service
from actions.service_context import CONTEXT_SLOT
from core.db import get_engine, session_scope
from knowledge.models import Service

logger = logging.getLogger(__name__)

KIND_SLOT = "petition_kind"
WHAT_SLOT = "petition_what"
WHERE_SLOT = "petition_where"
WHEN_SLOT = "petition_when"
PETITION_SLOTS = FORM_SLOTS["petition_form"]  # kind, what, where, when
STARTED_SLOT = "petition_started"
MAX_TEXT = 2000
# The petition form starts on a guess only this sure, or when the message says which kind.
PETITION_CONFIDENCE = 0.6

# Words of the draft itself, in the citizen's language.
DRAFT_LABELS: Dict[str, Dict[str, str]] = {
    "ko": {
        "kind_safety": "안전 신고",
        "kind_complaint": "민원",
        "kind_proposal": "정책 제안",
        "kind_records": "정보공개 청구",
        "what": "내용",
        "where": "장소",
        "when": "일시",
        "records_what": "청구 정보",
        "records_where": "대상 기관",
        "records_when": "대상 기간",
        "request_safety": "현장을 확인하시고 조치해 주시기 바랍니다.",
        "request_complaint": "검토하시고 답변해 주시기 바랍니다.",
        "request_proposal": "위 제안을 검토해 주시기 바랍니다.",
        "request_records": "위 정보의 공개를 청구합니다.",
    },
    "en": {
        "kind_safety": "Safety report",
        "kind_complaint": "Complaint",
        "kind_proposal": "Policy proposal",
        "kind_records": "Request for public records",
        "what": "What",
        "where": "Where",
        "when": "When",
        "records_what": "Information requested",
        "records_where": "Public body",
        "records_when": "Period",
        "request_safety": "Please inspect the site and take action.",
        "request_complaint": "Please look into this and reply.",
        "request_proposal": "Please consider this proposal.",
        "request_records": "I request disclosure of the information above.",
    },
}


def _language(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("language") == "en" else "ko"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _region_span(tracker: Tracker) -> Optional[str]:
    """The words the citizen used for a recognised region ("부산"), not its official name."""
    text = tracker.latest_message.get("text") or ""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "region" and isinstance(entity.get("start"), int):
            return text[entity["start"]: entity["end"]]
    return None


class ActionStartPetition(Action):
    """Decide whether this really is a petition, say where it will go, and keep what the
    first message already says (kind, what, where, when).

    A message that names a catalogue service ("전입신고 하려고요") is answered as a
    question about that service instead; an unsure guess is asked to confirm.
    Either way ``petition_started`` tells the rules whether the form starts.
    """

    def __init__(self, engine_factory: Callable[[], Engine] = get_engine) -> None:
        self._engine_factory = engine_factory

    def name(self) -> Text:
        return "action_start_petition"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):
            text = ""
        kind = classify_petition(text)
        if text:
            language = _language(tracker)
            try:
                named = await asyncio.to_thread(
                    answer_named_service, self._engine_factory(), text, "how_to_apply", language,
                    CHANNEL_SERVICE.values(),
                )
            except SQLAlchemyError as error:
                logger.error("petition service check failed: %s", type(error).__name__)
                named = None
            if named is not None:
                # "전입신고 하려고요": how to apply for that service, not a petition.
                service_id, answer = named
                utter(dispatcher, tracker, answer.response, **answer.values)
                return [SlotSet(STARTED_SLOT, False), SlotSet(CONTEXT_SLOT, service_id)]
            confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
            if kind is None and confidence < PETITION_CONFIDENCE:
                utter(dispatcher, tracker, "utter_petition_confirm")
                return [SlotSet(STARTED_SLOT, False)]
        # Forget an earlier petition's details (only those still set).
        events: List[EventType] = [SlotSet(slot, None) for slot in PETITION_SLOTS if tracker.get_slot(slot)]
        events.append(SlotSet(STARTED_SLOT, True))
        await self._introduce(dispatcher, tracker, kind)
        if kind:
            events.append(SlotSet(KIND_SLOT, kind))
        if is_descriptive(text):
            events.append(SlotSet(WHAT_SLOT, citizen_words(text)[:MAX_TEXT]))
            place = find_place(text, _region_span(tracker))
            if place and kind != "records":
                events.append(SlotSet(WHERE_SLOT, place))
            moment = find_time(text)
            if moment and kind != "records":
                events.append(SlotSet(WHEN_SLOT, moment))
        return events

    async def _introduce(self, dispatcher: CollectingDispatcher, tracker: Tracker, kind: Optional[str]) -> None:
        """Say first what the form is for and where the petition will go."""
        if kind is None:
            utter(dispatcher, tracker, "utter_petition_intro_any")
            return
        try:
            channel = await asyncio.to_thread(channel_details, self._engine_factory(), kind, _language(tracker))
        except SQLAlchemyError as error:
            logger.error("petition channel lookup failed: %s", type(error).__name__)
            channel = {}
        if channel.get("channel"):
            utter(dispatcher, tracker, "utter_petition_intro", channel=channel["channel"], link=channel["link"])
        else:
            utter(dispatcher, tracker, "utter_petition_intro_any")


class ActionAskPetitionQuestion(AskFormQuestion):
    """Ask a petition question, worded for the kind (a records request asks other things)."""

    def response_name(self, tracker: Tracker) -> str:
        """``utter_ask_<slot>``, or its ``_records`` variant for a records request."""
        suffix = "_records" if tracker.get_slot(KIND_SLOT) == "records" and self.slot != KIND_SLOT else ""
        return f"utter_ask_{self.slot}{suffix}"


class ActionAskPetitionKind(ActionAskPetitionQuestion):
    """Which kind of petition."""

    slot = KIND_SLOT


class ActionAskPetitionWhat(ActionAskPetitionQuestion):
    """What happened, or what is asked for."""

    slot = WHAT_SLOT


class ActionAskPetitionWhere(ActionAskPetitionQuestion):
    """Where (or which public body, for records)."""

    slot = WHERE_SLOT


class ActionAskPetitionWhen(ActionAskPetitionQuestion):
    """When (or which period, for records)."""

    slot = WHEN_SLOT


class ValidatePetitionForm(LeavableFormValidation):
    """The kind must be clear and the matter described; where and when may be skipped."""

    def name(self) -> Text:
        return "validate_petition_form"

    def validate_petition_kind(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        """One of safety, complaint, proposal, records."""
        if slot_value is None:
            return {KIND_SLOT: None}  # cleared, not answered: the form asks
        value = _text(slot_value)
        kind = value if value in KINDS else classify_petition(value)
        if kind is None:
            utter(dispatcher, tracker, "utter_petition_kind_not_understood")
        return {KIND_SLOT: kind}

    def validate_petition_what(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        """The citizen's description, as typed (resident numbers masked); it cannot be skipped."""
        if slot_value is None:
            return {WHAT_SLOT: None}  # cleared, not answered: the form asks
        text = citizen_words(_text(slot_value))
        if not text or (is_skip(text) and len(text) < 20):
            utter(dispatcher, tracker, "utter_petition_what_needed")
            return {WHAT_SLOT: None}
        return {WHAT_SLOT: text[:MAX_TEXT]}

    def _optional(self, slot: str, slot_value: Any) -> Dict[Text, Any]:
        if slot_value is None:
            return {slot: None}  # cleared, not answered: the form asks
        text = citizen_words(_text(slot_value))
        if not text or is_skip(text):
            return {slot: SKIPPED}
        return {slot: text[:MAX_TEXT]}

    def validate_petition_where(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        """Where, as typed, or skipped."""
        return self._optional(WHERE_SLOT, slot_value)

    def validate_petition_when(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> Dict[Text, Any]:
        """When, as typed, or skipped."""
        return self._optional(WHEN_SLOT, slot_value)


def channel_details(engine: Engine, kind: str, language: str) -> Dict[str, str]:
    """The channel's name, link and processing time from the catalogue (blocking)."""
    with session_scope(engine) as session:
        service = session.get(Service, CHANNEL_SERVICE[kind])
        if service is None:
            return {"channel": "", "link": "", "processing_time": ""}
        return {
            "channel": service.name(language),
            "link": service.official_link(),
            "processing_time": service.text("processing_time", language) or "",
        }


class ActionDraftPetition(Action):
    """The ready-to-paste draft, the channel to paste it into and what happens next."""

    def __init__(self, engine_factory: Callable[[], Engine] = get_engine) -> None:
        self._engine_factory = engine_factory

    def name(self) -> Text:
        return "action_draft_petition"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = _language(tracker)
        kind = tracker.get_slot(KIND_SLOT)
        what = _text(tracker.get_slot(WHAT_SLOT))
        if kind not in KINDS or not what:
            utter(dispatcher, tracker, "utter_petition_what_needed")
            return [SlotSet(slot, None) for slot in PETITION_SLOTS]

        def given(slot: str) -> Optional[str]:
            value = _text(tracker.get_slot(slot))
            return value if value and value != SKIPPED else None

        draft = build_draft(kind, what, given(WHERE_SLOT), given(WHEN_SLOT), DRAFT_LABELS[language])
        channel: Dict[str, Any]
        try:
            channel = await asyncio.to_thread(channel_details, self._engine_factory(), kind, language)
        except SQLAlchemyError as error:
            logger.error("petition channel lookup failed: %s", type(error).__name__)
            channel = {"channel": "", "link": "", "processing_time": ""}
        utter(
            dispatcher,
            tracker,
            f"utter_petition_draft_{kind}",
            petition_kind=kind,
            title=draft.title,
            body=draft.body,
            **channel,
        )
        return [SlotSet(slot, None) for slot in PETITION_SLOTS]
