"""Text analysis for matching what citizens type against service names.

Korean goes through kiwipiepy's morphological analyser: particles, endings and
the light verb 하다 are dropped so "여권을 재발급하려면" and "여권재발급" give the
same content key ("여권재발급"). Verbs are dropped too, except the few that say
what happened to a document, which are read as the noun a service name uses
("여권을 잃어버렸어요" gives "여권분실", as "여권 분실" does). Hangul is then compared jamo by jamo so one
wrong vowel ("가족관게") costs one edit. English is lower-cased, stop words are
dropped and words are reduced to a rough stem ("renewal" -> "renew").

The analyser is built once, on first use (it takes about a second), never at
import time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Sequence, Tuple

from rapidfuzz.distance import LCSseq

from core.kiwi import tokenize as kiwi_tokenize

# Morpheme tags whose form carries meaning for a service name: nouns, roots,
# prefixes and noun suffixes, numbers and hanja (verbs such as 떼다 and
# 받다 only separate the words of a name).
_CONTENT_TAGS = {"NNG", "NNP", "NR", "SN", "SH", "XPN", "XSN", "XR"}
# Adverbs are kept only when they can be part of a name ("처음 여권"); these
# question and filler adverbs never are.
_FILLER_ADVERBS = frozenset(
    [
        "어떻게",
        "얼마나",
        "얼마",
        "빨리",
        "다시",
        "언제",
        "왜",
        "꼭",
        "바로",
        "지금",
        "그냥",
        "혹시",
        "이미",
        "아직",
        "같이",
        "미리",
        "많이",
        "너무",
        "제일",
        "가장",
        "정말",
        "진짜",
        "그럼",
        "그러면",
        "그리고",
        "근데",
        "그런데",
        "또는",
        "혹은",
        "좀",
        "더",
        "또",
        "잘",
        "못",
        "안",
        "어디",
        "모두",
        "다",
        "먼저",
        "나중",
        "이제",
        "벌써",
        "계속",
        "따로",
    ]
)
_HANGUL_OR_DIGIT = re.compile(r"[가-힣0-9]")
# Verbs that say what happened to a document, as the noun that catalogue
# names use for it: "여권을 잃어버렸어요" is searched as "여권 분실",
# "면허증이 부러졌어요" as "면허증 훼손".
_EVENT_VERBS = {
    "잃": "분실",
    "잃어버리": "분실",
    "도둑맞": "도난",
    "훔치": "도난",
    "찢": "훼손",
    "찢어지": "훼손",
    "부러지": "훼손",
    "망가지": "훼손",
    "망가뜨리": "훼손",
    "깨지": "훼손",
}
# Stems that say it only with -어지다 ("없어지다" goes missing, "없다" is just
# not having one; "깨어지다" breaks, "깨다" also wakes up).
_EVENT_VERBS_WITH_JI = {"없": "분실", "깨": "훼손"}
_VERB_TAGS = frozenset({"VV", "VA"})
# The same for English: what catalogue aliases say ("lost", "stolen", "damaged").
_ENGLISH_EVENT_WORDS = {
    "lose": "lost",
    "misplaced": "lost",
    "stole": "stolen",
    "robbed": "stolen",
    "broken": "damaged",
    "broke": "damaged",
    "torn": "damaged",
    "ripped": "damaged",
    "cracked": "damaged",
}
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_HANGUL_SYLLABLE = re.compile(r"[가-힣]")

ENGLISH_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "me",
        "my",
        "mine",
        "we",
        "our",
        "us",
        "you",
        "your",
        "he",
        "she",
        "it",
        "its",
        "they",
        "them",
        "their",
        "is",
        "am",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "doing",
        "done",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "about",
        "into",
        "as",
        "and",
        "or",
        "but",
        "not",
        "no",
        "how",
        "what",
        "which",
        "who",
        "whom",
        "when",
        "where",
        "why",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "please",
        "pls",
        "plz",
        "hi",
        "hello",
        "hey",
        "want",
        "wanna",
        "need",
        "needs",
        "needed",
        "get",
        "gets",
        "getting",
        "got",
        "much",
        "many",
        "long",
        "take",
        "takes",
        "there",
        "here",
        "this",
        "that",
        "these",
        "those",
        "if",
        "so",
        "some",
        "any",
        "u",
        "im",
        "ive",
        "tell",
        "know",
        "like",
        "thanks",
        "thank",
        "kindly",
        "sir",
        "madam",
        "help",
        "question",
        "ask",
        "asking",
        "just",
        "also",
        "again",
        "then",
        "now",
        "soon",
        "very",
        "really",
        "one",
        "ok",
        "okay",
    ]
)


def normalize(text: str) -> str:
    """NFKC, lower case, one space between words."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def korean_morphemes(text: str) -> Tuple[str, ...]:
    """The content morphemes of the Hangul (and digit) parts of ``text``, in order.

    Particles, endings, copulas, 하다/되다 suffixes and verbs are dropped,
    except verbs that say a document was lost, stolen or damaged: those give
    "분실", "도난" or "훼손" in the verb's place.
    """
    if not _HANGUL_SYLLABLE.search(text):
        return ()
    return _korean_morphemes_cached(text)


@lru_cache(maxsize=20_000)
def _korean_morphemes_cached(text: str) -> Tuple[str, ...]:
    tokens = kiwi_tokenize(text)
    kept: List[str] = []
    for index, token in enumerate(tokens):
        if token.tag in _VERB_TAGS:
            event = _document_event(token.form, tokens[index + 1 : index + 3])
            if event:
                kept.append(event)
            continue
        keep = token.tag in _CONTENT_TAGS or (
            token.tag == "MAG" and len(token.form) >= 2 and token.form not in _FILLER_ADVERBS
        )
        if keep:
            form = "".join(_HANGUL_OR_DIGIT.findall(token.form))
            if form:
                kept.append(form)
    return tuple(kept)


def _document_event(stem: str, following: Sequence[Any]) -> str | None:
    """The noun for what a verb says happened to a document ("잃" -> "분실"),
    or None for any other verb; ``following`` are the next two morphemes."""
    event = _EVENT_VERBS.get(stem)
    if event is None and stem in _EVENT_VERBS_WITH_JI and len(following) == 2:
        ending, auxiliary = following
        if ending.form in ("어", "아") and auxiliary.form == "지" and auxiliary.tag == "VX":
            event = _EVENT_VERBS_WITH_JI[stem]
    return event


def korean_parse_is_suspect(text: str) -> bool:
    """True when the analyser had to guess (an unknown or bound-noun piece),
    as it does for a misspelt name such as "주민등록초븐"."""
    if not _HANGUL_SYLLABLE.search(text):
        return False
    tokens = kiwi_tokenize(normalize(text))
    return any(token.tag in ("UN", "NNB") for token in tokens)


def english_stem(word: str) -> str:
    """A rough stem: strips one common suffix, keeping at least three letters."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in (
        "ations",
        "ation",
        "ances",
        "ance",
        "ences",
        "ence",
        "ments",
        "ment",
        "ings",
        "ing",
        "ness",
        "ers",
        "er",
        "ed",
        "es",
        "s",
        "al",
        "e",
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def english_words(text: str) -> Tuple[str, ...]:
    """English content words of ``text`` as typed (stop words removed).

    Numbers count as words only next to English ("pension at 65"), so the
    digits of a Korean message ("2026년") are not mistaken for English.
    Words for what happened to a document become the word catalogue names
    use ("broken" -> "damaged", "misplaced" -> "lost").
    """
    words = _LATIN_WORD.findall(normalize(text).replace("'s", ""))
    has_letters = any(not word.isdigit() for word in words)
    return tuple(
        _ENGLISH_EVENT_WORDS.get(word, word)
        for word in words
        if word not in ENGLISH_STOP_WORDS and len(word) > 1 and (has_letters or not word.isdigit())
    )


def to_jamo(text: str) -> str:
    """Hangul syllables split into their jamo; other characters unchanged."""
    out: List[str] = []
    for char in text:
        code = ord(char) - 0xAC00
        if 0 <= code < 11172:
            out.append(chr(0x1100 + code // 588))
            out.append(chr(0x1161 + (code % 588) // 28))
            if code % 28:
                out.append(chr(0x11A7 + code % 28))
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class AnalysedText:
    """A text reduced for matching: Korean content key and English stems."""

    morphemes: Tuple[str, ...]
    english_raw: Tuple[str, ...]

    @property
    def english(self) -> Tuple[str, ...]:
        """The English words reduced to their stems."""
        return tuple(english_stem(word) for word in self.english_raw)

    @property
    def korean_key(self) -> str:
        """The Korean content morphemes joined without spaces."""
        return "".join(self.morphemes)


def analyse(text: str) -> AnalysedText:
    """Analyse ``text`` for matching (Korean morphemes and English stems)."""
    text = normalize(text)
    return AnalysedText(korean_morphemes(text), english_words(text))


def edit_distance(a: str, b: str, limit: int) -> int | None:
    """Levenshtein distance of ``a`` and ``b``, or ``None`` when above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return None
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
        if min(current) > limit:
            return None
        previous = current
    return previous[-1] if previous[-1] <= limit else None


def substring_alignment(pattern: str, text: str, limit: int) -> Tuple[int, int, int] | None:
    """The substring of ``text`` closest to ``pattern`` (Sellers' problem).

    Returns ``(edits, start, end)`` for the best ``text[start:end]``: the
    fewest edits, at the first end that needs no more, from the latest start
    that does; or ``None`` when every substring needs more than ``limit`` edits.
    Bit-parallel (Myers): a few integer operations per character of ``text``,
    after a longest-common-subsequence bound (rapidfuzz) has ruled most texts out.
    """
    found = text.find(pattern)
    if found >= 0:
        return 0, found, found + len(pattern)
    if limit <= 0 or not text:
        return None
    # Every pattern character outside a common subsequence costs an edit.
    if len(pattern) - LCSseq.similarity(pattern, text) > limit:
        return None
    fewest = fewest_edits(pattern, text)
    if fewest is None:  # no substring is closer than deleting the whole pattern
        return (len(pattern), 0, 0) if len(pattern) <= limit else None
    edits, end = fewest
    if edits > limit:
        return None
    # The latest start is the shortest stretch ending at ``end`` that needs
    # ``edits``: read backwards, the shortest prefix of the reversed text.
    length = _shortest_prefix(pattern[::-1], text[end - 1 :: -1], edits)
    return edits, end - length, end


def fewest_edits(pattern: str, text: str) -> Tuple[int, int] | None:
    """The fewest edits that turn ``pattern`` into a substring of ``text``, and
    the first end offset in ``text`` that needs no more (Myers' bit-parallel
    algorithm, a few integer operations per character of ``text``).

    Returns None when the pattern is empty or never needs fewer edits than its
    own length (any text then "matches" by deleting the whole pattern).
    """
    if not pattern:
        return None
    best, best_end = len(pattern), 0
    for end, score in enumerate(_edit_scores(pattern, text, anchored=False), start=1):
        if score < best:
            best, best_end = score, end
    return (best, best_end) if best < len(pattern) else None


def _shortest_prefix(pattern: str, text: str, edits: int) -> int:
    """The length of the shortest prefix of ``text`` that is ``edits`` edits from ``pattern``."""
    for length, score in enumerate(_edit_scores(pattern, text, anchored=True), start=1):
        if score == edits:
            return length
    raise ValueError("no prefix of the text is that many edits from the pattern")


def _edit_scores(pattern: str, text: str, anchored: bool) -> Iterator[int]:
    """For each end offset 1..len(text): the edits between ``pattern`` and the
    text up to there, from its start (``anchored``) or from the best start.

    Myers' bit-vector algorithm, as Hyyrö writes it: bit ``i`` of the vectors
    holds the vertical and horizontal differences of row ``i`` of the table.
    """
    length = len(pattern)
    masks = _pattern_masks(pattern)
    full = (1 << length) - 1
    high = 1 << (length - 1)
    carry = 1 if anchored else 0
    vertical_plus, vertical_minus, score = full, 0, length
    for char in text:
        equal = masks.get(char, 0)
        vertical = equal | vertical_minus
        horizontal = ((((equal & vertical_plus) + vertical_plus) & full) ^ vertical_plus) | equal
        plus = vertical_minus | (~(horizontal | vertical_plus) & full)
        minus = vertical_plus & horizontal
        if plus & high:
            score += 1
        elif minus & high:
            score -= 1
        plus = ((plus << 1) | carry) & full
        minus = (minus << 1) & full
        vertical_plus = minus | (~(vertical | plus) & full)
        vertical_minus = plus & vertical
        yield score


@lru_cache(maxsize=4096)
def _pattern_masks(pattern: str) -> Dict[str, int]:
    """For each character of ``pattern``, the bit mask of the positions where it occurs."""
    masks: Dict[str, int] = {}
    for position, char in enumerate(pattern):
        masks[char] = masks.get(char, 0) | (1 << position)
    return masks


def clear_analysis_cache() -> None:
    """Forget every cached Korean analysis (benchmarks use it to time new messages)."""
    _korean_morphemes_cached.cache_clear()
