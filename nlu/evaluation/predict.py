"""Parsing many messages with a trained model, in process and in batches.

The model's prediction graph is run directly on a batch of messages (what
``Agent.parse_message`` does for one), so a few hundred test lines take
seconds. ``without`` stops the graph before a component, which measures the
same trained model with that component's output removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

from nlu.evaluation.examples import Entity, entities_of

BATCH_SIZE = 64


@dataclass(frozen=True)
class Prediction:
    """What the model made of one message."""

    intent: str
    confidence: float
    entities: Tuple[Entity, ...]


class ModelRunner:
    """A loaded Rasa model that parses lists of texts."""

    def __init__(self, processor: Any) -> None:
        self._processor = processor

    @classmethod
    def load(cls, model_path: Path) -> "ModelRunner":
        """Load the model archive at ``model_path`` (NLU-only or full)."""
        from rasa.core.agent import Agent

        agent = Agent.load(str(model_path))
        if agent.processor is None:
            raise RuntimeError(f"{model_path} holds no model that can parse messages")
        return cls(agent.processor)

    @property
    def graph_nodes(self) -> List[Any]:
        """The nodes of the model's prediction graph."""
        return list(self._processor.model_metadata.predict_schema.nodes.values())

    @property
    def nlu_nodes(self) -> List[str]:
        """Names of the graph nodes of the NLU pipeline, in schema order."""
        nodes = self._processor.model_metadata.predict_schema.nodes
        return [name for name in nodes if name.startswith("run_")]

    def node_before(self, component: str) -> str:
        """The node whose output feeds the node running ``component`` (a class name).

        Raises ``KeyError`` when the model has no such component.
        """
        nodes = self._processor.model_metadata.predict_schema.nodes
        for node in nodes.values():
            if node.uses.__name__ == component:
                return str(node.needs["messages"])
        raise KeyError(f"the model has no {component} component")

    def parse(self, texts: Sequence[str], without: Optional[str] = None) -> List[Prediction]:
        """Predictions for ``texts``, in order.

        With ``without`` (a component class name) the graph stops right before
        that component, so its output and everything after it is left out;
        intents are then the classifier's raw ranking (no fallback).
        """
        from rasa.core.channels.channel import UserMessage
        from rasa.engine.constants import PLACEHOLDER_MESSAGE

        target = self.node_before(without) if without else self._processor.model_metadata.nlu_target
        predictions: List[Prediction] = []
        for start in range(0, len(texts), BATCH_SIZE):
            batch = [UserMessage(text=text) for text in texts[start : start + BATCH_SIZE]]
            results = self._processor.graph_runner.run(
                inputs={PLACEHOLDER_MESSAGE: batch}, targets=[target]
            )
            for message in results[target]:
                intent = message.get("intent") or {}
                predictions.append(
                    Prediction(
                        intent=str(intent.get("name")),
                        confidence=float(intent.get("confidence") or 0.0),
                        entities=entities_of(message.get("entities") or []),
                    )
                )
        return predictions
