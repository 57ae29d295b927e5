"""ServiceMentionIntent: a service named on its own or corrected is `inform`, other unsure guesses stay unsure."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu.components.service_mention import ServiceMentionIntent


def message(text: str, intent: str, confidence: float, services: List[str]) -> Message:
    entities: List[Dict[str, Any]] = []
    for words in services:
        start = text.index(words)
        entities.append({"entity": "service", "value": words, "start": start, "end": start + len(words)})
    return Message(data={
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}, {"name": "inform", "confidence": 0.1}],
        "entities": entities,
    })


@pytest.mark.parametrize(
    ("text", "services"),
    [("birth registration", ["birth registration"]), ("and driving licence renewal?", ["driving licence renewal"]),
     ("no not passport, driving licence renewal", ["passport", "driving licence renewal"]),
     ("운전면허 갱신은요?", ["운전면허 갱신"])],
)
def test_an_unsure_name_or_correction_is_inform(text: str, services: List[str]) -> None:
    [out] = ServiceMentionIntent(0.4).process([message(text, "ask_service_fee", 0.3, services)])
    assert out.get("intent") == {"name": "inform", "confidence": 0.4}
    assert out.get("intent_ranking")[0]["name"] == "inform"
    assert [item["name"] for item in out.get("intent_ranking")].count("inform") == 1


@pytest.mark.parametrize(
    ("text", "confidence", "services"),
    [("생계급여 신청하는데 통장 사본도 내야 해요?", 0.3, ["생계급여"]),  # a real question: stays unsure
     ("birth registration", 0.8, ["birth registration"]),  # confident: untouched
     ("asdf qwer", 0.2, []),  # no service
     ('/ask_service_fee{"service": "passport_reissue"}', 0.2, [])],
)
def test_everything_else_is_left_alone(text: str, confidence: float, services: List[str]) -> None:
    [out] = ServiceMentionIntent(0.4).process([message(text, "ask_service_documents", confidence, services)])
    assert out.get("intent")["name"] == "ask_service_documents"
