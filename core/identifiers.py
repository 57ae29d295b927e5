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
from typing import List, Optional, Tuple

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

# 2026-0012345, 2026 0012345, 20260012345, 2026 001 2345, 2026-001-2345: a year,
# an optional dash between optional spaces, then seven digits that may be
# grouped by single spaces or dashes (the status form accepts all of these).
_APPLICATION = re.compile(
    rf"(?<![\d{_DASH}])((?:19|20)\d{{2}})[ \t]*[{_DASH}]?[ \t]*(\d(?:[ \t{_DASH}]?\d){{6}})(?![\d{_DASH}])"
)

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

_ORDINAL = r"(?:st|nd|rd|th)?"


@dataclass(frozen=True)
class _DateShape:
    """One way of writing a date. ``short_year_first``: a two-digit year leads
    (``85.03.12``), which is ambiguous when it could be a day (31 or less).
    ``order_unknown``: day and month order cannot be known (``12/03/1985``):
    never read as a date, always masked."""

    pattern: "re.Pattern[str]"
    short_year_first: bool = False
    order_unknown: bool = False


# The most specific shapes first: an earlier shape takes the text it matches.
_DATE_SHAPES = (
    # 1985-03-12, 1985.3.12, 1985. 3. 12., 1985/03/12, 1985년 3월 12일
    _DateShape(re.compile(
        r"(?<!\d)(?P<y>\d{4})\s*(?:[-./]|년)\s*(?P<m>\d{1,2})\s*(?:[-./]|월)\s*(?P<d>\d{1,2})(?:\s*일)?(?!\d)"
    )),
    # 1985 3 12
    _DateShape(re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s+(?P<m>\d{1,2})\s+(?P<d>\d{1,2})(?!\d)")),
    # 85년 3월 12일, 85년 3월 12
    _DateShape(re.compile(r"(?<!\d)(?P<yy>\d{2})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})(?:\s*일)?(?!\d)")),
    # 85.03.12, 85-3-12
    _DateShape(
        re.compile(r"(?<![\d.-])(?P<yy>\d{2})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?![\d.-])"),
        short_year_first=True,
    ),
    # 19850312
    _DateShape(re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)")),
    # 850312
    _DateShape(re.compile(r"(?<![\d-])(?P<yy>\d{2})(?P<m>\d{2})(?P<d>\d{2})(?![\d-])")),
    # March 12, 1985 / Mar 12th 1985
    _DateShape(re.compile(
        rf"(?i)\b(?P<mon>{_MONTH_NAMES})\.?\s*(?P<d>\d{{1,2}}){_ORDINAL}\s*,?\s*(?P<y>\d{{4}})(?!\d)"
    )),
    # 12 March 1985, 12th of March, 1985
    _DateShape(re.compile(
        rf"(?i)(?<!\d)(?P<d>\d{{1,2}}){_ORDINAL}\s*(?:of\s+)?(?P<mon>{_MONTH_NAMES})\.?\s*,?\s*(?P<y>\d{{4}})(?!\d)"
    )),
    # 12/03/1985, 12.03.1985, 3-12-85
    _DateShape(
        re.compile(r"(?<!\d)(?P<a>\d{1,2})\s*[-./]\s*(?P<b>\d{1,2})\s*[-./]\s*(?:\d{4}|\d{2})(?!\d)"),
        order_unknown=True,
    ),
)

_ANY_DAY = dt.date(2000, 1, 1)

#: A birth date more than this many years ago is taken for a typing mistake.
MAX_AGE_YEARS = 130


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


def resolve_two_digit_year(two_digits: int, today: dt.date, month: int = 1, day: int = 1) -> int:
    """The later of 19YY and 20YY that is not in the future: ``261231`` typed on
    15 June 2026 is 1926, ``260101`` is 2026."""
    year = 2000 + two_digits
    if year > today.year:
        return year - 100
    try:
        if dt.date(year, month, day) > today:
            return year - 100
    except ValueError:
        pass  # not a calendar date: whoever reads it reports that
    return year


@dataclass(frozen=True)
class DateReading:
    """A date-shaped text: where it is, and what it says.

    ``date`` is the calendar date it names, or ``None`` when it names none (31
    February, month 13) or its order is ``ambiguous``; ``plausible`` when its
    month and day are in range (whether or not the date exists)."""

    start: int
    end: int
    date: Optional[dt.date]
    ambiguous: bool
    plausible: bool


def _read(shape: _DateShape, match: "re.Match[str]", today: dt.date) -> DateReading:
    groups = match.groupdict()
    if shape.order_unknown:
        first, second = int(groups["a"]), int(groups["b"])
        low, high = sorted((first, second))
        plausible = 1 <= low <= 12 and high <= 31
        return DateReading(match.start(), match.end(), None, True, plausible)
    month = _MONTHS[groups["mon"].lower()] if groups.get("mon") else int(groups["m"])
    day = int(groups["d"])
    plausible = 1 <= month <= 12 and 1 <= day <= 31
    if shape.short_year_first and int(groups["yy"]) <= 31:
        return DateReading(match.start(), match.end(), None, True, plausible)
    year = int(groups["y"]) if groups.get("y") else resolve_two_digit_year(int(groups["yy"]), today, month, day)
    try:
        value: Optional[dt.date] = dt.date(year, month, day)
    except ValueError:
        value = None
    return DateReading(match.start(), match.end(), value, False, plausible)


def is_birth_date(value: dt.date, today: dt.date) -> bool:
    """Whether a living person can have been born on ``value``: not after
    ``today``, not more than :data:`MAX_AGE_YEARS` years before it."""
    return today.year - MAX_AGE_YEARS <= value.year and value <= today


def _blank_resident_numbers(text: str) -> str:
    """``text`` with resident numbers and their masks overwritten by ``#``, so
    no part of them is read as a date or an application number."""
    spans = resident_number_spans(text) + [m.span() for m in re.finditer(re.escape(RRN_MASK), text)]
    for start, end in spans:
        text = text[:start] + "#" * (end - start) + text[end:]
    return text


def _scan(text: str, today: dt.date) -> Tuple[List["re.Match[str]"], List[DateReading]]:
    """Application numbers, then date-shaped texts, in ``text``; a date never
    overlaps a number, a resident number or an earlier date."""
    masked = _blank_resident_numbers(fold_width(text))
    taken = [False] * len(text)

    def take(start: int, end: int) -> None:
        taken[start:end] = [True] * (end - start)

    numbers = list(_APPLICATION.finditer(masked))
    for match in numbers:
        take(*match.span())
    dates: List[DateReading] = []
    for shape in _DATE_SHAPES:
        for match in shape.pattern.finditer(masked):
            if not any(taken[match.start():match.end()]):
                dates.append(_read(shape, match, today))
                take(*match.span())
    return numbers, sorted(dates, key=lambda reading: reading.start)


def read_dates(text: str, today: Optional[dt.date] = None) -> List[DateReading]:
    """Every date-shaped text in ``text`` (not part of an application or
    resident number), in order, each read as :class:`DateReading` says. The
    one grammar of dates: the birth-date form, the NLU and the masking use it."""
    return _scan(text, today or dt.date.today())[1]


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def application_number_digits(text: str) -> Optional[str]:
    """The 11 digits of the first application-number-shaped text in ``text``
    (any width; the check digit is not verified), or ``None``. The one grammar
    of application numbers: the status form, the NLU and the masking use it."""
    for match in _APPLICATION.finditer(_blank_resident_numbers(fold_width(text))):
        return match.group(1) + _digits(match.group(2))
    return None


def find_identifiers(text: str, today: Optional[dt.date] = None) -> List[Found]:
    """Application numbers and possible birth dates in ``text``, normalised
    (``YYYY-NNNNNNN``, ``YYYY-MM-DD``), without overlaps.

    A date counts when it is a real calendar date that :func:`is_birth_date`
    accepts and its order is not ambiguous. Application numbers win over dates
    where they overlap; a resident registration number is never reported as
    either (it is masked instead).
    """
    today = today or dt.date.today()
    numbers, dates = _scan(text, today)
    found = [Found(APPLICATION_NUMBER, m.start(), m.end(), f"{m.group(1)}-{_digits(m.group(2))}") for m in numbers]
    found += [
        Found(BIRTH_DATE, reading.start, reading.end, reading.date.isoformat())
        for reading in dates
        if reading.date is not None and is_birth_date(reading.date, today)
    ]
    return sorted(found, key=lambda item: item.start)


def identifier_spans(text: str) -> List[Found]:
    """Every application number and date-shaped text (month 1-12, day 1-31,
    whether or not the date exists, is past or has a known order) in ``text``,
    without overlaps; ``value`` is the matched text. For masking, not for
    understanding."""
    numbers, dates = _scan(text, _ANY_DAY)  # the century does not matter for masking
    found = [Found(APPLICATION_NUMBER, m.start(), m.end(), m.group()) for m in numbers]
    found += [
        Found(BIRTH_DATE, reading.start, reading.end, text[reading.start:reading.end])
        for reading in dates
        if reading.plausible
    ]
    return sorted(found, key=lambda item: item.start)
