"""Rule-based extraction of application numbers and birth dates.

Patterns are more reliable than a learned tagger for these two formats, and
they normalise what they find: an application number becomes
``YYYY-NNNNNNN`` (the check digit is left for the status form to verify, so a
wrong digit gets a helpful hint instead of silence), a birth date becomes
``YYYY-MM-DD``. Entities of these two types proposed by an earlier extractor
(the CRF) are replaced by these. The patterns live in :mod:`core.identifiers`,
shared with the privacy masking, so what the NLU reads as a birth date is
also what the logs and the tracker store hide.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from core.identifiers import APPLICATION_NUMBER, BIRTH_DATE, find_identifiers


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class IdentifierExtractor(GraphComponent):
    """Adds `application_number` and `birth_date` entities found by pattern."""

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
    ) -> "IdentifierExtractor":
        """Creates the extractor."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Replace learned entities of these two types with the pattern matches."""
        for message in messages:
            text = message.get(TEXT) or ""
            kept = [
                entity
                for entity in message.get(ENTITIES, [])
                if entity.get("entity") not in (APPLICATION_NUMBER, BIRTH_DATE)
            ]
            for item in find_identifiers(text):
                kept.append(
                    {
                        "entity": item.entity,
                        "start": item.start,
                        "end": item.end,
                        "value": item.value,
                        "confidence_entity": 1.0,
                        "extractor": self.__class__.__name__,
                    }
                )
            message.set(ENTITIES, sorted(kept, key=lambda e: e.get("start", 0)), add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        """Training data is left as annotated."""
        return training_data
