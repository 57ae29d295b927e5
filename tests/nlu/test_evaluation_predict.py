"""ModelRunner's batching and graph cut, with a stand-in for Rasa's processor (no model)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Dict, List

import pytest
from rasa.engine.constants import PLACEHOLDER_MESSAGE
from rasa.shared.nlu.training_data.message import Message

from nlu.evaluation import predict
from nlu.evaluation.examples import Entity
from nlu.evaluation.predict import ModelRunner


class DIETClassifier:  # stand-ins named like the components the graph nodes use
    pass


class SpacyGazetteerExtractor:
    pass


class FakeGraphRunner:
    """Answers each message with intent 'echo' and records every batch and target."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []

    def run(self, inputs: Dict[str, Any], targets: List[str]) -> Dict[str, List[Message]]:
        batch = inputs[PLACEHOLDER_MESSAGE]
        self.calls.append({"size": len(batch), "targets": targets})
        messages = []
        for user_message in batch:
            message = Message(data={"text": user_message.text})
            message.set("intent", {"name": "echo", "confidence": 0.5})
            message.set("entities", [{"entity": "service", "start": 0, "end": 2, "value": user_message.text[:2]}])
            messages.append(message)
        return {targets[0]: messages}


def _runner() -> tuple[ModelRunner, FakeGraphRunner]:
    nodes = {
        "nlu_message_converter": SimpleNamespace(uses=SimpleNamespace, needs={}),
        "run_DIETClassifier0": SimpleNamespace(uses=DIETClassifier, needs={"messages": "nlu_message_converter"}),
        "run_Spacy1": SimpleNamespace(uses=SpacyGazetteerExtractor, needs={"messages": "run_DIETClassifier0"}),
    }
    graph = FakeGraphRunner()
    processor = SimpleNamespace(
        model_metadata=SimpleNamespace(predict_schema=SimpleNamespace(nodes=nodes), nlu_target="run_Spacy1"),
        graph_runner=graph,
    )
    return ModelRunner(processor), graph


def test_texts_are_parsed_in_batches_and_kept_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(predict, "BATCH_SIZE", 2)
    runner, graph = _runner()
    texts = ["여권 발급", "hello", "세 번째"]
    predictions = runner.parse(texts)
    assert [call["size"] for call in graph.calls] == [2, 1]
    assert all(call["targets"] == ["run_Spacy1"] for call in graph.calls)
    assert [p.intent for p in predictions] == ["echo"] * 3
    assert predictions[0].entities == (Entity("service", 0, 2, "여권"),)
    assert predictions[1].entities[0].value == "he"


def test_without_stops_the_graph_before_that_component() -> None:
    runner, graph = _runner()
    assert runner.node_before("SpacyGazetteerExtractor") == "run_DIETClassifier0"
    runner.parse(["x"], without="SpacyGazetteerExtractor")
    assert graph.calls[-1]["targets"] == ["run_DIETClassifier0"]
    with pytest.raises(KeyError):
        runner.node_before("NoSuchComponent")
