"""Extracts `region` and `service` entities with a spaCy pipeline the project builds.

The spaCy pipeline (nlu/gazetteer/build.py: a blank pipeline with an
EntityRuler of Korean regions and of the catalogue's service names) is read
from ``pipeline_path`` at training time and stored inside the Rasa model, so a
trained model needs nothing else. At run time the component builds a spaCy
``Doc`` from the Kiwi tokens Rasa already made, runs the ruler on it and maps
each match back to character offsets in the message.

How its matches combine with what the CRF learned:

- ``region``: the gazetteer is the only source; learned regions are dropped.
  The value is the official 시·도 name (the pattern id).
- ``service``: a gazetteer match replaces learned service spans it overlaps
  (its boundaries follow the catalogue's names); learned spans elsewhere stay,
  so a name the catalogue lacks or a misspelling is still found. A match
  inside a learned entity of another type (a life-event phrase such as
  "혼인신고 마쳤어요") is not added, and none is added to a message whose
  intent is one of ``service_free_intents``: the training data never marks a
  service in a petition, a life-event report or a resident-number message
  (what they name is what the complaint or event is about, and no action
  reads it there). The value is the matched text.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

REGION = "region"
SERVICE = "service"
# EntityRuler label → Rasa entity name.
LABEL_ENTITIES = {"REGION": REGION, "SERVICE": SERVICE}
_PIPELINE_DIR = "spacy_pipeline"


def _overlaps(first: Dict[str, Any], second: Dict[str, Any]) -> bool:
    return int(first["start"]) < int(second["end"]) and int(second["start"]) < int(first["end"])


def merge_entities(learned: List[Dict[str, Any]], found: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Learned entities combined with gazetteer matches, ordered by start.

    Learned regions are dropped; learned services overlapping a found service
    are dropped; found services overlapping a learned entity of another type
    are not added.
    """
    found_services = [e for e in found if e["entity"] == SERVICE]
    kept = [
        e
        for e in learned
        if e.get("entity") != REGION
        and not (e.get("entity") == SERVICE and any(_overlaps(e, f) for f in found_services))
    ]
    others = [e for e in kept if e.get("entity") not in (REGION, SERVICE)]
    added = [f for f in found if f["entity"] != SERVICE or not any(_overlaps(f, o) for o in others)]
    return sorted(kept + added, key=lambda e: (e.get("start", 0), e.get("end", 0)))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class SpacyGazetteerExtractor(GraphComponent):
    """`region` and `service` entities from the project's spaCy EntityRuler."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``pipeline_path``: folder written by nlu.gazetteer.build (relative to
        the working directory); ``service_free_intents``: intents whose
        messages get no service match."""
        return {
            "pipeline_path": "build/spacy_gazetteer",
            "service_free_intents": ["file_petition", "report_life_event", "share_resident_number"],
        }

    @staticmethod
    def required_packages() -> List[Text]:
        """spaCy."""
        return ["spacy"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        nlp: Optional[Any] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._nlp = nlp

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SpacyGazetteerExtractor":
        """A component that will read the pipeline from ``pipeline_path`` when trained."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Load the spaCy pipeline from ``pipeline_path`` and store it in the model."""
        import spacy

        path = Path(self._config["pipeline_path"])
        if not (path / "meta.json").exists():
            raise FileNotFoundError(
                f"spaCy gazetteer not found at {path}; build it with "
                f"'python -m nlu.gazetteer.build --out {path}' (make train does this)"
            )
        self._nlp = spacy.load(path)
        with self._model_storage.write_to(self._resource) as model_dir:
            shutil.copytree(path, Path(model_dir) / _PIPELINE_DIR, dirs_exist_ok=True)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SpacyGazetteerExtractor":
        """Load the spaCy pipeline stored in the model."""
        import spacy

        with model_storage.read_from(resource) as model_dir:
            nlp = spacy.load(Path(model_dir) / _PIPELINE_DIR)
        return cls(config, model_storage, resource, nlp)

    def extract(self, text: str, tokens: List[Token]) -> List[Dict[str, Any]]:
        """Entities for the ruler's matches over ``tokens`` (offsets into ``text``)."""
        tokens = [token for token in tokens if token.text]
        if self._nlp is None or not tokens:
            return []
        from spacy.tokens import Doc

        words = [token.text for token in tokens]
        spaces = [
            index + 1 < len(tokens) and tokens[index + 1].start > token.end
            for index, token in enumerate(tokens)
        ]
        doc = Doc(self._nlp.vocab, words=words, spaces=spaces)
        for _, component in self._nlp.pipeline:
            doc = component(doc)
        entities = []
        for span in doc.ents:
            if span.label_ not in LABEL_ENTITIES:
                continue
            start = tokens[span.start].start
            end = tokens[span.end - 1].end
            entities.append(
                {
                    "entity": LABEL_ENTITIES[span.label_],
                    "start": start,
                    "end": end,
                    "value": span.ent_id_ or text[start:end],
                    "confidence_entity": 1.0,
                    "extractor": self.__class__.__name__,
                }
            )
        return entities

    def process(self, messages: List[Message]) -> List[Message]:
        """Add region and service matches to the learned entities (see ``merge_entities``)."""
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            found = self.extract(message.get(TEXT) or "", tokens)
            intent = (message.get(INTENT) or {}).get("name")
            if intent in self._config.get("service_free_intents", []):
                found = [entity for entity in found if entity["entity"] != SERVICE]
            message.set(ENTITIES, merge_entities(message.get(ENTITIES, []), found), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data is left as annotated."""
        return training_data
