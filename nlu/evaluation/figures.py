"""All the figures of one model on one test split, as plain JSON-ready data."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from nlu.evaluation.examples import Entity, GoldExample
from nlu.evaluation.layout import LANGUAGES
from nlu.evaluation.metrics import (
    NLU_FALLBACK,
    OUT_OF_SCOPE,
    confused_pairs,
    entity_result,
    intent_result,
    label_recall,
)
from nlu.evaluation.predict import Prediction

# Entity types the report always lists, found or not (DESIGN.md contracts).
CONTRACT_ENTITIES = ("service", "application_number", "birth_date", "region", "language", "life_event")
WORST_PAIRS = 10


def figures_for(examples: Sequence[GoldExample], predictions: Sequence[Prediction]) -> Dict[str, Any]:
    """Intent, out-of-scope, confusion and entity figures of ``predictions``.

    ``examples`` and ``predictions`` are aligned by position.
    """
    if len(examples) != len(predictions):
        raise ValueError(f"{len(examples)} examples but {len(predictions)} predictions")
    gold = [example.intent for example in examples]
    predicted = [prediction.intent for prediction in predictions]
    intents = intent_result(gold, predicted)
    entities = entity_result(
        [example.text for example in examples],
        [example.entities for example in examples],
        [prediction.entities for prediction in predictions],
    )
    for entity in CONTRACT_ENTITIES:
        entities.tally(entity)
    return {
        "examples": intents.examples,
        "intent_accuracy": round(intents.accuracy, 4),
        "intent_macro_f1": round(intents.macro_f1, 4),
        "out_of_scope_recall": round(label_recall(gold, predicted, OUT_OF_SCOPE, {OUT_OF_SCOPE}), 4),
        "out_of_scope_or_fallback_recall": round(
            label_recall(gold, predicted, OUT_OF_SCOPE, {OUT_OF_SCOPE, NLU_FALLBACK}), 4
        ),
        "fallback_predictions": sum(1 for p in predicted if p == NLU_FALLBACK),
        "per_intent": {label: scores.as_dict() for label, scores in intents.per_intent.items()},
        "worst_confusions": [
            {"gold": g, "predicted": p, "count": n} for g, p, n in confused_pairs(gold, predicted, WORST_PAIRS)
        ],
        "entities": entities.as_dict(),
    }


def figures_by_language(
    examples: Sequence[GoldExample], predictions: Sequence[Prediction]
) -> Dict[str, Dict[str, Any]]:
    """``figures_for`` per language (ko, en, then others), plus ``all`` over every example."""
    order = {language: index for index, language in enumerate(LANGUAGES)}
    languages: List[str] = sorted({e.language for e in examples}, key=lambda lang: (order.get(lang, len(order)), lang))
    out = {}
    for language in languages:
        pairs = [(e, p) for e, p in zip(examples, predictions, strict=True) if e.language == language]
        out[language] = figures_for([e for e, _ in pairs], [p for _, p in pairs])
    out["all"] = figures_for(examples, predictions)
    return out


def errors(examples: Sequence[GoldExample], predictions: Sequence[Prediction]) -> List[Dict[str, Any]]:
    """Every misclassified example: where it is, its text, gold and predicted intent."""
    return [
        {
            "language": example.language,
            "source": example.source,
            "text": example.text,
            "gold": example.intent,
            "predicted": prediction.intent,
            "confidence": round(prediction.confidence, 3),
        }
        for example, prediction in zip(examples, predictions, strict=True)
        if example.intent != prediction.intent
    ]


def _spans(text: str, entities: Sequence[Entity]) -> str:
    """Entities as ``type:'text'`` for reading, in order of appearance."""
    return ", ".join(f"{e.entity}:{text[e.start:e.end]!r}" for e in sorted(entities, key=lambda e: e.start))


def entity_errors(examples: Sequence[GoldExample], predictions: Sequence[Prediction]) -> List[Dict[str, Any]]:
    """Every example whose predicted (type, start, end) set differs from the annotation."""
    out = []
    for example, prediction in zip(examples, predictions, strict=True):
        gold = {(e.entity, e.start, e.end) for e in example.entities}
        found = {(e.entity, e.start, e.end) for e in prediction.entities}
        if gold != found:
            out.append(
                {
                    "language": example.language,
                    "text": example.text,
                    "gold": _spans(example.text, example.entities),
                    "predicted": _spans(example.text, prediction.entities),
                }
            )
    return out
