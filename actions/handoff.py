"""Sending a citizen to a person: the agency in charge, or the 110 call centre.

A handoff happens when the citizen asks for a person (intent ``human_handoff``),
when two messages in a row were not understood, or after a thumbs-down. The
contact is the agency that owns the service in context (slot
``current_service``: its phone and hours from the catalogue), else the
Government Call Centre 110. The reply says whether the line is open now (Korea
time, working days, public holidays), and the handoff is recorded for staff
with a masked transcript (:mod:`records`).

During agents' hours (:data:`AGENT_HOURS`), when an agent who serves the
agency's queue (or the general pool) is on duty, the conversation joins the
live-agent queue instead (:mod:`records.live_agents`): the citizen is told
their place and the expected wait and can leave the queue
(:class:`ActionLeaveLiveQueue`). Otherwise, or when the queue cannot be
reached, today's answer (the agency or 110, with hours) stays.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from actions.office_hours import (
    DEFAULT_HOURS,
    Availability,
    Clock,
    OfficeHours,
    availability,
    format_opening,
    parse_hours,
    utc_now,
)
from actions.responses import render, utter
from actions.service_context import CONTEXT_SLOT
from core.db import create_schema, get_engine, session_scope
from core.settings import get_settings
from knowledge.models import Service
from records.live_agents import QueueTicket, agents_on_duty, cancel_waiting, join_queue
from records.repository import record_handoff
from records.transcript import masked_transcript

logger = logging.getLogger(__name__)


CALL_CENTRE_PHONE = "110"

# Read by the call-back form (actions/callback.py): why a call-back was offered, and for which agency.
CALLBACK_REASON_SLOT = "callback_reason"
CALLBACK_AGENCY_SLOT = "callback_agency"

#: When live agents answer chats by default: working days 09:00-18:00 Korea time, as the call centre.
AGENT_HOURS = DEFAULT_HOURS


def configured_agent_hours() -> OfficeHours:
    """Agents' hours from the ``LIVE_AGENT_HOURS`` setting (catalogue-style text), else :data:`AGENT_HOURS`."""
    text = getattr(get_settings(), "live_agent_hours", None)
    return parse_hours(text) if text else AGENT_HOURS

# What to say before the contact, by reason; "requested" needs no preamble.
_PREAMBLES = {
    "repeated_fallback": "utter_handoff_after_fallback",
    "thumbs_down": "utter_handoff_after_thumbs_down",
}


@dataclass(frozen=True)
class Contact:
    """Who to call: an agency of the catalogue, or the call centre when ``agency_id`` is None."""

    agency_id: Optional[str]
    agency_name: str
    service_name: str
    phone: str
    hours_text: str
    hours: OfficeHours


def _language(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("language") == "en" else "ko"


def find_contact(engine: Engine, service_id: Optional[str], language: str) -> Optional[Contact]:
    """The contact of the agency that runs ``service_id``; None to use 110.

    Blocking (reads the catalogue): run it in a thread. A service without an
    agency phone falls back to 110 too.
    """
    if not service_id:
        return None
    with session_scope(engine) as session:
        service = session.get(Service, service_id)
        if service is None or service.agency is None:
            return None
        agency = service.agency
        phone = agency.phone or service.where_phone
        if not phone:
            return None
        hours_text = (agency.hours_en if language == "en" else agency.hours_ko) or ""
        return Contact(
            agency_id=agency.id,
            agency_name=agency.name(language),
            service_name=service.name(language),
            phone=phone,
            hours_text=hours_text,
            hours=parse_hours(agency.hours_ko),
        )


def describe_availability(state: Availability, language: str) -> str:
    """One sentence in ``language``: open now, or why closed and when it opens."""
    if state.open_now:
        return render("utter_handoff_open_now", language)["text"]
    values: Dict[str, Any] = {
        "next_open": format_opening(state.next_open, language) if state.next_open else "",
        "holiday": state.holiday.name(language) if state.holiday else "",
    }
    name = {
        "holiday": "utter_handoff_closed_holiday",
        "weekend": "utter_handoff_closed_weekend",
    }.get(state.closed_because or "", "utter_handoff_closed_hours")
    return render(name, language, values)["text"]


def contact_reply(contact: Optional[Contact], state: Availability, language: str) -> Tuple[str, Dict[str, Any]]:
    """The response name and values of today's answer (the agency or 110, with hours)."""
    when = describe_availability(state, language)
    if contact is None:
        return "utter_handoff_call_centre", {"availability": when, "phone": CALL_CENTRE_PHONE}
    return "utter_handoff_agency", {
        "availability": when,
        "agency": contact.agency_name,
        "service_name": contact.service_name,
        "phone": contact.phone,
        "hours": contact.hours_text,
    }


def todays_answer(engine: Engine, service_id: Optional[str], language: str, now: datetime) -> str:
    """Today's answer as text, for a citizen whose queued chat timed out (blocking: reads the catalogue)."""
    contact = find_contact(engine, service_id, language)
    state = availability(contact.hours if contact else DEFAULT_HOURS, now)
    name, values = contact_reply(contact, state, language)
    return render(name, language, values)["text"]


class HandoffService:
    """Finds the contact, tells the citizen, and records the handoff.

    Shared by the handoff, fallback and feedback actions so every route to a
    person says the same thing and is recorded the same way.
    """

    def __init__(
        self,
        engine_factory: Callable[[], Engine] = get_engine,
        clock: Clock = utc_now,
        live_agents: bool = True,
        agent_hours: Optional[OfficeHours] = None,
    ) -> None:
        self._engine_factory = engine_factory
        self._clock = clock
        self._live_agents = live_agents
        self._agent_hours = agent_hours

    def _engine(self) -> Engine:
        return self._engine_factory()

    async def hand_off(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, *, queue: bool = True
    ) -> List[EventType]:
        """Queue the citizen for a live agent when one is on duty, else send the contact; record the handoff.

        When the queue could not take the citizen (out of agents' hours, nobody
        on duty), today's answer comes with the offer of a call-back
        (:mod:`actions.callback`). Returns the slot events the caller must
        return: why a call-back was offered and for which agency.
        ``queue=False`` gives the contact only (the citizen left the queue, or it timed out).
        """
        language = _language(tracker)
        service_id = tracker.get_slot(CONTEXT_SLOT)
        try:
            contact = await asyncio.to_thread(find_contact, self._engine(), service_id, language)
        except SQLAlchemyError as error:
            logger.error("handoff: catalogue lookup failed: %s", type(error).__name__)
            contact = None
        now = self._clock()
        state = availability(contact.hours if contact else DEFAULT_HOURS, now)
        preamble = _PREAMBLES.get(reason)
        if preamble:
            utter(dispatcher, tracker, preamble)
        agency_id = contact.agency_id if contact else None
        events: List[EventType] = []
        ticket, no_queue_because = (
            await self._join_queue(tracker, reason, language, service_id, contact, now) if queue else (None, None)
        )
        if ticket is not None:
            queue_name = contact.agency_name if contact else render("utter_live_agent_queue_general", language)["text"]
            utter(dispatcher, tracker, "utter_live_agent_queued", position=ticket.position,
                  minutes=ticket.expected_minutes, queue=queue_name)
            # If nobody takes the chat in time, the timeout's call-back button reads the agency from here.
            events = [SlotSet(CALLBACK_AGENCY_SLOT, agency_id)]
        else:
            self.tell_contact(dispatcher, tracker, contact, state, language)
            if no_queue_because is not None:
                utter(dispatcher, tracker, "utter_callback_offer")
                events = [SlotSet(CALLBACK_REASON_SLOT, no_queue_because), SlotSet(CALLBACK_AGENCY_SLOT, agency_id)]
        if reason in _RECORDED_REASONS:
            await self._record(tracker, reason, language, service_id if contact else None, contact, state, now)
        return events

    async def _join_queue(
        self,
        tracker: Tracker,
        reason: str,
        language: str,
        service_id: Optional[str],
        contact: Optional[Contact],
        now: datetime,
    ) -> Tuple[Optional[QueueTicket], Optional[str]]:
        """A place in the live-agent queue, or None and why not: ``out_of_hours``
        outside agents' hours, ``no_agent`` with nobody on duty (or the queue failing)."""
        hours = self._agent_hours or configured_agent_hours()
        if not availability(hours, now).open_now:
            return None, "out_of_hours"
        if not self._live_agents:
            return None, "no_agent"
        agency_id = contact.agency_id if contact else None
        sender_id = tracker.sender_id or "unknown"
        transcript = masked_transcript(tracker.events or [])

        def queue() -> Optional[QueueTicket]:
            engine = create_schema(self._engine())
            if agents_on_duty(engine, agency_id, now=_naive_utc(now)) == 0:
                return None
            return join_queue(engine, sender_id=sender_id, language=language, reason=reason, agency_id=agency_id,
                              service_id=service_id if contact else None, channel=_channel(tracker),
                              transcript=transcript, now=_naive_utc(now))

        try:
            ticket = await asyncio.to_thread(queue)
        except (SQLAlchemyError, OSError) as error:
            logger.error("handoff: the live-agent queue failed: %s", type(error).__name__)
            ticket = None
        return ticket, None if ticket is not None else "no_agent"

    def tell_contact(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        contact: Optional[Contact],
        state: Availability,
        language: str,
    ) -> None:
        """Today's answer: the agency in charge or 110, with hours and whether it is open now."""
        name, values = contact_reply(contact, state, language)
        utter(dispatcher, tracker, name, **values)

    async def _record(
        self,
        tracker: Tracker,
        reason: str,
        language: str,
        service_id: Optional[str],
        contact: Optional[Contact],
        state: Availability,
        now: datetime,
    ) -> None:
        transcript = masked_transcript(tracker.events or [])
        try:
            await asyncio.to_thread(self._store, tracker.sender_id or "unknown", reason, language,
                                    service_id, contact, state, now, transcript)
        except (SQLAlchemyError, OSError) as error:
            # The citizen already has the contact; a lost record must not break the reply.
            logger.error("handoff could not be recorded: %s", type(error).__name__)

    def _store(
        self,
        sender_id: str,
        reason: str,
        language: str,
        service_id: Optional[str],
        contact: Optional[Contact],
        state: Availability,
        now: datetime,
        transcript: List[Dict[str, str]],
    ) -> None:
        engine = create_schema(self._engine())
        record_handoff(
            engine,
            sender_id=sender_id,
            reason=reason,
            language=language,
            service_id=service_id,
            agency_id=contact.agency_id if contact else None,
            open_now=state.open_now,
            transcript=transcript,
            at=_naive_utc(now),
        )


#: Reasons stored as handoff records (leaving the queue is not a new handoff).
_RECORDED_REASONS = ("requested", "repeated_fallback", "thumbs_down")


def _channel(tracker: Tracker) -> Optional[str]:
    """The messenger of the conversation when Rasa knows it (else guessed from the sender id)."""
    channel = tracker.get_latest_input_channel()
    return channel if channel in ("telegram", "kakao") else None


def _naive_utc(moment: datetime) -> datetime:
    """``moment`` as the naive UTC the database keeps."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


class ActionHandOff(Action):
    """The citizen asked for a person: give the right contact and record it."""

    def __init__(self, handoff: Optional[HandoffService] = None) -> None:
        self._handoff = handoff or HandoffService()

    def name(self) -> str:
        return "action_hand_off"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        reason = "repeated_fallback" if intent == "nlu_fallback" else "requested"
        return await self._handoff.hand_off(dispatcher, tracker, reason)


class ActionLeaveLiveQueue(Action):
    """"취소" / "cancel" (or the queue's button) with no form open: a citizen
    waiting for an agent leaves the queue and gets today's contact instead;
    anyone else hears that there is nothing to cancel, as before.
    """

    def __init__(self, handoff: Optional[HandoffService] = None,
                 engine_factory: Callable[[], Engine] = get_engine) -> None:
        self._handoff = handoff or HandoffService(engine_factory)
        self._engine_factory = engine_factory

    def name(self) -> str:
        return "action_leave_live_queue"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        sender_id = tracker.sender_id or "unknown"
        try:
            left = await asyncio.to_thread(lambda: cancel_waiting(create_schema(self._engine_factory()), sender_id))
        except (SQLAlchemyError, OSError) as error:
            logger.error("leaving the live-agent queue failed: %s", type(error).__name__)
            left = None
        if left is None:
            utter(dispatcher, tracker, "utter_nothing_to_cancel")
            return []
        utter(dispatcher, tracker, "utter_live_agent_left_queue")
        await self._handoff.hand_off(dispatcher, tracker, "left_queue", queue=False)
        return []
