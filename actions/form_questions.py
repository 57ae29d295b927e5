"""The action that asks one question of a form.

Rasa asks for a form slot by running ``action_ask_<slot>``. Each form's
questions are small subclasses of ``AskFormQuestion`` that name their slot;
a form whose wording depends on earlier answers overrides ``response_name``.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.responses import utter


class AskFormQuestion(Action, metaclass=ABCMeta):
    """Send the question for ``slot`` in the conversation's language."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot this question fills."""

    def name(self) -> Text:
        """``action_ask_<slot>``, the name Rasa's forms call."""
        return f"action_ask_{self.slot}"

    def response_name(self, tracker: Tracker) -> str:
        """The response that asks the question; ``utter_ask_<slot>`` by default."""
        return f"utter_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Send the question; no events."""
        utter(dispatcher, tracker, self.response_name(tracker))
        return []
