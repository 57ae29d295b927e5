"""A new conversation session keeps the citizen's settings, never their identifiers."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

# Slots a new session must start without: what a citizen typed to prove who
# they are, and any half-filled form question.
NOT_CARRIED_OVER = frozenset({"application_number", "birth_date", "requested_slot"})


class ActionSessionStart(Action):
    """Start a session carrying over slots such as the language, but not identifiers."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """SessionStarted, the carried-over slots, then action_listen."""
        carried = [
            SlotSet(name, value)
            for name, value in (tracker.slots or {}).items()
            if name not in NOT_CARRIED_OVER and value is not None
        ]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
