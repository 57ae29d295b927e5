"""Makes sure a message carrying a resident registration number gets the warning.

The channels mask a resident registration number before Rasa sees the message
(core.privacy). This component, placed after the intent classifiers, sets the
intent `share_resident_number` with full confidence whenever the message holds
the mask, or an unmasked number from a channel that did not mask it, so the
citizen is always told not to share it, whatever else the classifier guessed.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from core.privacy import contains_resident_number_mask, mask_resident_numbers

SHARE_RESIDENT_NUMBER = "share_resident_number"


def carries_resident_number(text: str) -> bool:
    """True when ``text`` holds a resident registration number or its mask."""
    return contains_resident_number_mask(text) or mask_resident_numbers(text).found_resident_number


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ResidentNumberGuard(GraphComponent):
    """Overrides the intent with `share_resident_number` when a number is present."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """No options."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ResidentNumberGuard":
        """Creates the guard."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the intent of each message that carries a resident number."""
        for message in messages:
            if not carries_resident_number(message.get(TEXT) or ""):
                continue
            intent = {"name": SHARE_RESIDENT_NUMBER, "confidence": 1.0}
            # The other intents stay ranked, at zero, so the FallbackClassifier's
            # ambiguity check cannot overrule the guard.
            ranking = [intent] + [
                {**item, "confidence": 0.0}
                for item in message.get(INTENT_RANKING_KEY, [])
                if item.get("name") != SHARE_RESIDENT_NUMBER
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
