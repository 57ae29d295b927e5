"""What the assistant does when no rule fits the conversation."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher


class ActionHandleFallback(Action):
    """Core fallback: ask to rephrase, offer the menu, and forget the turn."""

    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Reply in the citizen's language, then revert the user turn so the
        unexplained message does not steer what comes next."""
        dispatcher.utter_message(response="utter_ask_rephrase")
        dispatcher.utter_message(response="utter_help_menu")
        return [UserUtteranceReverted()]
