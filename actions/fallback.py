"""What the assistant does when no rule fits the conversation.

The first time, it asks the citizen to rephrase and shows the menu. When the
turn before was already not understood (a core fallback or an NLU fallback),
asking again would go in circles: the citizen is handed to a person instead
(:mod:`actions.handoff`).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import HandoffService

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

    def __init__(self, handoff: Optional[HandoffService] = None) -> None:
        self._handoff = handoff or HandoffService()

    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Reply in the citizen's language, then revert the user turn so the
        unexplained message does not steer what comes next."""
        if previous_turn_was_not_understood(tracker.events or []):
            await self._handoff.hand_off(dispatcher, tracker, "repeated_fallback")
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
            dispatcher.utter_message(response="utter_help_menu")
        return [UserUtteranceReverted()]
