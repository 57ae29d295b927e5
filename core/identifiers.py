"""Where a citizen's text holds a resident registration number, an application
number or a date: the one set of patterns the privacy masking and the NLU share.

Two readings of the same patterns:

- :func:`find_identifiers` is strict, for understanding: it returns only real
  past dates and normalises what it finds (``YYYY-NNNNNNN``, ``YYYY-MM-DD``).
- :func:`identifier_spans` is loose, for masking: every application number and
  every date-shaped text with a plausible month and day, because a mistyped or
  impossible birth date is still personal data.

Both read the text through :func:`fold_width` first, so full-width digits and
punctuation (``９００１０１－１２３４５６７``), ideographic spaces and other
compatibility forms are found like their ASCII twins; spans still index the
original text, which the fold never shifts.

No Rasa imports here, so the web gateway, the records and the tracker store
can use it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

APPLICATION_NUMBER = "application_number"
BIRTH_DATE = "birth_date"
RRN_MASK = "******-*******"

# Every dash a phone keyboard or a word processor produces (after the width fold).
_DASH = r"\-‐‑‒–—―−~"  # the hyphen escaped: this goes inside [...]

# Six date digits (month and day plausible), an optional hyphen or space, then
# seven digits; not part of a longer run of digits.
RESIDENT_NUMBER = re.compile(
    r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    rf"\s?[{_DASH}]?\s?\d{{7}}(?!\d)"
)

# 2026-0012345, 2026 0012345, 20260012345, 2026 001 2345
_APPLICATION = re.compile(rf"(?<![\d{_DASH}])((?:19|20)\d{{2}})\s?[{_DASH}]?\s?(\d{{3}})\s?(\d{{4}})(?![\d{_DASH}])")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

_DATE_PATTERNS = (
    # 1985-03-12, 1985.3.12, 1985/03/12, 1985년 3월 12일, 1985 3 12
    re.compile(
        r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-./]|년)\s*(?P<m>\d{1,2})\s*(?:[-./]|월)\s*(?P<d>\d{1,2})(?:\s*일)?(?!\d)"
    ),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s+(?P<m>\d{1,2})\s+(?P<d>\d{1,2})(?!\d)"),
    # 85년 3월 12일, 85년 3월 12
    re.compile(r"(?<!\d)(?P<yy>\d{2})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})(?:\s*일)?(?!\d)"),
    # 85.03.12, 85-3-12
    re.compile(r"(?<![\d.-])(?P<yy>\d{2})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?![\d.-])"),
    # 19850312
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"),
    # 850312
    re.compile(r"(?<![\d-])(?P<yy>\d{2})(?P<m>\d{2})(?P<d>\d{2})(?![\d-])"),
    # March 12, 1985 / Mar 12 1985
    re.compile(rf"(?i)\b(?P<mon>{_MONTH_NAMES})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})\b"),
    # 12 March 1985, 12th of March, 1985
    re.compile(
        rf"(?i)\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH_NAMES})\.?,?\s+(?P<y>(?:19|20)\d{{2}})\b"
    ),
)


@dataclass(frozen=True)
class Found:
    """One identifier found in a text: its kind, span and normalised value."""

    entity: str
    start: int
    end: int
    value: str


def fold_width(text: str) -> str:
    """``text`` with each character replaced by its NFKC compatibility form
    when that form is one character (full-width ``９`` and ``－`` become ``9`` and
    ``-``, an ideographic space a space), so the result has the same length and
    every span found in it indexes ``text`` too."""
    if text.isascii():
        return text
    folded = []
    for char in text:
        if char.isascii():
            folded.append(char)
            continue
        form = unicodedata.normalize("NFKC", char)
        folded.append(form if len(form) == 1 else char)
    return "".join(folded)


def resident_number_spans(text: str) -> List[Tuple[int, int]]:
    """(start, end) of every resident registration number in ``text``, in any width."""
    return [match.span() for match in RESIDENT_NUMBER.finditer(fold_width(text))]


def _resolve_century(two_digits: int, today: dt.date) -> int:
    """The later of 19YY and 20YY that is not in the future."""
    year = 2000 + two_digits
    return year if year <= today.year else 1900 + two_digits


def _month_and_day(match: re.Match) -> Tuple[int, int]:
    groups = match.groupdict()
    month = _MONTHS[groups["mon"].lower()] if groups.get("mon") else int(groups["m"])
    return month, int(groups["d"])


def _date_from_match(match: re.Match, today: dt.date) -> Optional[dt.date]:
    groups = match.groupdict()
    year = int(groups["y"]) if groups.get("y") else _resolve_century(int(groups["yy"]), today)
    month, day = _month_and_day(match)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _blank_resident_numbers(text: str) -> str:
    """``text`` with resident numbers and their masks overwritten by ``#``, so
    no part of them is read as a date or an application number."""
    spans = resident_number_spans(text) + [m.span() for m in re.finditer(re.escape(RRN_MASK), text)]
    for start, end in spans:
        text = text[:start] + "#" * (end - start) + text[end:]
    return text


def _scan(
    text: str,
    number_value: Callable[[re.Match], str],
    date_value: Callable[[re.Match], Optional[str]],
) -> List[Found]:
    """Application numbers, then dates that ``date_value`` accepts (a value, not
    None), in ``text``; a date never overlaps a number or an earlier date."""
    masked = _blank_resident_numbers(fold_width(text))
    found: List[Found] = []
    taken = [False] * len(text)

    def take(entity: str, match: re.Match, value: str) -> None:
        found.append(Found(entity, match.start(), match.end(), value))
        taken[match.start():match.end()] = [True] * (match.end() - match.start())

    for match in _APPLICATION.finditer(masked):
        take(APPLICATION_NUMBER, match, number_value(match))
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(masked):
            value = None if any(taken[match.start():match.end()]) else date_value(match)
            if value is not None:
                take(BIRTH_DATE, match, value)
    return sorted(found, key=lambda item: item.start)


def find_identifiers(text: str, today: Optional[dt.date] = None) -> List[Found]:
    """Application numbers and real past dates in ``text``, normalised
    (``YYYY-NNNNNNN``, ``YYYY-MM-DD``), without overlaps.

    Application numbers win over dates where they overlap; a resident
    registration number is never reported as either (it is masked instead).
    """
    today = today or dt.date.today()

    def past_date(match: re.Match) -> Optional[str]:
        date = _date_from_match(match, today)
        return date.isoformat() if date is not None and date <= today else None

    def number(match: re.Match) -> str:
        year, head, tail = match.groups()
        return f"{year}-{head}{tail}"

    return _scan(text, number, past_date)


def identifier_spans(text: str) -> List[Found]:
    """Every application number and date-shaped text (month 1-12, day 1-31,
    whether or not the date exists or is past) in ``text``, without overlaps;
    ``value`` is the matched text. For masking, not for understanding."""

    def plausible_date(match: re.Match) -> Optional[str]:
        month, day = _month_and_day(match)
        return match.group() if 1 <= month <= 12 and 1 <= day <= 31 else None

    return _scan(text, lambda match: match.group(), plausible_date)
