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
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from enum import Enum
from typing import Dict, FrozenSet, Iterable, List, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from core.db import session_scope
from knowledge.importer import current_version
from knowledge.models import Service
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


@dataclass
class SearchResult:
    """Ranked candidates and the decision drawn from them.

    ``candidates`` holds the services to act on (one when clear, the close ones
    when ambiguous, none otherwise); ``ranking`` every service that matched at
    all, best first; ``suggestions`` the nearest services when nothing matched.
    """

    decision: Decision
    candidates: List[Candidate] = field(default_factory=list)
    ranking: List[Candidate] = field(default_factory=list)
    suggestions: List[Candidate] = field(default_factory=list)

    @property
    def best(self) -> Candidate | None:
        """The clear match, if there is one."""
        return self.candidates[0] if self.decision is Decision.CLEAR else None


@dataclass(frozen=True)
class _Phrase:
    service_id: str
    text: str
    morphemes: Tuple[str, ...]
    korean_key: str
    jamo: str
    syllables: FrozenSet[str]
    english: Tuple[str, ...]
    english_raw: Tuple[str, ...]
    specificity: float
    korean_limit: int


def _specificity(morphemes: Sequence[str], english: Sequence[str]) -> float:
    """How much a phrase says, from 0 to 1: a Hangul syllable weighs 2.5 letters,
    generic words ("발급", "apply") half; 5 letters give 0.57, 12 give 0.86."""
    weight = sum(2.5 * len(m) * (0.5 if m in GENERIC_KO else 1.0) for m in morphemes)
    weight += sum(len(w) * (0.5 if w in GENERIC_EN else 1.0) for w in english)
    return 1.0 - math.exp(-weight / 6.0)


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
        syllables=frozenset(key),
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


@dataclass(frozen=True)
class _Match:
    score: float
    evidence: str
    # Which parts of the query the match used: "k<jamo index>", "e<word index>.<n>".
    coverage: FrozenSet[str]


def _match_korean(phrase: _Phrase, query: _Query) -> Tuple[float, FrozenSet[str]] | None:
    limit = 0
    if phrase.korean_limit and len(phrase.syllables & query.syllables) * 2 >= len(phrase.syllables):
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


def _phrase_matches(phrase: _Phrase, query: _Query) -> List[_Match]:
    """The full match of one phrase, or else its partial (some words) matches."""
    korean = _match_korean(phrase, query) if phrase.korean_key else None
    words = [
        _match_english_word(stem, raw, query)
        for stem, raw in zip(phrase.english, phrase.english_raw, strict=True)
    ]
    english_full = bool(words) and all(score for score, _ in words)
    english_coverage = _word_units(index for score, index in words if score)
    if (korean or not phrase.korean_key) and (english_full or not phrase.english):
        quality = min([korean[0] if korean else 1.0] + [score for score, _ in words])
        coverage = (korean[1] if korean else frozenset()) | english_coverage
        evidence = f"ko:{phrase.korean_key}|en:{' '.join(phrase.english)}"
        return [_Match(quality * phrase.specificity, evidence, coverage)]
    matches: List[_Match] = []
    if len(phrase.english) > 1:
        matched = [stem for stem, (score, _) in zip(phrase.english, words, strict=True) if score]
        if any(stem not in GENERIC_EN for stem in matched):
            fraction = sum(map(len, matched)) / sum(map(len, phrase.english))
            score = 0.7 * _specificity((), matched) * fraction
            matches.append(_Match(score, "enp:" + " ".join(matched), english_coverage))
    if len(phrase.morphemes) > 1:
        matched = [m for m in phrase.morphemes if m in query.morphemes]
        if any(m not in GENERIC_KO and len(m) >= 2 for m in matched):
            fraction = sum(map(len, matched)) / len(phrase.korean_key)
            score = 0.7 * _specificity(matched, ()) * fraction
            matches.append(_Match(score, "kop:" + "".join(matched), query.morpheme_units(matched)))
    return matches


def _word_units(indices: Iterable[int | None]) -> FrozenSet[str]:
    """Coverage units of English words: three per word, so a word weighs about
    as much as a Hangul syllable (two or three jamo)."""
    return frozenset(f"e{index}.{part}" for index in indices if index is not None for part in range(3))


def _dominates(a: Candidate, b: Candidate) -> bool:
    """``a`` matched everything ``b`` matched in the query, and clearly more."""
    return b.coverage <= a.coverage and len(a.coverage - b.coverage) >= 2


class CatalogueIndex:
    """Phrases of every service, built from one catalogue version."""

    def __init__(self, version: int, names: Dict[str, Tuple[str, str]], phrases: List[_Phrase]) -> None:
        self.version = version
        self.names = names
        self.phrases = phrases

    @classmethod
    def from_engine(cls, engine: Engine) -> CatalogueIndex:
        """Read services and aliases from the database and analyse them."""
        with session_scope(engine) as session:
            version = current_version(session)
            services = session.scalars(select(Service).options(selectinload(Service.aliases))).all()
            rows = [(s.id, s.name_ko, s.name_en, [a.alias for a in s.aliases]) for s in services]
        names: Dict[str, Tuple[str, str]] = {}
        phrases: List[_Phrase] = []
        for service_id, name_ko, name_en, aliases in rows:
            names[service_id] = (name_ko, name_en)
            phrases.extend(build_phrases(service_id, [name_ko, name_en, *aliases]))
        return cls(version, names, phrases)

    def _candidate(
        self, service_id: str, score: float, evidence: Iterable[str] = (), coverage: Iterable[str] = ()
    ) -> Candidate:
        name_ko, name_en = self.names[service_id]
        return Candidate(
            service_id, round(score, 3), name_ko, name_en, frozenset(evidence), frozenset(coverage)
        )

    def score(self, text: str) -> List[Candidate]:
        """Every service with any evidence in ``text``, best first."""
        query = _Query.of(text)
        per_service: Dict[str, List[_Match]] = {}
        for phrase in self.phrases:
            for match in _phrase_matches(phrase, query):
                per_service.setdefault(phrase.service_id, []).append(match)
        ranking = []
        for service_id, matches in per_service.items():
            best: Dict[str, float] = {}
            coverage: set = set()
            for match in matches:
                best[match.evidence] = max(best.get(match.evidence, 0.0), match.score)
                coverage |= match.coverage
            scores = sorted(best.values(), reverse=True)
            total = scores[0] + (0.15 * scores[1] if len(scores) > 1 else 0.0)
            ranking.append(self._candidate(service_id, total, best, coverage))
        ranking.sort(key=lambda c: (-c.score, -len(c.coverage), c.service_id))
        return ranking

    def suggest(self, text: str, exclude: Iterable[str] = (), limit: int = 3) -> List[Candidate]:
        """Services whose names share the most letter pairs with ``text`` (for "did you mean")."""
        query = _bigrams(text)
        if not query:
            return []
        excluded = set(exclude)
        scored = []
        for service_id, (name_ko, name_en) in self.names.items():
            if service_id in excluded:
                continue
            similarity = max(_dice(query, _bigrams(name_ko)), _dice(query, _bigrams(name_en)))
            if similarity >= 0.3:
                scored.append((similarity, service_id))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [self._candidate(service_id, similarity, ()) for similarity, service_id in scored[:limit]]

    def search(self, text: str, exclude: Iterable[str] = ()) -> SearchResult:
        """Rank services for ``text`` and decide: clear, ambiguous or none.

        Services in ``exclude`` (ones the citizen turned away from) are left out
        before deciding, so the next best reading can be clear.
        """
        excluded = frozenset(exclude)
        ranking = [c for c in self.score(text) if c.service_id not in excluded]
        strong = [c for c in ranking if c.score >= MIN_SCORE]
        if not strong:
            suggestions = [c for c in ranking if c.score >= SUGGESTION_SCORE][:3]
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


def _bigrams(text: str) -> FrozenSet[str]:
    compact = "".join(text.lower().split())
    return frozenset(compact[i : i + 2] for i in range(len(compact) - 1))


def _dice(a: FrozenSet[str], b: FrozenSet[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


class CatalogueSearch:
    """Search over the catalogue in one database, kept in step with its version."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._index: CatalogueIndex | None = None
        self._lock = threading.Lock()

    def index(self) -> CatalogueIndex:
        """The index for the current catalogue version (rebuilt when it changed)."""
        with session_scope(self.engine) as session:
            version = current_version(session)
        with self._lock:
            if self._index is None or self._index.version != version:
                self._index = CatalogueIndex.from_engine(self.engine)
            return self._index

    def search(self, text: str, exclude: Iterable[str] = ()) -> SearchResult:
        """Resolve ``text`` (an entity value or a whole message) to services, less ``exclude``."""
        if not text or not text.strip():
            return SearchResult(Decision.NONE)
        return self.index().search(text, exclude)


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
