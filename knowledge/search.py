"""Find the service a citizen means, from the ``service`` entity or a whole message.

The index is built from the catalogue in the database (names and aliases in both
languages), so a service staff add is found at once, without retraining. It is
rebuilt when the catalogue version changes; checking the version is one
primary-key read per search.

Matching, per phrase (a name or an alias):

* Korean: the phrase's content key ("여권재발급") must occur in the message's
  content key, allowing a few jamo edits for longer phrases (typos);
* English: every stemmed word of the phrase must occur among the message's
  words, in any order, allowing one or two letter edits for longer words;
* a phrase half-matched (some of its words) is weaker evidence that breaks ties.

A phrase's score is its match quality times its specificity (longer names say
more than "여권" or "tax"). A service scores its best phrase plus a little for
its second; the decision is one clear match, ambiguous (close candidates that
match different things) or none (with the nearest suggestions).

Speed, without changing any result (a catalogue of 11,000 services must
answer in milliseconds):

* the rules are applied only to the phrases :mod:`knowledge.search_index`
  finds for a message (jamo pieces and trigrams, morphemes, English word
  neighbourhoods), which are every phrase the rules can match;
  :meth:`CatalogueIndex.score_exhaustive` applies them to every phrase, and
  the tests hold the two to the same ranking;
* the decision reads only the strongest candidates: services are matched in
  order of the most their phrases can score (bounded from word counts the
  index sums for every phrase at once) until no other can reach the
  decision; the full ranking of every service with any evidence is made
  only when a caller reads :attr:`SearchResult.ranking`;
* phrases shared by several services are matched once, and a new catalogue
  version re-analyses only the services whose names changed.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, NamedTuple, Sequence, Tuple

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.db import session_scope
from knowledge.importer import current_version
from knowledge.models import CatalogueVersion, Service, ServiceAlias
from knowledge.search_index import NO_MATCH, Lookup, NameIndex, PhraseIndex, WordMatch
from knowledge.text import (
    AnalysedText,
    analyse,
    edit_distance,
    korean_parse_is_suspect,
    substring_alignment,
    to_jamo,
)

MIN_SCORE = 0.45  # below this a candidate is only a suggestion
MARGIN = 0.08  # a runner-up closer than this makes the answer ambiguous
SUGGESTION_SCORE = 0.2  # weaker partial matches are noise, not suggestions
MAX_QUERY_CHARS = 300
# A service scores its best evidence plus 0.15 of its second: at most 1.15 times its best phrase.
SECOND_EVIDENCE_CAP = 1.15
GENERIC_KO = frozenset(
    {
        "발급",
        "신청",
        "신고",
        "증명서",
        "서비스",
        "지원",
        "등록",
        "안내",
        "조회",
        "변경",
        "납부",
        "가입",
        "제도",
        "민원",
        "확인",
        "재발급",
        "사업",
        "급여",
        "보험",
        "세",
    }
)
GENERIC_EN = frozenset(
    {
        "apply",
        "applic",
        "fee",
        "cost",
        "document",
        "paper",
        "office",
        "certificat",
        "card",
        "issu",
        "regist",
        "registr",
        "report",
        "servic",
        "support",
        "program",
        "benefit",
        "new",
        "payment",
        "pay",
        "tax",
        "korea",
        "korean",
    }
)
_GENERIC_TAIL_KO = ("발급", "신청", "가입")
_HANGUL = re.compile(r"[가-힣0-9]")


class Decision(str, Enum):
    """What a search concluded."""

    CLEAR = "clear"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


@dataclass(frozen=True)
class Candidate:
    """A service that matched, with its score and the phrases that matched."""

    service_id: str
    score: float
    name_ko: str
    name_en: str
    evidence: FrozenSet[str] = frozenset()
    coverage: FrozenSet[str] = frozenset()

    def name(self, language: str) -> str:
        """The service's name in ``language``."""
        return self.name_en if language == "en" else self.name_ko


Ranking = List[Candidate]


class SearchResult:
    """Ranked candidates and the decision drawn from them.

    ``candidates`` holds the services to act on (one when clear, the close ones
    when ambiguous, none otherwise); ``ranking`` every service that matched at
    all, best first; ``suggestions`` the nearest services when nothing matched.
    The ranking may be given as a function that makes it: it is then made on
    first use (the decision never needs the weakest matches of a large
    catalogue, a caller that reads the whole ranking gets it all).
    """

    def __init__(
        self,
        decision: Decision,
        candidates: List[Candidate] | None = None,
        ranking: Ranking | Callable[[], Ranking] | None = None,
        suggestions: List[Candidate] | None = None,
    ) -> None:
        self.decision = decision
        self.candidates = candidates if candidates is not None else []
        self._ranking = ranking if ranking is not None else []
        self.suggestions = suggestions if suggestions is not None else []

    @property
    def ranking(self) -> Ranking:
        """Every service with any evidence, best first."""
        if callable(self._ranking):
            self._ranking = self._ranking()
        return self._ranking

    @property
    def best(self) -> Candidate | None:
        """The clear match, if there is one."""
        return self.candidates[0] if self.decision is Decision.CLEAR else None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchResult):
            return NotImplemented
        return (self.decision, self.candidates, self.ranking, self.suggestions) == (
            other.decision,
            other.candidates,
            other.ranking,
            other.suggestions,
        )

    def __repr__(self) -> str:
        return (
            f"SearchResult(decision={self.decision!r}, candidates={self.candidates!r}, "
            f"ranking={self.ranking!r}, suggestions={self.suggestions!r})"
        )


@dataclass(frozen=True, slots=True)
class _Phrase:
    """A name or alias of a service, analysed for matching (slots and strings:
    a large catalogue holds many, and the garbage collector walks them all)."""

    service_id: str
    text: str
    morphemes: Tuple[str, ...]
    korean_key: str
    jamo: str
    # The distinct syllables of the key, as a string.
    syllables: str
    english: Tuple[str, ...]
    english_raw: Tuple[str, ...]
    specificity: float
    korean_limit: int


def _specificity(morphemes: Sequence[str], english: Sequence[str]) -> float:
    """How much a phrase says, from 0 to 1: a Hangul syllable weighs 2.5 letters,
    generic words ("발급", "apply") half; 5 letters give 0.57, 12 give 0.86."""
    weight = sum(_korean_weight(m) for m in morphemes)
    weight += sum(_english_weight(w) for w in english)
    return 1.0 - math.exp(-weight / 6.0)


def _korean_weight(morpheme: str) -> float:
    """What a Korean morpheme adds to a phrase's specificity weight."""
    return 2.5 * len(morpheme) * (0.5 if morpheme in GENERIC_KO else 1.0)


def _english_weight(stem: str) -> float:
    """What an English stem adds to a phrase's specificity weight."""
    return len(stem) * (0.5 if stem in GENERIC_EN else 1.0)


def _korean_limit(jamo: str) -> int:
    """How many jamo edits a Korean phrase tolerates (none for short names)."""
    length = len(jamo)
    if length < 7:
        return 0
    if length < 14:
        return 1
    return 2 if length < 24 else 3


def _english_limit(word: str) -> int:
    if len(word) <= 4:
        return 0
    return 1 if len(word) <= 8 else 2


def _phrase_variants(text: str) -> List[str]:
    """The phrase plus its parts: "운전면허 갱신 (적성검사)" -> also "운전면허 갱신", "적성검사"."""
    variants = [text]
    if "(" in text and ")" in text:
        outside = (text[: text.index("(")] + text[text.index(")") + 1 :]).strip()
        inside = text[text.index("(") + 1 : text.index(")")].strip()
        variants += [part for part in (outside, inside) if part]
    return variants


def _make_phrase(service_id: str, text: str, analysed: AnalysedText) -> _Phrase | None:
    key = analysed.korean_key
    if not key and not analysed.english_raw:
        return None
    jamo = to_jamo(key)
    return _Phrase(
        service_id=service_id,
        text=text,
        morphemes=analysed.morphemes,
        korean_key=key,
        jamo=jamo,
        syllables="".join(sorted(set(key))),
        english=analysed.english,
        english_raw=analysed.english_raw,
        specificity=_specificity(analysed.morphemes, analysed.english),
        korean_limit=_korean_limit(jamo),
    )


def build_phrases(service_id: str, names: Iterable[str]) -> List[_Phrase]:
    """Index phrases for one service from its names and aliases (both languages)."""
    phrases: Dict[Tuple[Tuple[str, ...], Tuple[str, ...]], _Phrase] = {}
    for name in names:
        for variant in _phrase_variants(name):
            analysed = analyse(variant)
            hangul = "".join(_HANGUL.findall(variant))
            if len(analysed.korean_key) < 0.8 * len(hangul) and korean_parse_is_suspect(variant):
                # The analyser dropped part of a name it does not know (a typo
                # alias such as "주민등록초븐"): keep the name's words whole.
                analysed = AnalysedText(
                    tuple("".join(_HANGUL.findall(w)) for w in variant.split() if _HANGUL.search(w)),
                    analysed.english_raw,
                )
            candidates = [analysed]
            morphemes = analysed.morphemes
            # "주민등록등본 발급" is also asked for as just "주민등록등본".
            if len(morphemes) > 1 and morphemes[-1] in _GENERIC_TAIL_KO and len("".join(morphemes[:-1])) >= 3:
                candidates.append(AnalysedText(morphemes[:-1], analysed.english_raw))
            for candidate in candidates:
                phrase = _make_phrase(service_id, variant, candidate)
                if phrase is None:
                    continue
                # Short parts in brackets ("신규", "교통") say too little alone.
                if variant != name and phrase.specificity < 0.75:
                    continue
                phrases.setdefault((candidate.morphemes, candidate.english), phrase)
    return list(phrases.values())


@dataclass(frozen=True)
class _Query:
    """A message prepared for matching: Korean key in jamo, English words."""

    analysed: AnalysedText
    jamo: str
    syllables: FrozenSet[str]
    morphemes: FrozenSet[str]
    english: Tuple[str, ...]
    # Jamo offsets where a morpheme starts or ends.
    boundaries: FrozenSet[int]
    # Jamo offsets (start, end) of each morpheme, in order.
    spans: Tuple[Tuple[int, int], ...]
    # What partial matches of this message work out, by the words matched
    # (many phrases match the same words): filled as the search goes.
    memo: Dict[Tuple[str, Tuple[Any, ...]], Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, text: str) -> _Query:
        analysed = analyse(text[:MAX_QUERY_CHARS])
        spans: List[Tuple[int, int]] = []
        position = 0
        for morpheme in analysed.morphemes:
            spans.append((position, position + len(to_jamo(morpheme))))
            position = spans[-1][1]
        return cls(
            analysed,
            to_jamo(analysed.korean_key),
            frozenset(analysed.korean_key),
            frozenset(analysed.morphemes),
            analysed.english,
            frozenset([0, *(end for _, end in spans)]),
            tuple(spans),
        )

    def morphemes_between(self, start: int, end: int) -> Tuple[str, ...]:
        """The query's morphemes that lie wholly between jamo offsets ``start`` and ``end``."""
        return tuple(
            morpheme
            for morpheme, (begin, finish) in zip(self.analysed.morphemes, self.spans, strict=True)
            if begin >= start and finish <= end
        )

    def morpheme_units(self, matched: Sequence[str]) -> FrozenSet[str]:
        """Coverage units of the query morphemes ``matched`` (a partial match,
        in the phrase's order).

        A morpheme the query has twice ("여권 재발급이랑 주민등록증 재발급")
        counts where it follows the phrase's order around its first specific
        morpheme, so a partial match does not claim a word from another part
        of the message.
        """
        morphemes = self.analysed.morphemes
        at = next((k for k, m in enumerate(matched) if m not in GENERIC_KO and len(m) >= 2), 0)
        anchor = morphemes.index(matched[at])
        chosen = [anchor]
        previous = anchor
        for morpheme in matched[at + 1 :]:
            previous = self._occurrence(morpheme, anchor, after=previous)
            chosen.append(previous)
        following = anchor
        for morpheme in reversed(matched[:at]):
            following = self._occurrence(morpheme, anchor, before=following)
            chosen.append(following)
        return frozenset(
            f"k{unit}" for index in chosen for unit in range(self.spans[index][0], self.spans[index][1])
        )

    def _occurrence(self, morpheme: str, anchor: int, after: int = -1, before: int | None = None) -> int:
        """The index of ``morpheme`` nearest ``anchor`` among its occurrences
        after ``after`` and before ``before`` (or among all, when none is)."""
        found = [i for i, m in enumerate(self.analysed.morphemes) if m == morpheme]
        limit = len(self.analysed.morphemes) if before is None else before
        ordered = [i for i in found if after < i < limit] or found
        return min(ordered, key=lambda i: abs(i - anchor))


def _is_subsequence(short: Sequence[str], long: Sequence[str]) -> bool:
    """Every item of ``short`` occurs in ``long``, in the same order."""
    remaining = iter(long)
    return all(item in remaining for item in short)


class _Match(NamedTuple):
    score: float
    evidence: str
    # Which parts of the query the match used: "k<jamo index>", "e<word index>.<n>".
    coverage: FrozenSet[str]


def _match_korean(phrase: _Phrase, query: _Query) -> Tuple[float, FrozenSet[str]] | None:
    limit = 0
    if phrase.korean_limit and len(query.syllables.intersection(phrase.syllables)) * 2 >= len(phrase.syllables):
        limit = phrase.korean_limit
    alignment = substring_alignment(phrase.jamo, query.jamo, limit)
    if alignment is None:
        return None
    edits, start, end = alignment
    # A typo changes letters inside words; a near match that starts or ends
    # inside a word of the query ("자동차세" in "자동차 서류") is a coincidence.
    if edits and not (start in query.boundaries and end in query.boundaries):
        return None
    # Nor is a whole word more or less a typo: "외국인등록증 발급" inside
    # "외국인등록증 재발급" (or the other way round) names another service.
    if edits:
        typed = query.morphemes_between(start, end)
        if _is_subsequence(typed, phrase.morphemes) or _is_subsequence(phrase.morphemes, typed):
            return None
    return 1.0 - 0.1 * edits, frozenset(f"k{i}" for i in range(start, end))


def _match_english_word(stem: str, raw: str, query: _Query) -> Tuple[float, int | None]:
    best: Tuple[float, int | None] = (0.0, None)
    for index, (query_stem, query_raw) in enumerate(
        zip(query.english, query.analysed.english_raw, strict=True)
    ):
        if query_stem == stem or query_raw == raw:
            return 1.0, index
        distances = [
            d
            for d in (
                edit_distance(raw, query_raw, _english_limit(raw)),
                edit_distance(stem, query_stem, _english_limit(stem)),
            )
            if d is not None
        ]
        if distances and 1.0 - 0.1 * min(distances) > best[0]:
            best = (1.0 - 0.1 * min(distances), index)
    return best


def _phrase_matches(
    phrase: _Phrase, query: _Query, words: Sequence[WordMatch], korean_possible: bool = True
) -> List[_Match]:
    """The full match of one phrase, or else its partial (some words) matches.

    ``words`` holds the best match of each English phrase word in the query
    (:func:`_match_english_word`); ``korean_possible`` False says the whole
    Korean phrase cannot occur in the query (the index ruled it out).
    """
    korean = _match_korean(phrase, query) if phrase.korean_key and korean_possible else None
    english_full = bool(words) and all(score for score, _ in words)
    english_coverage = _word_units_of(query, tuple(index for score, index in words if score))
    if (korean or not phrase.korean_key) and (english_full or not phrase.english):
        quality = min([korean[0] if korean else 1.0] + [score for score, _ in words])
        coverage = (korean[1] if korean else frozenset()) | english_coverage
        evidence = f"ko:{phrase.korean_key}|en:{' '.join(phrase.english)}"
        return [_Match(quality * phrase.specificity, evidence, coverage)]
    matches: List[_Match] = []
    if len(phrase.english) > 1:
        matched = tuple(stem for stem, (score, _) in zip(phrase.english, words, strict=True) if score)
        weight, evidence = _partial_english(query, matched)
        if evidence:
            fraction = sum(map(len, matched)) / sum(map(len, phrase.english))
            matches.append(_Match(weight * fraction, evidence, english_coverage))
    korean_part = _korean_partial_match(phrase, query)
    if korean_part is not None:
        matches.append(korean_part)
    return matches


def _korean_partial_match(phrase: _Phrase, query: _Query) -> _Match | None:
    """The match of the query morphemes found among a phrase's several
    morphemes, when one of them is specific."""
    if len(phrase.morphemes) < 2:
        return None
    matched = tuple(m for m in phrase.morphemes if m in query.morphemes)
    weight, evidence, units, size = _partial_korean(query, matched)
    if not evidence:
        return None
    return _Match(weight * (size / len(phrase.korean_key)), evidence, units)


def _partial_english(query: _Query, matched: Tuple[str, ...]) -> Tuple[float, str]:
    """The weight (0.7 times specificity) and evidence of English words ``matched``
    in part of a phrase; weight 0 when none of them is specific."""
    key = ("en", matched)
    found = query.memo.get(key)
    if found is None:
        if any(stem not in GENERIC_EN for stem in matched):
            found = (0.7 * _specificity((), matched), "enp:" + " ".join(matched))
        else:
            found = (0.0, "")
        query.memo[key] = found
    return found


def _partial_korean(query: _Query, matched: Tuple[str, ...]) -> Tuple[float, str, FrozenSet[str], int]:
    """The weight, evidence, coverage and length in syllables of the query
    morphemes ``matched`` in part of a phrase; no evidence when none of them
    is specific."""
    key = ("ko", matched)
    found = query.memo.get(key)
    if found is None:
        if any(m not in GENERIC_KO and len(m) >= 2 for m in matched):
            found = (
                0.7 * _specificity(matched, ()),
                "kop:" + "".join(matched),
                query.morpheme_units(matched),
                sum(map(len, matched)),
            )
        else:
            found = (0.0, "", frozenset(), 0)
        query.memo[key] = found
    return found


def _word_units_of(query: _Query, indices: Tuple[int | None, ...]) -> FrozenSet[str]:
    """:func:`_word_units` of ``indices``, worked out once per query."""
    key = ("units", indices)
    found = query.memo.get(key)
    if found is None:
        found = query.memo[key] = _word_units(indices)
    return found


def _word_units(indices: Iterable[int | None]) -> FrozenSet[str]:
    """Coverage units of English words: three per word, so a word weighs about
    as much as a Hangul syllable (two or three jamo)."""
    return frozenset(f"e{index}.{part}" for index in indices if index is not None for part in range(3))


@dataclass
class _Memo:
    """What one search worked out: matches by phrase, candidates by service."""

    shapes: Dict[int, List[_Match]] = field(default_factory=dict)
    services: Dict[str, Candidate | None] = field(default_factory=dict)


def _strong_bar(chosen: Sequence[Candidate]) -> float:
    """The least score that can still take part in a clear or ambiguous decision,
    given the candidates found so far: a strong one within :data:`MARGIN` of the
    best, or 0.7 of it for another part of the message."""
    if not chosen:
        return MIN_SCORE
    top = max(c.score for c in chosen)
    return max(MIN_SCORE, min(top - MARGIN, 0.7 * top))


def _suggestion_bar(chosen: Sequence[Candidate]) -> float:
    """The least score that can still be among the three suggestions."""
    if len(chosen) < 3:
        return SUGGESTION_SCORE
    return max(SUGGESTION_SCORE, sorted((c.score for c in chosen), reverse=True)[2])


def _ranking_order(candidate: Candidate) -> Tuple[float, int, str]:
    """Best score first, then the most of the query used, then by id."""
    return (-candidate.score, -len(candidate.coverage), candidate.service_id)


def _partial_bound(size: np.ndarray, weight: np.ndarray, length: np.ndarray) -> np.ndarray:
    """The most a partial match can score (:func:`_phrase_matches`: 0.7 times the
    specificity of the words matched times their share of the phrase), from
    their length and specificity weight and the phrase's length; a hair over,
    so a different order of additions never puts a phrase under its score."""
    specificity = 1.0 - np.exp(-weight * (1 + 1e-9) / 6.0)
    share = np.divide(size, length, out=np.zeros_like(size), where=length > 0)
    return 0.7 * specificity * share * (1 + 1e-9)


def _dominates(a: Candidate, b: Candidate) -> bool:
    """``a`` matched everything ``b`` matched in the query, and clearly more."""
    return b.coverage <= a.coverage and len(a.coverage - b.coverage) >= 2


Names = Dict[str, Tuple[str, str]]
# Phrases already analysed, by service and its names in order (kept across
# catalogue versions, so a change re-analyses only the services it touched).
PhraseCache = Dict[Tuple[str, Tuple[str, ...]], Tuple[_Phrase, ...]]


class CatalogueIndex:
    """Phrases of every service, built from one catalogue version, with the
    indexes that find the phrases a message can match."""

    def __init__(self, version: int, names: Names, phrases: List[_Phrase]) -> None:
        self.version = version
        self.names = names
        self.phrases = phrases
        # Phrases with the same words (in several services) are matched once.
        shapes: Dict[Tuple[Tuple[str, ...], Tuple[str, ...]], int] = {}
        self._shapes: List[_Phrase] = []
        owners: List[List[str]] = []
        service_shapes: Dict[str, List[int]] = {}
        for phrase in phrases:
            key = (phrase.morphemes, phrase.english_raw)
            number = shapes.get(key)
            if number is None:
                number = shapes[key] = len(self._shapes)
                self._shapes.append(phrase)
                owners.append([])
            owners[number].append(phrase.service_id)
            service_shapes.setdefault(phrase.service_id, []).append(number)
        # Tuples: the garbage collector stops walking them.
        self._owners: List[Tuple[str, ...]] = [tuple(services) for services in owners]
        self._service_shapes: Dict[str, Tuple[int, ...]] = {
            service_id: tuple(numbers) for service_id, numbers in service_shapes.items()
        }
        self._index = PhraseIndex(
            self._shapes, _english_limit, GENERIC_EN, GENERIC_KO, _korean_weight, _english_weight
        )
        self._korean_length = np.array([len(p.korean_key) for p in self._shapes], dtype=np.float64)
        self._english_length = np.array([sum(map(len, p.english)) for p in self._shapes], dtype=np.float64)
        self._several_morphemes = np.array([len(p.morphemes) > 1 for p in self._shapes], dtype=bool)
        self._word_count = np.array([len(p.english) for p in self._shapes], dtype=np.float64)
        # The most a phrase that may match whole can score: its specificity, or
        # a partial match (at most 0.7), a hair over.
        self._whole_bound = np.array([max(p.specificity, 0.7) * (1 + 1e-9) for p in self._shapes])
        self._names = NameIndex(names)

    @classmethod
    def from_engine(cls, engine: Engine, cache: PhraseCache | None = None) -> CatalogueIndex:
        """Read services and aliases from the database and analyse them.

        ``cache`` holds phrases analysed for an earlier version: a service
        whose names did not change reuses them. It is updated to hold exactly
        the current catalogue's phrases.
        """
        with session_scope(engine) as session:
            version = current_version(session)
            services = session.execute(
                select(Service.id, Service.name_ko, Service.name_en).order_by(Service.id)
            ).all()
            aliases: Dict[str, List[str]] = {}
            for service_id, alias in session.execute(
                select(ServiceAlias.service_id, ServiceAlias.alias).order_by(
                    ServiceAlias.service_id, ServiceAlias.position, ServiceAlias.id
                )
            ):
                aliases.setdefault(service_id, []).append(alias)
        cache = {} if cache is None else cache
        current: PhraseCache = {}
        names: Names = {}
        phrases: List[_Phrase] = []
        for service_id, name_ko, name_en in services:
            names[service_id] = (name_ko, name_en)
            key = (service_id, (name_ko, name_en, *aliases.get(service_id, ())))
            built = cache.get(key)
            if built is None:
                built = tuple(build_phrases(service_id, key[1]))
            current[key] = built
            phrases.extend(built)
        cache.clear()
        cache.update(current)
        return cls(version, names, phrases)

    def _candidate(
        self, service_id: str, score: float, evidence: Iterable[str] = (), coverage: Iterable[str] = ()
    ) -> Candidate:
        name_ko, name_en = self.names[service_id]
        return Candidate(
            service_id, round(score, 3), name_ko, name_en, frozenset(evidence), frozenset(coverage)
        )

    def _lookup(self, query: _Query) -> Lookup:
        return self._index.lookup(query.jamo, query.morphemes, query.english, query.analysed.english_raw)

    def _shape_matches(self, number: int, query: _Query, found: Lookup) -> List[_Match]:
        """The matches of phrase ``number`` (:func:`_phrase_matches`, told what the index found)."""
        pairs = self._index.phrase_words[number]
        words, korean = found.words, found.korean
        if number in korean or not words.keys().isdisjoint(pairs):
            matched = [words.get(pair, NO_MATCH) for pair in pairs]
            return _phrase_matches(self._shapes[number], query, matched, number in korean)
        # Neither the whole phrase nor any English word of it can match: only
        # some of its Korean morphemes (as _phrase_matches would find).
        part = _korean_partial_match(self._shapes[number], query)
        return [part] if part is not None else []

    def score(self, text: str) -> List[Candidate]:
        """Every service with any evidence in ``text``, best first.

        Only the phrases the index finds for ``text`` are matched; the
        ranking is the one :meth:`score_exhaustive` gives.
        """
        query = _Query.of(text)
        return self._score(query, self._lookup(query))

    def _score(self, query: _Query, found: Lookup) -> List[Candidate]:
        per_service: Dict[str, List[_Match]] = {}
        for number in found.phrases():
            matches = self._shape_matches(number, query, found)
            if matches:
                for service_id in self._owners[number]:
                    per_service.setdefault(service_id, []).extend(matches)
        ranking = [self._service_candidate(service_id, matches) for service_id, matches in per_service.items()]
        ranking.sort(key=_ranking_order)
        return ranking

    def score_exhaustive(self, text: str) -> List[Candidate]:
        """:meth:`score` by matching every phrase of the catalogue (the reference the index must equal)."""
        query = _Query.of(text)
        per_service: Dict[str, List[_Match]] = {}
        for phrase in self.phrases:
            words = [
                _match_english_word(stem, raw, query)
                for stem, raw in zip(phrase.english, phrase.english_raw, strict=True)
            ]
            for match in _phrase_matches(phrase, query, words):
                per_service.setdefault(phrase.service_id, []).append(match)
        ranking = [self._service_candidate(service_id, matches) for service_id, matches in per_service.items()]
        ranking.sort(key=_ranking_order)
        return ranking

    def _service_candidate(self, service_id: str, matches: Sequence[_Match]) -> Candidate:
        """A service's candidate from its matches: its best evidence plus a little of its second."""
        best: Dict[str, float] = {}
        coverage: set = set()
        for match in matches:
            best[match.evidence] = max(best.get(match.evidence, 0.0), match.score)
            coverage |= match.coverage
        scores = sorted(best.values(), reverse=True)
        total = scores[0] + (0.15 * scores[1] if len(scores) > 1 else 0.0)
        return self._candidate(service_id, total, best, coverage)

    def _select(
        self,
        query: _Query,
        found: Lookup,
        excluded: FrozenSet[str],
        bar: Callable[[Sequence[Candidate]], float],
        memo: _Memo,
    ) -> List[Candidate]:
        """The candidates (less ``excluded``) that score at least ``bar(chosen)``,
        in the ranking's order, where ``chosen`` are those found so far.

        ``bar`` never falls as ``chosen`` grows, and any candidates give a bar
        no higher than all would. Services are matched in order of
        the most their phrases can score, and the search stops when that is
        under the bar: a service scores at most 1.15 times its best phrase; a
        phrase that can only match in part at most 0.7 times the specificity of
        the words it shares times their share of the phrase (the index counts
        these for every phrase at once); one that may match whole at most its
        specificity. Candidates under the bar may be among those returned.
        """
        counts = found.counts()
        ids = counts.ids
        korean = np.where(
            self._several_morphemes[ids],
            _partial_bound(counts.korean_size, counts.korean_weight, self._korean_length[ids]),
            0.0,
        )
        words = self._word_count[ids]
        english = np.where(
            words > 1, _partial_bound(counts.english_size, counts.english_weight, self._english_length[ids]), 0.0
        )
        bound = np.maximum(korean, english)
        # A phrase whose every word matches may match whole: up to its specificity.
        whole = (words > 0) & (counts.english_words >= words)
        bound[whole] = np.maximum(bound[whole], self._whole_bound[ids[whole]])
        if found.korean:
            numbers = np.fromiter(found.korean, dtype=np.int64, count=len(found.korean))
            ids = np.concatenate([ids, numbers])
            bound = np.concatenate([bound, self._whole_bound[numbers]])
        # A phrase must be able to reach the bar (less the rounding of scores).
        limit = (bar([]) - 0.001) / SECOND_EVIDENCE_CAP
        keep = bound >= limit
        ids, bound = ids[keep], bound[keep]
        order = np.argsort(-bound, kind="stable")
        chosen: List[Candidate] = []
        for number, most in zip(ids[order].tolist(), bound[order].tolist(), strict=True):
            if most < limit:
                break
            for service_id in self._owners[number]:
                if service_id in excluded or service_id in memo.services:
                    continue
                candidate = memo.services[service_id] = self._evaluate(service_id, query, found, memo)
                if candidate is not None:
                    chosen.append(candidate)
                    limit = (bar(chosen) - 0.001) / SECOND_EVIDENCE_CAP
        # Services matched for an earlier, lower bar count too.
        seen = {c.service_id for c in chosen}
        chosen += [
            c
            for service_id, c in memo.services.items()
            if c is not None and service_id not in seen and service_id not in excluded and c.score >= bar(chosen)
        ]
        chosen.sort(key=_ranking_order)
        return chosen

    def _evaluate(self, service_id: str, query: _Query, found: Lookup, memo: _Memo) -> Candidate | None:
        """The service's candidate for the query (None without evidence), from all its phrases."""
        matches: List[_Match] = []
        for number in self._service_shapes[service_id]:
            shape_matches = memo.shapes.get(number)
            if shape_matches is None:
                shape_matches = memo.shapes[number] = self._shape_matches(number, query, found)
            matches.extend(shape_matches)
        return self._service_candidate(service_id, matches) if matches else None

    def suggest(self, text: str, exclude: Iterable[str] = (), limit: int = 3) -> List[Candidate]:
        """Services whose names share the most letter pairs with ``text`` (for "did you mean"):
        a Dice similarity of at least 0.3 over the letter pairs of either name, best first."""
        excluded = set(exclude)
        scored = [
            (similarity, service_id)
            for service_id, similarity in self._names.similar(text, 0.3).items()
            if service_id not in excluded
        ]
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [self._candidate(service_id, similarity, ()) for similarity, service_id in scored[:limit]]

    def search(self, text: str, exclude: Iterable[str] = ()) -> SearchResult:
        """Rank services for ``text`` and decide: clear, ambiguous or none.

        Services in ``exclude`` (ones the citizen turned away from) are left out
        before deciding, so the next best reading can be clear.
        """
        excluded = frozenset(exclude)
        query = _Query.of(text)
        found = self._lookup(query)

        def ranking() -> Ranking:
            return [c for c in self._score(query, found) if c.service_id not in excluded]

        # The decision reads only the strongest candidates (in the ranking's
        # order): matching the rest waits until the ranking is asked for.
        memo = _Memo()
        strong = [c for c in self._select(query, found, excluded, _strong_bar, memo) if c.score >= MIN_SCORE]
        if not strong:
            nearest = self._select(query, found, excluded, _suggestion_bar, memo)
            suggestions = [c for c in nearest if c.score >= SUGGESTION_SCORE][:3]
            if len(suggestions) < 3:
                known = [*excluded, *(c.service_id for c in suggestions)]
                suggestions += self.suggest(text, known, 3 - len(suggestions))
            return SearchResult(Decision.NONE, [], ranking, suggestions)
        top = strong[0]
        # Close scores are ambiguous; so is a second service named in another
        # part of the message ("여권 재발급이랑 주민등록증 재발급").
        group = [top] + [
            c
            for c in strong[1:]
            if top.score - c.score < MARGIN or (not c.coverage & top.coverage and c.score >= 0.7 * top.score)
        ]
        # A candidate that only matched part of what another matched ("여권"
        # inside "여권 재발급", "주민등록" inside a mistyped "주민등록등분") is
        # a shorter reading of the same words, not a real alternative.
        group = [c for c in group if not any(_dominates(other, c) for other in group if other is not c)]
        if len(group) == 1:
            return SearchResult(Decision.CLEAR, group, ranking)
        return SearchResult(Decision.AMBIGUOUS, group[:4], ranking)


class CatalogueSearch:
    """Search over the catalogue in one database, kept in step with its version."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._index: CatalogueIndex | None = None
        self._phrases: PhraseCache = {}
        self._lock = threading.Lock()

    def index(self) -> CatalogueIndex:
        """The index for the current catalogue version (rebuilt when it changed;
        only services whose names changed are analysed again)."""
        version = _catalogue_version(self.engine)
        with self._lock:
            if self._index is None or self._index.version != version:
                self._index = CatalogueIndex.from_engine(self.engine, self._phrases)
            return self._index

    def search(self, text: str, exclude: Iterable[str] = ()) -> SearchResult:
        """Resolve ``text`` (an entity value or a whole message) to services, less ``exclude``."""
        if not text or not text.strip():
            return SearchResult(Decision.NONE)
        return self.index().search(text, exclude)


_VERSION = select(CatalogueVersion.version).where(CatalogueVersion.id == 1)


def _catalogue_version(engine: Engine) -> int:
    """:func:`knowledge.importer.current_version`, read on a bare connection
    (a sixth of the cost of an ORM session, and it is read on every search)."""
    with engine.connect() as connection:
        return int(connection.execute(_VERSION).scalar() or 0)


_searches: Dict[str, CatalogueSearch] = {}
_searches_lock = threading.Lock()


def get_search(engine: Engine) -> CatalogueSearch:
    """The shared :class:`CatalogueSearch` for ``engine`` (one per database URL)."""
    key = str(engine.url)
    with _searches_lock:
        search = _searches.get(key)
        if search is None or search.engine is not engine:
            search = _searches[key] = CatalogueSearch(engine)
        return search
