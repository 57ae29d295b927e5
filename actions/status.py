"""Application status, only for the applicant (issue 4).

The form ``application_status_form`` asks for the application number and then
the applicant's birth date. :class:`ValidateApplicationStatusForm` catches a
wrong check digit and an unreadable or impossible date before anything is looked
up. :class:`ActionCheckApplicationStatus` verifies ownership and answers in the
citizen's language; :class:`ActionCancelApplicationStatus` stops the form.

Whatever happens, the number and birth date do not stay in the slots after the
lookup ends, and they are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import date
from typing import Any, Callable, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from actions.forms import LeavableFormValidation
from actions.notices import NoticeOffers
from actions.responses import utter
from applications.birthdates import BirthDateError, BirthDateProblem, parse_birth_date
from applications.clock import Clock, korean_date, utc_now
from applications.hashing import BirthDateHasher
from applications.numbers import ApplicationNumberError, NumberProblem, parse_application_number
from applications.replies import status_reply
from applications.verification import (
    DEFAULT_POLICY,
    LockoutPolicy,
    Outcome,
    VerificationResult,
    check_application,
)
from core.db import get_engine
from core.privacy import contains_resident_number_mask, mask_resident_numbers
from records.notice_offers import offer_key

logger = logging.getLogger(__name__)

FORM_NAME = "application_status_form"
NUMBER_SLOT = "application_number"
BIRTH_DATE_SLOT = "birth_date"
REQUESTED_SLOT = "requested_slot"

NOT_VERIFIED_RESPONSE = "utter_application_not_verified"
LOCKED_RESPONSE = "utter_application_lookup_locked"
UNAVAILABLE_RESPONSE = "utter_application_lookup_unavailable"
CANCELLED_RESPONSE = "utter_application_status_cancelled"
RESIDENT_NUMBER_RESPONSE = "utter_status_resident_number_warning"

_NUMBER_PROBLEM_RESPONSES = {
    NumberProblem.FORMAT: "utter_application_number_format",
    NumberProblem.CHECK_DIGIT: "utter_application_number_check_digit",
}
_BIRTH_DATE_PROBLEM_RESPONSES = {
    BirthDateProblem.UNRECOGNISED: "utter_birth_date_format",
    BirthDateProblem.AMBIGUOUS: "utter_birth_date_ambiguous",
    BirthDateProblem.IMPOSSIBLE: "utter_birth_date_impossible",
}


def clear_lookup_slots() -> List[EventType]:
    """Events that forget the number and the birth date."""
    return [SlotSet(NUMBER_SLOT, None), SlotSet(BIRTH_DATE_SLOT, None)]


def _as_text(value: Any) -> str:
    """A slot value as text: entity extraction may give a list or a non-string."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), "")
    return value if isinstance(value, str) else ""


def _has_resident_number(text: str) -> bool:
    return contains_resident_number_mask(text) or mask_resident_numbers(text).found_resident_number


class ActionAskApplicationNumber(Action):
    """The form's question for the application number."""

    def name(self) -> str:
        return "action_ask_application_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        utter(dispatcher, tracker, "utter_ask_application_number")
        return []


class ActionAskBirthDate(Action):
    """The form's question for the applicant's birth date."""

    def name(self) -> str:
        return "action_ask_birth_date"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        utter(dispatcher, tracker, "utter_ask_birth_date")
        return []


class ValidateApplicationStatusForm(LeavableFormValidation):
    """Checks the number's shape and check digit and the birth date; no database access."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock

    def name(self) -> str:
        return "validate_application_status_form"

    def validate_application_number(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Keep the normalised number ("2026-0012347") or clear it with a hint."""
        text = _as_text(slot_value)
        if _has_resident_number(text):
            dispatcher.utter_message(response=RESIDENT_NUMBER_RESPONSE)
            return {NUMBER_SLOT: None}
        try:
            number = parse_application_number(text)
        except ApplicationNumberError as error:
            utter(dispatcher, tracker, _NUMBER_PROBLEM_RESPONSES[error.problem])
            return {NUMBER_SLOT: None}
        return {NUMBER_SLOT: str(number)}

    def validate_birth_date(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Keep the date as "YYYY-MM-DD" or clear it with a hint naming the accepted formats."""
        text = _as_text(slot_value)
        if _has_resident_number(text):
            dispatcher.utter_message(response=RESIDENT_NUMBER_RESPONSE)
            return {BIRTH_DATE_SLOT: None}
        try:
            birth_date = parse_birth_date(text, today=korean_date(self._clock()))
        except BirthDateError as error:
            utter(dispatcher, tracker, _BIRTH_DATE_PROBLEM_RESPONSES[error.problem])
            return {BIRTH_DATE_SLOT: None}
        return {BIRTH_DATE_SLOT: birth_date.isoformat()}


class ActionCheckApplicationStatus(Action):
    """Verifies the applicant and tells them their application's status.

    An unknown number and a wrong birth date get the same reply; a lockout gets
    a reply that says nothing about the number. After a verified answer about
    an application that can still change, the citizen is offered notices
    (:class:`actions.notices.NoticeOffers`: on a messenger that can push, or a
    pointer to one on the web page). The database work runs in a thread so the
    action server's event loop never blocks.
    """

    def __init__(
        self,
        engine_factory: Callable[[], Engine] = get_engine,
        clock: Clock = utc_now,
        hasher_factory: Callable[[], BirthDateHasher] = BirthDateHasher.from_settings,
        policy: LockoutPolicy = DEFAULT_POLICY,
        offers: NoticeOffers | None = None,
    ) -> None:
        self._engine_factory = engine_factory
        self._clock = clock
        self._hasher_factory = hasher_factory
        self._policy = policy
        self._hasher: BirthDateHasher | None = None
        self._hasher_lock = threading.Lock()
        # The offer key derives from the same secret as the birth-date hashes.
        self._offers = offers or NoticeOffers(
            engine_factory, clock, key_factory=lambda: offer_key(self._hasher_once().pepper)
        )

    def name(self) -> str:
        return "action_check_application_status"

    def _hasher_once(self) -> BirthDateHasher:
        # Loading the pepper may read or create a file: done once, in the worker thread.
        with self._hasher_lock:
            if self._hasher is None:
                self._hasher = self._hasher_factory()
            return self._hasher

    def _lookup(self, number: str, birth_date: date, sender_id: str) -> VerificationResult:
        return check_application(
            self._engine_factory(),
            number=number,
            birth_date=birth_date,
            sender_id=sender_id,
            hasher=self._hasher_once(),
            now=self._clock(),
            policy=self._policy,
        )

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = "en" if tracker.get_slot("language") == "en" else "ko"
        events = clear_lookup_slots()
        try:
            number = str(parse_application_number(_as_text(tracker.get_slot(NUMBER_SLOT))))
            birth_date = date.fromisoformat(_as_text(tracker.get_slot(BIRTH_DATE_SLOT)))
        except (ApplicationNumberError, ValueError):
            # Only reachable if the form was bypassed; nothing to look up.
            utter(dispatcher, tracker, NOT_VERIFIED_RESPONSE)
            return events
        sender_id = tracker.sender_id or "unknown"
        try:
            result = await asyncio.to_thread(self._lookup, number, birth_date, sender_id)
        except (SQLAlchemyError, OSError) as error:
            # The exception text would carry the SQL parameters (the number): log the type only.
            logger.error("application status lookup failed: %s", type(error).__name__)
            utter(dispatcher, tracker, UNAVAILABLE_RESPONSE)
            return events
        logger.info("application status lookup: %s", result.outcome.value)
        if result.outcome is Outcome.VERIFIED and result.application is not None:
            reply = status_reply(result.application, language)
            variables: Dict[str, Any] = dict(reply.variables)
            utter(dispatcher, tracker, reply.response, **variables)
            events.extend(await self._offers.after_status(dispatcher, tracker, number, result.application.status))
        elif result.outcome is Outcome.LOCKED_OUT:
            utter(dispatcher, tracker, LOCKED_RESPONSE)
        else:
            utter(dispatcher, tracker, NOT_VERIFIED_RESPONSE)
        return events


class ActionCancelApplicationStatus(Action):
    """Stops the status form at the citizen's request and forgets what they typed."""

    def name(self) -> str:
        return "action_cancel_application_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        utter(dispatcher, tracker, CANCELLED_RESPONSE)
        return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), *clear_lookup_slots()]
