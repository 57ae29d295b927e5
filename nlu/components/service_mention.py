"""A service named on its own, or a correction, is `inform` even when the
classifier is unsure.

"birth registration", "and driving licence renewal?", "no not passport,
driving licence renewal": the words are mostly a service name, so the
classifier is unsure and without this the FallbackClassifier would answer "I
didn't understand" although the service is plain. Placed after the entity extractors
and before the FallbackClassifier, this component turns such an unsure guess
into `inform` at the fallback threshold; the dialogue then answers the last
question asked (or the overview) for that service. A confident intent, a
message without a `service` entity and a button payload are left alone.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.corrections import read_correction
from actions.service_context import names_only_a_service, service_spans

INFORM = "inform"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ServiceMentionIntent(GraphComponent):
    """Reads an unsure message that only names a service, or corrects one, as `inform`."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``threshold``: the FallbackClassifier's; below it a guess counts as unsure."""
        return {"threshold": 0.4}

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ServiceMentionIntent":
        """Creates the component with the configured threshold."""
        return cls(float(config["threshold"]))

    def process(self, messages: List[Message]) -> List[Message]:
        """Set `inform` on each unsure message that only names a service or corrects one."""
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT) or {}
            if text.startswith("/") or not intent.get("name"):
                continue
            if float(intent.get("confidence") or 0.0) >= self.threshold:
                continue
            spans = service_spans(message.get(ENTITIES) or [])
            # Only a name on its own or a correction: any other unsure question
            # stays a fallback (whose action still answers a plainly named service).
            if not spans or not (names_only_a_service(text, spans) or read_correction(text) is not None):
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            inform = {"name": INFORM, "confidence": self.threshold}
            message.set(INTENT, inform, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY,
                [inform] + [item for item in ranking if item.get("name") != INFORM],
                add_to_output=True,
            )
        return messages
