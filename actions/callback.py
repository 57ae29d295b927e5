"""Call-back requests, the citizen's side (issue 18, item 1).

When the live-agent queue cannot take the citizen (out of agents' hours,
nobody on duty, or nobody took the chat in time), today's answer comes with an
offer: "전화 상담 예약하기" / "Ask for a call-back" (:func:`offer_message`).
The handoff remembers why and for which agency in the slots
``callback_reason`` and ``callback_agency`` (:meth:`actions.handoff.HandoffService.hand_off`); the queue
timeout, sent from the console, carries the reason in the button's payload.
Typing "전화로 상담받고 싶어요" / "call me back" starts the same form.

``callback_form`` asks, in order:

1. consent to the 개인정보 수집·이용 notice (purpose, items, retention of
   :data:`records.callbacks.RETENTION_DAYS` days, the right to refuse);
   refusing ends the form and nothing is stored;
2. the phone number, read by :func:`records.callbacks.check_phone`: a resident
   registration number is refused with a warning and never kept;
3. an optional short message ("없음" / "No message" skips it).

:class:`ActionSubmitCallback` stores the request (the phone sealed, the
message masked) in a thread and confirms it; a database error gets an
apology and today's contact. Every slot of the form is cleared afterwards,
and ``callback_phone`` is sealed in the tracker store while the form runs
(:data:`core.tracker_store.SENSITIVE_SLOTS`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from actions.form_answers import SKIPPED, is_skip
from actions.forms import FORM_SLOTS, LeavableFormValidation
from actions.handoff import (
    CALLBACK_AGENCY_SLOT,
    CALLBACK_REASON_SLOT,
    DEFAULT_HOURS,
    configured_agent_hours,
    contact_reply,
    find_contact,
)
from actions.office_hours import Clock, availability, utc_now
from actions.responses import render, utter
from actions.service_context import CONTEXT_SLOT
from core.db import create_schema, get_engine, session_scope
from knowledge.models import Agency
from records.callbacks import REASONS, RETENTION_DAYS, check_phone, clean_message, create_request
from records.live_agents import cancel_waiting

logger = logging.getLogger(__name__)

FORM = "callback_form"
REASON_SLOT = CALLBACK_REASON_SLOT  # set by the handoff that offered the call-back
AGENCY_SLOT = CALLBACK_AGENCY_SLOT
CONSENT_SLOT = "callback_consent"
PHONE_SLOT = "callback_phone"
MESSAGE_SLOT = "callback_message"
#: Every slot the form reads or fills: all cleared when it ends.
CALLBACK_SLOTS = FORM_SLOTS[FORM]

INTENT = "request_callback"
AGREED, REFUSED = "yes", "no"

# A message for the counsellor often reads like a question ("여권 수수료 문의드려요"):
# while it is asked, only a request the classifier is very sure of leaves the form.
MESSAGE_REQUEST_CONFIDENCE = 0.8

_AGENCY_ID = re.compile(r"[a-z0-9_\-]{1,64}")
# Refusals first: "동의하지 않아요" holds "동의".
_REFUSE = re.compile(
    r"않|안\s*해|안\s*할|싫|거부|거절|아니|아뇨|노노|비동의|미동의|"
    r"\b(?:no|nope|don'?t|do\s+not|not|disagree|refuse|decline)\b",
    re.IGNORECASE,
)
_AGREE = re.compile(
    r"동의|네|예|넵|응|좋아|그래|할게|할께|"
    r"\b(?:yes|yep|yeah|ok|okay|sure|agree|i\s+agree|fine)\b",
    re.IGNORECASE,
)
_NO_MESSAGE = re.compile(
    r"^\s*(?:없음|없어요|없습니다|없어|없다|no\s+message|none|nothing|no)\s*[.!]?\s*$", re.IGNORECASE
)


def _language(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("language") == "en" else "ko"


def _channel(tracker: Tracker) -> str:
    """``telegram`` or ``kakao`` for the messengers, else ``web`` (the chat page talks to Rasa's REST channel)."""
    channel = tracker.get_latest_input_channel()
    return channel if channel in ("telegram", "kakao") else "web"


def offer_payload(reason: Optional[str] = None) -> str:
    """The button's payload: ``/request_callback``, with the reason as an entity when given.

    Kept under Telegram's 64 bytes of ``callback_data`` (the agency comes from
    the slot the handoff set, not from the payload)."""
    if reason not in REASONS:
        return f"/{INTENT}"
    return f"/{INTENT}" + json.dumps({REASON_SLOT: reason}, separators=(",", ":"))


def offer_message(language: str, reason: Optional[str] = None) -> Dict[str, Any]:
    """The offer's text and button in ``language`` (``{"text", "buttons"}``), for the console's timeout."""
    rendered = render("utter_callback_offer", language)
    buttons = [{**button, "payload": offer_payload(reason)} for button in rendered["buttons"]]
    return {"text": rendered["text"], "buttons": buttons}


def forget_callback() -> List[EventType]:
    """Events that clear every slot of the form (the phone must not linger in the tracker)."""
    return [SlotSet(slot, None) for slot in CALLBACK_SLOTS]


def consent_of(tracker: Tracker, text: str) -> Optional[str]:
    """``"yes"``, ``"no"`` or None (unclear) for the answer to the consent notice."""
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    stripped = (text or "").strip()
    if stripped.startswith("/"):
        return {"/affirm": AGREED, "/deny": REFUSED}.get(stripped.split("{")[0])
    if _REFUSE.search(stripped):
        return REFUSED
    if _AGREE.search(stripped):
        return AGREED
    if intent == "affirm":
        return AGREED
    if intent == "deny":
        return REFUSED
    return None


class ActionAskCallbackConsent(Action):
    """The form's first question: what it is for and the consent notice, with Agree / Don't agree."""

    def name(self) -> Text:
        return "action_ask_callback_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        utter(dispatcher, tracker, "utter_ask_callback_consent", retention_days=RETENTION_DAYS)
        return []


class ActionAskCallbackPhone(Action):
    """Asks for the number to call, with an example of the format."""

    def name(self) -> Text:
        return "action_ask_callback_phone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        utter(dispatcher, tracker, "utter_ask_callback_phone")
        return []


class ActionAskCallbackMessage(Action):
    """Asks for an optional short message, with a "No message" button."""

    def name(self) -> Text:
        return "action_ask_callback_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        utter(dispatcher, tracker, "utter_ask_callback_message")
        return []


class ValidateCallbackForm(LeavableFormValidation):
    """Consent, a phone number :func:`check_phone` accepts, and a masked message or none."""

    def name(self) -> Text:
        return "validate_callback_form"

    def request_confidence(self, requested_slot: str) -> float:
        if requested_slot == MESSAGE_SLOT:
            return MESSAGE_REQUEST_CONFIDENCE
        return self.clear_request_confidence

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        """Without consent nothing more is asked: the form ends and the submit stores nothing."""
        if tracker.get_slot(CONSENT_SLOT) == REFUSED:
            return [CONSENT_SLOT]
        return domain_slots

    def validate_callback_consent(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """"yes" or "no"; an unclear answer asks again."""
        if not isinstance(slot_value, str) or not slot_value.strip():
            return {CONSENT_SLOT: None}
        consent = consent_of(tracker, slot_value)
        if consent is None:
            utter(dispatcher, tracker, "utter_callback_consent_unclear")
        return {CONSENT_SLOT: consent}

    def validate_callback_phone(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The number as digits; a resident registration number is refused and never kept."""
        if not isinstance(slot_value, str) or not slot_value.strip():
            return {PHONE_SLOT: None}
        checked = check_phone(slot_value)
        if checked.problem == "resident_number":
            dispatcher.utter_message(response="utter_callback_resident_number_warning")
            return {PHONE_SLOT: None}
        if checked.number is None:
            utter(dispatcher, tracker, "utter_callback_phone_invalid")
            return {PHONE_SLOT: None}
        return {PHONE_SLOT: checked.number}

    def validate_callback_message(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The message masked and cut to length; "skipped" for the button or a "none"."""
        if not isinstance(slot_value, str) or not slot_value.strip():
            return {MESSAGE_SLOT: None}
        text = slot_value.strip()
        if text.startswith("/") or is_skip(text) or _NO_MESSAGE.match(text):
            return {MESSAGE_SLOT: SKIPPED}
        return {MESSAGE_SLOT: clean_message(text) or SKIPPED}


class ActionSubmitCallback(Action):
    """Store a consented request and confirm it; say nothing was kept without consent."""

    def __init__(self, engine_factory: Callable[[], Engine] = get_engine, clock: Clock = utc_now,
                 secret: Optional[bytes] = None) -> None:
        self._engine_factory = engine_factory
        self._clock = clock
        self._secret = secret  # the seal's key material; None: the birth-date pepper

    def name(self) -> Text:
        return "action_submit_callback"

    def _reason(self, tracker: Tracker, now: datetime) -> str:
        """The reason the handoff or the button gave; for a typed request, the agents' hours decide."""
        reason = tracker.get_slot(REASON_SLOT)
        if reason in REASONS:
            return str(reason)
        return "no_agent" if availability(configured_agent_hours(), now).open_now else "out_of_hours"

    @staticmethod
    def _agency(tracker: Tracker) -> Optional[str]:
        agency = tracker.get_slot(AGENCY_SLOT)
        return agency if isinstance(agency, str) and _AGENCY_ID.fullmatch(agency) else None

    def _store(self, *, phone: str, message: Optional[str], language: str, channel: str,
               agency_id: Optional[str], reason: str, sender_id: str) -> Optional[Dict[str, Any]]:
        """Blocking: store the request and take the conversation out of the live-agent
        queue if it was still waiting there (the citizen chose a call back instead);
        returns the agency's name as known to the catalogue and whether it left the queue."""
        engine = create_schema(self._engine_factory())
        with session_scope(engine) as session:
            agency = session.get(Agency, agency_id) if agency_id else None
            name = agency.name(language) if agency is not None else None
        stored = create_request(engine, phone=phone, message=message, language=language, channel=channel,
                                agency_id=agency_id if name else None, reason=reason, consent=True,
                                secret=self._secret)
        if stored is None:
            return None
        left_queue = cancel_waiting(engine, sender_id) is not None
        return {"id": stored, "agency_name": name, "left_queue": left_queue}

    async def _tell_contact(self, dispatcher: CollectingDispatcher, tracker: Tracker, language: str) -> None:
        """Today's answer after a failure: the agency in context or 110 (110 when the catalogue fails too)."""
        try:
            contact = await asyncio.to_thread(find_contact, self._engine_factory(), tracker.get_slot(CONTEXT_SLOT),
                                              language)
        except (SQLAlchemyError, OSError) as error:
            logger.error("call-back: catalogue lookup failed: %s", type(error).__name__)
            contact = None
        state = availability(contact.hours if contact else DEFAULT_HOURS, self._clock())
        name, values = contact_reply(contact, state, language)
        utter(dispatcher, tracker, name, **values)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = _language(tracker)
        if tracker.get_slot(CONSENT_SLOT) != AGREED:
            utter(dispatcher, tracker, "utter_callback_declined")
            return forget_callback()
        phone = tracker.get_slot(PHONE_SLOT)
        message = tracker.get_slot(MESSAGE_SLOT)
        if message == SKIPPED:
            message = None
        stored: Optional[Dict[str, Any]] = None
        if isinstance(phone, str) and phone:
            try:
                stored = await asyncio.to_thread(
                    self._store, phone=phone, message=message, language=language,
                    channel=_channel(tracker), agency_id=self._agency(tracker),
                    reason=self._reason(tracker, self._clock()), sender_id=tracker.sender_id or "unknown",
                )
            except (SQLAlchemyError, OSError, ValueError) as error:
                logger.error("call-back request could not be stored: %s", type(error).__name__)
        if stored is None:
            utter(dispatcher, tracker, "utter_callback_failed")
            await self._tell_contact(dispatcher, tracker, language)
            return forget_callback()
        queue = stored["agency_name"] or render("utter_callback_general_queue", language)["text"]
        utter(dispatcher, tracker, "utter_callback_booked", queue=queue, last_digits=phone[-4:],
              retention_days=RETENTION_DAYS)
        if stored["left_queue"]:
            utter(dispatcher, tracker, "utter_callback_left_queue")
        return forget_callback()

