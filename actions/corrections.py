"""Corrections: which service a citizen turns away from, and which one they mean.

"아니 여권 말고 운전면허 갱신이요", "여권 아니고 운전면허요", "not the passport, I meant
the driving licence", "sorry I meant birth registration", "그거 말고요". A service
named right before 말고/아니고/대신 or right after "not"/"instead of" is
rejected; what follows the last such marker (or "I meant") is what is wanted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "X 말고", "X는 아니고", "X가 아니라": the words before the marker are rejected.
# (Not 대신 or 빼고: "대신 신청", "주말 빼고" are not corrections.)
_KO_MARKER = re.compile(r"(?<!뿐만 )(?<!뿐만)(?:은|는|이|가|을|를)?\s*(?:말고|아니고|아니라)(?:요)?")
_KO_AFTER_SPAN = re.compile(r"^\s*(?:은|는|이|가|을|를)?\s*(?:말고|아니고|아니라)")
_KO_MEANT = re.compile(r"잘못\s*(?:말|얘기|이야기|썼|적었|입력|눌렀)\S*|정정\S*")
# "not X", "instead of X": the words right after the marker are rejected.
_EN_BEFORE_SPAN = re.compile(
    r"(?:\bnot|\binstead\s+of|\brather\s+than)\s+(?:the|a|an|my|about|for)?\s*$", re.IGNORECASE
)
# "I meant X", "I mean X": the words after are wanted.
_EN_MEANT = re.compile(r"\b(?:i\s+meant|i\s+mean|meant\s+to\s+(?:say|ask\s+about))\b", re.IGNORECASE)
# "no, not the passport(,| but) ...": only a message that opens by saying no is a correction.
_EN_OPENS_WITH_NO = re.compile(r"^\s*(?:no|nope|not|actually|sorry|oops|wait)\b", re.IGNORECASE)
_EN_NOT_CLAUSE = re.compile(
    r"\b(?:not|instead\s+of|rather\s+than)\s+(?:the|a|an|my|about|for)?\s*[^,.;]*?(?:[,.;]|\bbut\b|$)",
    re.IGNORECASE,
)
_LEADING_NO = re.compile(
    r"^\s*(?:아니요|아니|아뇨|앗|no|nope|sorry|oops|wait|actually)(?![가-힣])[\s,.!~]*", re.IGNORECASE
)


@dataclass(frozen=True)
class Correction:
    """A message read as a correction: the part that names what is wanted."""

    wanted_text: str


def rejected_span(text: str, start: int, end: int) -> bool:
    """True when the span ``text[start:end]`` names what the citizen turns away from."""
    return bool(_KO_AFTER_SPAN.match(text[end:]) or _EN_BEFORE_SPAN.search(text[:start]))


def read_correction(text: str) -> Correction | None:
    """The wanted part of a correction, or ``None`` when the message corrects nothing.

    The wanted part may be empty ("그거 말고요", "not that one"): the citizen
    rejects the service in context without naming another.
    """
    text = text or ""
    markers = list(_KO_MARKER.finditer(text))
    if markers:
        return Correction(_clean(text[markers[-1].end():]))
    korean_meant = _KO_MEANT.search(text)
    if korean_meant:
        return Correction(_clean(text[korean_meant.end():]))
    meant = list(_EN_MEANT.finditer(text))
    if meant:
        return Correction(_clean(text[meant[-1].end():]))
    if _EN_OPENS_WITH_NO.match(text) and _EN_NOT_CLAUSE.search(text):
        return Correction(_clean(_EN_NOT_CLAUSE.sub(" ", text)))
    return None


def _clean(text: str) -> str:
    text = _LEADING_NO.sub("", text.strip())
    return re.sub(r"\s+", " ", text).strip(" ,.!?~")
