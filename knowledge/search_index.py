"""Inverted indexes that find the few catalogue phrases a message can match.

:mod:`knowledge.search` scores a phrase (a service name or alias) against a
message with exact rules; this module finds, without looking at every phrase,
the phrases those rules could give any evidence for. It is lossless: every
phrase that the rules would match, fully or in part, is among the candidates,
so a search over the candidates ranks exactly as a search over the whole
catalogue. What each rule needs, and what the index keys on:

* **Korean, whole phrase** (the phrase's jamo occur in the message's jamo with
  at most *k* edits, *k* = the phrase's ``korean_limit``, 0 to 3). The phrase's
  jamo are cut into *k* + 1 pieces: *k* edits can spoil at most *k* of them, so
  one piece occurs in the message exactly (the pigeonhole principle). Each
  piece (its first :data:`MAX_PIECE` jamo when longer) is a key, and a message
  looks up every stretch of its jamo of a key's length. A phrase longer than
  the message by more than *k* jamo is dropped, and so is one with more than
  *k* jamo outside its longest common subsequence with the message (each of
  those costs an edit; rapidfuzz measures it for all candidates at once).
* **Korean, part of a phrase** (a specific morpheme of a phrase of several
  morphemes is among the message's morphemes): phrases are listed under each
  morpheme of two or more syllables that is not generic.
* **English** (a phrase word equals a message word, by stem or as typed, or is
  within its edit limit of one: 0 edits up to 4 letters, 1 up to 8, 2 beyond).
  Words are found through their deletion neighbourhoods: two words within *k*
  edits can both be turned into one string by deleting at most *k* letters
  from each. The index holds every phrase word's deletions (up to its own
  limit), a message word tries its deletions up to the largest limit, and
  each word found is confirmed with the exact Levenshtein distance
  (rapidfuzz). A phrase is listed under its non-generic words (a whole match
  needs every word, a partial one a non-generic word); a phrase of only
  generic words ("tax payment") under all of them.

What it can miss: nothing that the rules above match. The guarantee rests on
the limits the phrases carry (``korean_limit``, the English limit function
given to :class:`PhraseIndex`) and on the generic word lists given to it; a
change to the matching rules in :mod:`knowledge.search` that looks further
(more edits, a new kind of partial match) needs the matching key here, and
``tests/knowledge/test_search_index.py`` compares the index with a search
over every phrase to catch that.

For ranking only the strongest matches, :class:`MatchCounts` sums, for every
phrase a message touches at once (with numpy), how much of it the message's
morphemes and words cover, from which :mod:`knowledge.search` bounds what a
partial match can score.

:class:`NameIndex` does the same for "did you mean" suggestions: the letter
pairs of each service's names, counted over the names that share a pair with
the message (Dice similarity, exactly as over every name).

Built indexes hold tuples, strings and arrays rather than lists and sets, so
the garbage collector does not walk a large catalogue on every full collection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Hashable, Iterable, Iterator, List, Protocol, Sequence, Set, Tuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import LCSseq, Levenshtein

MAX_PIECE = 9  # longest Korean key, in jamo: a longer piece is keyed on its start

WordMatch = Tuple[float, "int | None"]
NO_MATCH: WordMatch = (0.0, None)


class IndexedPhrase(Protocol):
    """What the index reads of a phrase (``knowledge.search._Phrase`` has it)."""

    jamo: str
    korean_limit: int
    morphemes: Tuple[str, ...]
    english: Tuple[str, ...]
    english_raw: Tuple[str, ...]


def deletions(word: str, depth: int) -> Set[str]:
    """``word`` and every string made from it by deleting up to ``depth`` letters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def korean_pieces(jamo: str, limit: int) -> List[str]:
    """``jamo`` cut into ``limit`` + 1 nearly equal pieces, each cut to :data:`MAX_PIECE` jamo.

    With at most ``limit`` edits, one piece of a phrase occurs unchanged in
    the text it matches.
    """
    parts = max(0, limit) + 1
    size, extra = divmod(len(jamo), parts)
    pieces = []
    start = 0
    for part in range(parts):
        end = start + size + (1 if part < extra else 0)
        if end > start:
            pieces.append(jamo[start:end][:MAX_PIECE])
        start = end
    return pieces


def piece_is_phrase(length: int, limit: int) -> bool:
    """True when a phrase of ``length`` jamo allowing ``limit`` edits is its own
    one piece (no edit, short enough), so finding the piece finds the phrase."""
    return limit <= 0 and length <= MAX_PIECE


def _frozen(lists: Dict[str, List[int]]) -> Dict[str, Tuple[int, ...]]:
    return {key: tuple(values) for key, values in lists.items()}


@dataclass
class MatchCounts:
    """How much of each phrase a message matched word for word, for every
    phrase it touched (``ids``, ascending, with the sums in the same order).

    Korean (several-morpheme phrases only): the syllables and weight of the
    phrase morphemes among the message's morphemes, at most: once a specific
    morpheme matched, all of the phrase's generic ones count. English: the
    letters, weight and number of phrase words any message word matches.
    """

    ids: np.ndarray
    korean_size: np.ndarray
    korean_weight: np.ndarray
    english_size: np.ndarray
    english_weight: np.ndarray
    english_words: np.ndarray


class Lookup:
    """What one message can match.

    ``korean``: phrases whose whole Korean form may occur in the message (the
    others can only match in part or in English); ``words``: the best match of
    each English phrase word (by pair id, see :attr:`PhraseIndex.phrase_words`)
    among the message's words, as ``(score, word index)``; words not listed do
    not match. :meth:`phrases` and :meth:`counts` are worked out on first use.
    """

    def __init__(
        self, index: PhraseIndex, korean: Set[int], morphemes: FrozenSet[str], words: Dict[int, WordMatch]
    ) -> None:
        self.korean = korean
        self.words = words
        self._index = index
        self._morphemes = morphemes
        self._phrases: Set[int] | None = None
        self._counts: MatchCounts | None = None

    def phrases(self) -> Set[int]:
        """Every phrase that may match at all (in whole or in part)."""
        if self._phrases is None:
            self._phrases = self._index.phrases_touched(self.korean, self._morphemes, self.words)
        return self._phrases

    def counts(self) -> MatchCounts:
        """The :class:`MatchCounts` of the message."""
        if self._counts is None:
            self._counts = self._index.counts(self._morphemes, self.words)
        return self._counts


class _WordVocabulary:
    """English words of the phrases (stems or words as typed), each with the
    phrase-word pairs it belongs to and its deletion neighbourhood."""

    def __init__(self, words: Dict[str, List[int]], limit: Callable[[str], int]) -> None:
        self.limit = limit
        self.pairs = _frozen(words)
        neighbours: Dict[str, List[str]] = {}
        self.depth = 0
        for word in words:
            word_limit = limit(word)
            if word_limit:
                self.depth = max(self.depth, word_limit)
                for deleted in deletions(word, word_limit):
                    neighbours.setdefault(deleted, []).append(word)
        self._neighbours = {deleted: tuple(found) for deleted, found in neighbours.items()}

    def near(self, word: str) -> Iterator[Tuple[str, int]]:
        """Phrase words within their edit limit of ``word`` but not equal to it, with the distance."""
        seen: Set[str] = {word}
        for deleted in deletions(word, self.depth):
            for candidate in self._neighbours.get(deleted, ()):
                if candidate in seen:
                    continue
                seen.add(candidate)
                limit = self.limit(candidate)
                distance = Levenshtein.distance(candidate, word, score_cutoff=limit)
                if distance <= limit:
                    yield candidate, distance


class _Sums:
    """Per-phrase sums of a few values under each key, frozen into arrays."""

    def __init__(self, columns: int) -> None:
        self._columns = columns
        self._building: Dict[Hashable, Dict[int, List[float]]] = {}
        self.arrays: Dict[Hashable, Tuple[np.ndarray, np.ndarray]] = {}

    def add(self, key: Hashable, number: int, values: Sequence[float]) -> None:
        """Add ``values`` to phrase ``number``'s sums under ``key``."""
        sums = self._building.setdefault(key, {}).setdefault(number, [0.0] * self._columns)
        for column, value in enumerate(values):
            sums[column] += value

    def freeze(self) -> None:
        """Turn the sums into (ids, values) arrays, one pair per key."""
        for key, by_phrase in self._building.items():
            ids = np.fromiter(by_phrase.keys(), dtype=np.int64, count=len(by_phrase))
            values = np.array(list(by_phrase.values()), dtype=np.float64).reshape(len(by_phrase), self._columns)
            self.arrays[key] = (ids, values)
        self._building = {}


class PhraseIndex:
    """Korean piece, trigram and morpheme indexes and English word indexes over phrases.

    ``phrases`` are addressed by their position. ``english_limit`` gives the
    edits an English word tolerates; ``generic_en`` and ``generic_ko`` are the
    words that never make a partial match on their own; ``korean_weight`` and
    ``english_weight`` what a morpheme or a word adds to
    :attr:`MatchCounts.korean_weight` and :attr:`MatchCounts.english_weight`.
    """

    def __init__(
        self,
        phrases: Sequence[IndexedPhrase],
        english_limit: Callable[[str], int],
        generic_en: FrozenSet[str],
        generic_ko: FrozenSet[str],
        korean_weight: Callable[[str], float],
        english_weight: Callable[[str], float],
    ) -> None:
        pieces: Dict[str, List[int]] = {}
        specific: Dict[str, List[int]] = {}
        self._morpheme_sums = _Sums(2)
        self._word_sums = _Sums(3)
        shortest_text: List[int] = []
        generic_size: List[float] = []
        generic_weight: List[float] = []
        for number, phrase in enumerate(phrases):
            shortest_text.append(len(phrase.jamo) - phrase.korean_limit)
            if phrase.jamo:
                for piece in set(korean_pieces(phrase.jamo, phrase.korean_limit)):
                    pieces.setdefault(piece, []).append(number)
            generic_size.append(0.0)
            generic_weight.append(0.0)
            if len(phrase.morphemes) > 1:
                for morpheme in phrase.morphemes:
                    if morpheme in generic_ko:
                        generic_size[-1] += len(morpheme)
                        generic_weight[-1] += korean_weight(morpheme)
                    else:
                        self._morpheme_sums.add(morpheme, number, (len(morpheme), korean_weight(morpheme)))
                for morpheme in set(phrase.morphemes):
                    if morpheme not in generic_ko and len(morpheme) >= 2:
                        specific.setdefault(morpheme, []).append(number)
        self._pieces = _frozen(pieces)
        self._piece_lengths = sorted({len(piece) for piece in pieces})
        self._shortest_text = np.array(shortest_text, dtype=np.int64)
        self._jamo = np.array([phrase.jamo for phrase in phrases], dtype=object)
        self._jamo_length = np.array([len(phrase.jamo) for phrase in phrases], dtype=np.int64)
        self._edits_allowed = np.array([max(0, phrase.korean_limit) for phrase in phrases], dtype=np.int64)
        self._piece_is_phrase = np.array(
            [piece_is_phrase(len(phrase.jamo), phrase.korean_limit) for phrase in phrases], dtype=bool
        )
        self._specific_morphemes = _frozen(specific)
        self._index_words(phrases, english_limit, generic_en, english_weight)
        # Generic morphemes ("발급", "신청") are in most phrases and messages:
        # counted as if all a phrase has of them matched.
        self._generic_korean = np.array([generic_size, generic_weight], dtype=np.float64).T.reshape(-1, 2)
        self._morpheme_sums.freeze()
        self._word_sums.freeze()

    def _index_words(
        self,
        phrases: Sequence[IndexedPhrase],
        english_limit: Callable[[str], int],
        generic_en: FrozenSet[str],
        english_weight: Callable[[str], float],
    ) -> None:
        """Number each distinct (stem, word) pair of the phrases and index the pairs."""
        pair_ids: Dict[Tuple[str, str], int] = {}
        pair_phrases: List[List[int]] = []
        stems: Dict[str, List[int]] = {}
        raws: Dict[str, List[int]] = {}
        self.phrase_words: List[Tuple[int, ...]] = []
        for number, phrase in enumerate(phrases):
            pairs = []
            all_generic = all(stem in generic_en for stem in phrase.english)
            for stem, raw in zip(phrase.english, phrase.english_raw, strict=True):
                pair = pair_ids.get((stem, raw))
                if pair is None:
                    pair = pair_ids[(stem, raw)] = len(pair_phrases)
                    pair_phrases.append([])
                    stems.setdefault(stem, []).append(pair)
                    raws.setdefault(raw, []).append(pair)
                if (all_generic or stem not in generic_en) and number not in pair_phrases[pair][-1:]:
                    pair_phrases[pair].append(number)
                self._word_sums.add(pair, number, (len(stem), english_weight(stem), 1.0))
                pairs.append(pair)
            self.phrase_words.append(tuple(pairs))
        self._pair_phrases = [tuple(numbers) for numbers in pair_phrases]
        self._stems = _WordVocabulary(stems, english_limit)
        self._raws = _WordVocabulary(raws, english_limit)

    def lookup(
        self, jamo: str, morphemes: Iterable[str], stems: Sequence[str], raws: Sequence[str]
    ) -> Lookup:
        """What a message, given as its Korean jamo, morphemes and English words, can match."""
        return Lookup(self, self._korean(jamo), frozenset(morphemes), self._word_matches(stems, raws))

    def _korean(self, jamo: str) -> Set[int]:
        """Phrases whose whole Korean form may occur in ``jamo``: a piece of
        them occurs (exactly), and they have no more jamo outside their longest
        common subsequence with ``jamo`` than the edits they allow (rapidfuzz
        counts that for all of them at once); a phrase that allows no edit and
        is its own piece is found with it."""
        length = len(jamo)
        keys = {jamo[start : start + size] for size in self._piece_lengths for start in range(length - size + 1)}
        hits: Set[int] = set()
        for key in self._pieces.keys() & keys:
            hits.update(self._pieces[key])
        if not hits:
            return hits
        numbers = np.fromiter(hits, dtype=np.int64, count=len(hits))
        numbers = numbers[self._shortest_text[numbers] <= length]
        whole = self._piece_is_phrase[numbers]
        found = set(numbers[whole].tolist())
        near = numbers[~whole]
        if len(near):
            common = process.cdist([jamo], self._jamo[near], scorer=LCSseq.similarity, dtype=np.int64)[0]
            found.update(near[self._jamo_length[near] - common <= self._edits_allowed[near]].tolist())
        return found

    def phrases_touched(self, korean: Set[int], morphemes: Iterable[str], words: Dict[int, WordMatch]) -> Set[int]:
        """Every phrase that may match: ``korean`` ones, those with a specific
        morpheme among ``morphemes`` and those under a matched word of ``words``."""
        found = set(korean)
        for morpheme in morphemes:
            found.update(self._specific_morphemes.get(morpheme, ()))
        for pair in words:
            found.update(self._pair_phrases[pair])
        return found

    def counts(self, morphemes: Iterable[str], words: Dict[int, WordMatch]) -> MatchCounts:
        """The :class:`MatchCounts` of a message's morphemes and matched phrase words."""
        parts: List[Tuple[np.ndarray, np.ndarray]] = []
        for morpheme in morphemes:
            found = self._morpheme_sums.arrays.get(morpheme)
            if found is not None:
                ids, values = found
                parts.append((ids, np.hstack([values, np.zeros((len(ids), 3))])))
        for pair in words:
            found = self._word_sums.arrays.get(pair)
            if found is not None:
                ids, values = found
                parts.append((ids, np.hstack([np.zeros((len(ids), 2)), values])))
        if not parts:
            empty = np.zeros(0)
            return MatchCounts(np.zeros(0, dtype=np.int64), empty, empty, empty, empty, empty)
        ids, inverse = np.unique(np.concatenate([ids for ids, _ in parts]), return_inverse=True)
        values = np.concatenate([values for _, values in parts])
        sums = [np.bincount(inverse, weights=values[:, column], minlength=len(ids)) for column in range(5)]
        korean = sums[0] > 0
        sums[0][korean] += self._generic_korean[ids[korean], 0]
        sums[1][korean] += self._generic_korean[ids[korean], 1]
        return MatchCounts(ids, *sums)

    def _word_matches(self, stems: Sequence[str], raws: Sequence[str]) -> Dict[int, WordMatch]:
        """For each phrase word any message word matches: the first exact match,
        else the first of the fewest edits (as ``search._match_english_word``)."""
        exact: Dict[int, int] = {}
        fuzzy: Dict[int, Tuple[int, int]] = {}
        for index, (stem, raw) in enumerate(zip(stems, raws, strict=True)):
            for pair in (*self._stems.pairs.get(stem, ()), *self._raws.pairs.get(raw, ())):
                exact.setdefault(pair, index)
            for vocabulary, word in ((self._raws, raw), (self._stems, stem)):
                for near, distance in vocabulary.near(word):
                    for pair in vocabulary.pairs[near]:
                        best = fuzzy.get(pair)
                        if best is None or distance < best[0]:
                            fuzzy[pair] = (distance, index)
        matches: Dict[int, WordMatch] = {pair: (1.0 - 0.1 * d, index) for pair, (d, index) in fuzzy.items()}
        matches.update((pair, (1.0, index)) for pair, index in exact.items())
        return matches


def bigrams(text: str) -> FrozenSet[str]:
    """The letter pairs of ``text`` without spaces, lower-cased."""
    compact = "".join(text.lower().split())
    return frozenset(compact[i : i + 2] for i in range(len(compact) - 1))


class NameIndex:
    """Letter pairs of each service's names, for "did you mean" suggestions."""

    def __init__(self, names: Dict[str, Tuple[str, ...]]) -> None:
        owners: List[str] = []
        sizes: List[int] = []
        postings: Dict[str, List[int]] = {}
        for service_id, service_names in names.items():
            for name in service_names:
                pairs = bigrams(name)
                if not pairs:
                    continue
                entry = len(owners)
                owners.append(service_id)
                sizes.append(len(pairs))
                for pair in pairs:
                    postings.setdefault(pair, []).append(entry)
        self._owners = tuple(owners)
        self._sizes = np.array(sizes, dtype=np.int64)
        self._postings = {pair: np.array(entries, dtype=np.int64) for pair, entries in postings.items()}

    def similar(self, text: str, threshold: float) -> Dict[str, float]:
        """Each service whose best name has a Dice similarity of at least
        ``threshold`` with ``text``, with that similarity."""
        query = bigrams(text)
        hits = [self._postings[pair] for pair in query if pair in self._postings]
        if not hits:
            return {}
        entries, shared = np.unique(np.concatenate(hits), return_counts=True)
        similarity = 2 * shared / (len(query) + self._sizes[entries])
        keep = similarity >= threshold
        best: Dict[str, float] = {}
        for entry, value in zip(entries[keep].tolist(), similarity[keep].tolist(), strict=True):
            owner = self._owners[entry]
            if value > best.get(owner, 0.0):
                best[owner] = value
        return best
