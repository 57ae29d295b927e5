"""What the assistant does when no rule fits the conversation.

The first time, it answers the one catalogue service the message clearly names
("여권 분실했어요"), else asks the citizen to rephrase and shows the menu. When the
turn before was already not understood (a core fallback or an NLU fallback),
asking again would go in circles: the citizen is handed to a person instead
(:mod:`actions.handoff`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Dict, List, Optional, Sequence, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from actions.handoff import HandoffService
from actions.responses import utter
from actions.service_answers import ServiceAnswer, answer_named_service
from actions.service_context import CONTEXT_SLOT
from core.db import get_engine

logger = logging.getLogger(__name__)

FALLBACK_MARKERS = frozenset({"action_handle_fallback", "utter_ask_rephrase"})
HANDOFF_PREFIX = "utter_handoff_"


def _previous_turn(events: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The events between the second-to-last and the last user message."""
    user_positions = [index for index, event in enumerate(events) if event.get("event") == "user"]
    if len(user_positions) < 2:
        return []
    return list(events[user_positions[-2] + 1 : user_positions[-1]])


def _marker(event: Dict[str, Any]) -> Optional[str]:
    if event.get("event") == "action":
        return event.get("name")
    if event.get("event") == "bot":
        return (event.get("metadata") or {}).get("utter_action")
    return None


def previous_turn_was_not_understood(events: Sequence[Dict[str, Any]]) -> bool:
    """True when the assistant's last reply was a fallback that did not already hand off."""
    markers = [marker for marker in map(_marker, _previous_turn(events)) if marker]
    if any(marker.startswith(HANDOFF_PREFIX) for marker in markers):
        return False
    return any(marker in FALLBACK_MARKERS for marker in markers)


class ActionHandleFallback(Action):
    """Core fallback: ask to rephrase and offer the menu, or hand off the second time."""

    def __init__(
        self, handoff: Optional[HandoffService] = None, engine_factory: Callable[[], Engine] = get_engine
    ) -> None:
        self._handoff = handoff or HandoffService()
        self._engine_factory = engine_factory

    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Reply in the citizen's language, then revert the user turn so the
        unexplained message does not steer what comes next."""
        if previous_turn_was_not_understood(tracker.events or []):
            offered = await self._handoff.hand_off(dispatcher, tracker, "repeated_fallback")
            return [UserUtteranceReverted(), *offered]
        named = await self._named_service(tracker)
        if named is not None:
            # "여권 분실했어요" read by no intent, but the service is plain: answer it.
            service_id, answer = named
            utter(dispatcher, tracker, answer.response, **answer.values)
            return [SlotSet(CONTEXT_SLOT, service_id)]
        utter(dispatcher, tracker, "utter_ask_rephrase")
        dispatcher.utter_message(response="utter_help_menu")
        return [UserUtteranceReverted()]

    async def _named_service(self, tracker: Tracker) -> Optional[Tuple[str, ServiceAnswer]]:
        """The overview of the one service the message clearly names, if the catalogue answers."""
        text = (tracker.latest_message or {}).get("text") or ""
        try:
            return await asyncio.to_thread(
                answer_named_service, self._engine_factory(), text, "overview", tracker.get_slot("language")
            )
        except SQLAlchemyError as error:
            logger.error("fallback service check failed: %s", type(error).__name__)
            return None
