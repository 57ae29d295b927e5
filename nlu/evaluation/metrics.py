"""Figures computed from gold labels and predictions; no model, no I/O.

Definitions (documented in nlu/README.md):

* Intent macro-F1 is the unweighted mean of per-intent F1 over the intents
  present in the gold labels of the set being scored. A prediction of a label
  that is not among them (``nlu_fallback``, or an intent absent from this
  language's test split) is a miss for the gold intent and adds to no one's F1.
* Entities are matched strictly: a prediction is correct when its type, start
  and end equal those of a gold annotation (one gold matches at most one
  prediction). Rasa's own ``rasa test nlu`` scores per token, which gives
  partial credit for overlapping spans; the strict match gives none.
  Values are checked separately, only where the annotation names a value that
  differs from its text (e.g. ``[English](language:en)``): extractors that
  normalise (application numbers, regions) are otherwise not penalised for
  spelling a value differently from how the citizen typed it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Sequence, Tuple

from nlu.evaluation.examples import Entity

OUT_OF_SCOPE = "out_of_scope"
NLU_FALLBACK = "nlu_fallback"


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 with the counts they come from."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 0 when nothing was predicted."""
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 0 when there is nothing to find."""
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall; 0 when both are 0."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def support(self) -> int:
        """Number of gold items (TP + FN)."""
        return self.true_positives + self.false_negatives

    def as_dict(self) -> Dict[str, float]:
        """The figures and counts, for the JSON report."""
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.support,
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


@dataclass(frozen=True)
class IntentResult:
    """Intent figures for one set of examples."""

    examples: int
    accuracy: float
    macro_f1: float
    per_intent: Dict[str, Scores]


def intent_result(gold: Sequence[str], predicted: Sequence[str]) -> IntentResult:
    """Accuracy, macro-F1 and per-intent scores of ``predicted`` against ``gold``."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    labels = sorted(set(gold))
    per_intent = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        per_intent[label] = Scores(tp, fp, fn)
    correct = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p)
    return IntentResult(
        examples=len(gold),
        accuracy=correct / len(gold) if gold else 0.0,
        macro_f1=sum(s.f1 for s in per_intent.values()) / len(labels) if labels else 0.0,
        per_intent=per_intent,
    )


def split_by_language(
    languages: Sequence[str], gold: Sequence[str], predicted: Sequence[str]
) -> Dict[str, Tuple[List[str], List[str]]]:
    """Gold and predicted labels grouped by the language of each example."""
    grouped: Dict[str, Tuple[List[str], List[str]]] = defaultdict(lambda: ([], []))
    for language, g, p in zip(languages, gold, predicted, strict=True):
        grouped[language][0].append(g)
        grouped[language][1].append(p)
    return dict(grouped)


def label_recall(gold: Sequence[str], predicted: Sequence[str], label: str, accepted: Iterable[str]) -> float:
    """Share of examples whose gold label is ``label`` and whose prediction is in ``accepted``.

    ``label_recall(g, p, "out_of_scope", {"out_of_scope"})`` is the strict
    out-of-scope recall; adding ``nlu_fallback`` counts a polite "I did not
    understand" as a correct refusal too. Returns 0 when ``label`` has no example.
    """
    accepted = set(accepted)
    relevant = [p for g, p in zip(gold, predicted, strict=True) if g == label]
    return sum(1 for p in relevant if p in accepted) / len(relevant) if relevant else 0.0


def confused_pairs(gold: Sequence[str], predicted: Sequence[str], top: int = 10) -> List[Tuple[str, str, int]]:
    """The ``top`` most frequent (gold, predicted, count) errors, most frequent first.

    Ties are ordered by gold then predicted label so the list is stable.
    """
    counts = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][0], item[0][1]))
    return [(g, p, n) for (g, p), n in ranked[:top]]


def confusion_matrix(gold: Sequence[str], predicted: Sequence[str]) -> Tuple[List[str], List[List[int]]]:
    """Labels (gold and predicted, sorted) and counts[gold_index][predicted_index]."""
    labels = sorted(set(gold) | set(predicted))
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    return labels, matrix


@dataclass
class EntityTally:
    """Running counts for one entity type: span matches and value checks."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    values_checked: int = 0
    values_agreed: int = 0

    def scores(self) -> Scores:
        """The span-match scores."""
        return Scores(self.true_positives, self.false_positives, self.false_negatives)


@dataclass
class EntityResult:
    """Per entity type: strict span scores and value agreement."""

    tallies: Dict[str, EntityTally] = field(default_factory=dict)

    def tally(self, entity: str) -> EntityTally:
        """The tally of ``entity``, created empty on first use."""
        return self.tallies.setdefault(entity, EntityTally())

    def as_dict(self) -> Dict[str, Dict[str, float]]:
        """Per type: precision, recall, F1, counts and value agreement."""
        out = {}
        for entity, tally in sorted(self.tallies.items()):
            row: Dict[str, float] = dict(tally.scores().as_dict())
            row["values_checked"] = tally.values_checked
            row["values_agreed"] = tally.values_agreed
            out[entity] = row
        return out


def value_is_explicit(gold: Entity, text: str) -> bool:
    """True when the annotation names a value other than the text it covers."""
    return gold.value != text[gold.start : gold.end]


def match_entities(
    text: str, gold: Iterable[Entity], predicted: Iterable[Entity], result: EntityResult
) -> None:
    """Add one example's strict span matches to ``result`` (see the module docstring)."""
    unmatched = list(predicted)
    for expected in gold:
        tally = result.tally(expected.entity)
        hit = next(
            (
                p
                for p in unmatched
                if (p.entity, p.start, p.end) == (expected.entity, expected.start, expected.end)
            ),
            None,
        )
        if hit is None:
            tally.false_negatives += 1
            continue
        unmatched.remove(hit)
        tally.true_positives += 1
        if value_is_explicit(expected, text):
            tally.values_checked += 1
            tally.values_agreed += int(hit.value == expected.value)
    for extra in unmatched:
        result.tally(extra.entity).false_positives += 1


def entity_result(
    texts: Sequence[str], gold: Sequence[Iterable[Entity]], predicted: Sequence[Iterable[Entity]]
) -> EntityResult:
    """Strict span-match scores per entity type over a list of examples."""
    result = EntityResult()
    for text, expected, found in zip(texts, gold, predicted, strict=True):
        match_entities(text, expected, found, result)
    return result
