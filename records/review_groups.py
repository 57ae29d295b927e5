"""Unanswered questions grouped by similarity (issue 17, the dashboard).

Each (masked) question becomes a set of features: its content morphemes from
Kiwi (:mod:`core.kiwi`: nouns, verb and adjective stems, roots, foreign words)
and the character trigrams of its letters. Two questions are alike when the
Jaccard similarity of their morphemes, or of their trigrams, reaches :data:`SIMILARITY`; a group is a
connected set of alike questions. Blocking (Kiwi): run it in a thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, FrozenSet, List, Optional, Sequence

from core.kiwi import tokenize

SIMILARITY = 0.3
EXAMPLES_PER_GROUP = 5
_CONTENT_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "SL", "SH")
_LETTERS = re.compile(r"[^\w]+", re.UNICODE)
#: English words that say nothing about what was asked (Kiwi tags them all SL).
_STOPWORDS = frozenset({
    "a", "an", "the", "i", "me", "my", "you", "your", "we", "it", "is", "are", "am", "be", "do", "does", "did",
    "can", "could", "would", "will", "how", "what", "when", "where", "which", "who", "why", "to", "of", "in",
    "on", "for", "at", "by", "with", "and", "or", "not", "this", "that", "there", "please",
})


@dataclass(frozen=True)
class QuestionGroup:
    """Alike questions: how many, the words they share most, and a few masked examples."""

    count: int
    keywords: List[str]
    examples: List[str]
    latest: Optional[datetime]


def features(text: str) -> FrozenSet[str]:
    """The morphemes and character trigrams that stand for ``text``."""
    found = set()
    for token in tokenize(text):
        form = token.form.lower()
        if token.tag.startswith(_CONTENT_TAGS) and form not in _STOPWORDS:
            found.add(f"m:{form}")
    letters = _LETTERS.sub("", text.lower())
    found.update(f"c:{letters[i:i + 3]}" for i in range(max(0, len(letters) - 2)))
    if not found and letters:
        found.add(f"c:{letters}")
    return frozenset(found)


def _jaccard(left: FrozenSet[str], right: FrozenSet[str]) -> float:
    union = len(left | right)
    return len(left & right) / union if union else 0.0


def _similar(left: FrozenSet[str], right: FrozenSet[str]) -> bool:
    """Alike in their words or in their spelling (a typo keeps most trigrams)."""
    words = _jaccard(frozenset(f for f in left if f[0] == "m"), frozenset(f for f in right if f[0] == "m"))
    spelling = _jaccard(frozenset(f for f in left if f[0] == "c"), frozenset(f for f in right if f[0] == "c"))
    return max(words, spelling) >= SIMILARITY


def group_questions(
    texts: Sequence[str], times: Optional[Sequence[Optional[datetime]]] = None
) -> List[QuestionGroup]:
    """The questions in groups of alike ones, biggest group first (then the
    most recent); identical texts always share a group."""
    times = list(times) if times is not None else [None] * len(texts)
    feature_sets = [features(text) for text in texts]
    parent = list(range(len(texts)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for i in range(len(texts)):
        for j in range(i):
            if root(i) != root(j) and (texts[i] == texts[j] or _similar(feature_sets[i], feature_sets[j])):
                parent[root(i)] = root(j)
    members: Dict[int, List[int]] = {}
    for index in range(len(texts)):
        members.setdefault(root(index), []).append(index)
    groups = []
    for indexes in members.values():
        counts: Dict[str, int] = {}
        for index in indexes:
            for feature in feature_sets[index]:
                if feature.startswith("m:"):
                    counts[feature[2:]] = counts.get(feature[2:], 0) + 1
        keywords = [word for word, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:3]]
        ordered = sorted(indexes, key=lambda index: _seconds(times[index]), reverse=True)
        examples: List[str] = []
        for index in ordered:
            if texts[index] not in examples:
                examples.append(texts[index])
        moments = [times[index] for index in indexes if times[index] is not None]
        groups.append(QuestionGroup(len(indexes), keywords, examples[:EXAMPLES_PER_GROUP],
                                    max(moments) if moments else None))
    return sorted(groups, key=lambda group: (-group.count, -_seconds(group.latest), group.examples[0]))


def _seconds(moment: Optional[datetime]) -> float:
    return (moment - datetime(1970, 1, 1)).total_seconds() if moment is not None else float("-inf")
