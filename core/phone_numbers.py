"""Korean phone numbers: the one grammar that finds, reads and masks them.

A number is a mobile (010, 011, 016-019 + 7-8 digits), a Seoul (02 + 7-8),
another area (031-033, 041-044, 051-055, 061-064 + 7-8), an internet phone
(070 + 8) or a nationwide representative number (15xx, 16xx, 18xx + 4),
typed in any width, with spaces, dots, dashes or brackets between the groups,
and with or without the country code (+82 10-…, 82-2-…).

* :func:`read_phone_number` reads a whole answer ("010-1234-5678") as digits;
  the call-back form uses it.
* :func:`phone_number_spans` finds the numbers inside a message. Masking uses
  it: :mod:`core.privacy` hides mobile numbers in every stored text, and every
  kind of number in what a citizen writes (a landline they give as their own
  number is as personal as a mobile; an agency's number in a reply is not).
"""

from __future__ import annotations

import re
from typing import Iterable, List, Optional, Tuple

from core.identifiers import fold_width

MOBILE = "mobile"
LANDLINE = "landline"  # Seoul, other areas, internet phones
REPRESENTATIVE = "representative"
KINDS = (MOBILE, LANDLINE, REPRESENTATIVE)

# Full numbers as digits (country code already replaced by the leading 0).
_SHAPES = (
    (MOBILE, re.compile(r"01[016-9]\d{7,8}")),
    (LANDLINE, re.compile(r"02\d{7,8}")),
    (LANDLINE, re.compile(r"0(?:3[1-3]|4[1-4]|5[1-5]|6[1-4])\d{7,8}")),
    (LANDLINE, re.compile(r"070\d{8}")),
    (REPRESENTATIVE, re.compile(r"1[568]\d{6}")),
)
# Between groups: one space, dot or dash (any dash a keyboard makes), or brackets.
_GAP = r"(?:[\s.\-‐‑‒–—―−]|\)\s?)?"
# A candidate inside a message: optional country code, then two or three groups
# of digits; not part of a longer run of digits. Each candidate is checked
# against the shapes above.
_CANDIDATE = re.compile(
    r"(?<![\d\-])"
    rf"(?:\+?82{_GAP}\(?0?\d{{1,3}}|\(?\d{{2,4}})"
    rf"{_GAP}\d{{3,4}}(?:{_GAP}\d{{4}})?"
    r"(?![\d\-])"
)
_NOT_DIGIT = re.compile(r"\D")


def _digits_of(candidate: str) -> str:
    """The national digits of a written number (+82 / 82 replaced by 0)."""
    stripped = candidate.strip()
    digits = _NOT_DIGIT.sub("", stripped)
    if stripped.startswith("+82") or (stripped.startswith("82") and len(digits) >= 10):
        digits = "0" + digits[2:].lstrip("0")
    return digits


def _kind(digits: str) -> Optional[str]:
    for kind, shape in _SHAPES:
        if shape.fullmatch(digits):
            return kind
    return None


def read_phone_number(text: str) -> Optional[str]:
    """The digits of ``text`` when the whole of it (after the width fold,
    ignoring surrounding spaces) is one phone number, else None."""
    folded = fold_width(text or "").strip()
    match = _CANDIDATE.fullmatch(folded)
    if match is None:
        return None
    digits = _digits_of(folded)
    return digits if _kind(digits) else None


def phone_number_spans(text: str, kinds: Iterable[str] = KINDS) -> List[Tuple[int, int]]:
    """(start, end) of every phone number of ``kinds`` in ``text`` (full-width too)."""
    wanted = set(kinds)
    spans = []
    for match in _CANDIDATE.finditer(fold_width(text)):
        if _kind(_digits_of(match.group())) in wanted:
            spans.append(match.span())
    return spans
