"""Birth dates as citizens type them, turned into a :class:`datetime.date`.

Accepted: ``850312`` (YYMMDD), ``19850312``, ``1985-03-12``, ``1985.03.12``,
``1985. 3. 12.``, ``1985/03/12``, ``1985년 3월 12일``, ``85년 3월 12일``,
``March 12, 1985``, ``12 March 1985`` and ``Mar 12 1985``, also inside a
longer sentence, and ``85.03.12`` when the first number cannot be a day.
Day/month/year forms with slashes or dots (``12/03/1985``) are
refused on purpose: Koreans, Americans and Europeans read them differently and
a wrong guess would fail verification and count against the citizen.

Two-digit years take the later of 19YY and 20YY that is not in the future.
Impossible dates (31 February, month 13), future dates and dates more than 130
years ago are refused.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import Enum

MAX_AGE_YEARS = 130

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_WORD = r"(?P<month_name>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINAL = r"(?:st|nd|rd|th)?"

# Order matters: the most specific shapes first.
_PATTERNS = (
    # 1985년 3월 12일 / 85년3월12일
    re.compile(r"(?<!\d)(?P<year>\d{4}|\d{2})\s*년\s*(?P<month>\d{1,2})\s*월\s*(?P<day>\d{1,2})\s*일?"),
    # 1985-03-12, 1985.03.12, 1985. 3. 12., 1985/03/12
    re.compile(r"(?<!\d)(?P<year>\d{4})\s*[-./]\s*(?P<month>\d{1,2})\s*[-./]\s*(?P<day>\d{1,2})(?!\d)"),
    # March 12, 1985 / Mar 12th 1985
    re.compile(
        _MONTH_WORD + r"\s*(?P<day>\d{1,2})" + _ORDINAL + r"\s*,?\s*(?P<year>\d{4})(?!\d)",
        re.IGNORECASE,
    ),
    # 12 March 1985 / 12th of March, 1985
    re.compile(
        r"(?<!\d)(?P<day>\d{1,2})"
        + _ORDINAL
        + r"\s*(?:of\s+)?"
        + _MONTH_WORD
        + r"\s*,?\s*(?P<year>\d{4})(?!\d)",
        re.IGNORECASE,
    ),
    # 1985 3 12
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})\s+(?P<month>\d{1,2})\s+(?P<day>\d{1,2})(?!\d)"),
    # 85.03.12: two-digit year first, only when it cannot be a day (see _AMBIGUOUS)
    re.compile(r"(?<![\d.-])(?P<year>3[2-9]|[4-9]\d)[-.](?P<month>\d{1,2})[-.](?P<day>\d{1,2})(?![\d.-])"),
    # 19850312
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})(?P<month>\d{2})(?P<day>\d{2})(?!\d)"),
    # 850312
    re.compile(r"(?<!\d)(?P<year>\d{2})(?P<month>\d{2})(?P<day>\d{2})(?!\d)"),
)
# 12/03/1985, 12.03.1985, 3-12-85: day and month order cannot be known.
_AMBIGUOUS = re.compile(r"(?<!\d)\d{1,2}\s*[-./]\s*\d{1,2}\s*[-./]\s*(?:\d{4}|\d{2})(?!\d)")


class BirthDateProblem(str, Enum):
    """Why a text is not a usable birth date."""

    UNRECOGNISED = "unrecognised"  # no date of an accepted shape
    AMBIGUOUS = "ambiguous"  # 12/03/1985: day and month order unknown
    IMPOSSIBLE = "impossible"  # not a calendar date, in the future or too old


class BirthDateError(ValueError):
    """Raised when a text holds no acceptable birth date; ``problem`` says why."""

    def __init__(self, problem: BirthDateProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def resolve_two_digit_year(yy: int, today: date) -> int:
    """The later of 19YY and 20YY that is not after ``today``'s year."""
    candidate = 2000 + yy
    return candidate if candidate <= today.year else 1900 + yy


def _build_date(year: int, month: int, day: int, today: date) -> date:
    try:
        value = date(year, month, day)
    except ValueError as error:
        raise BirthDateError(BirthDateProblem.IMPOSSIBLE) from error
    if value > today or value.year < today.year - MAX_AGE_YEARS:
        raise BirthDateError(BirthDateProblem.IMPOSSIBLE)
    return value


def _year_from(raw: str, month: int, day: int, today: date) -> int:
    if len(raw) == 4:
        return int(raw)
    year = resolve_two_digit_year(int(raw), today)
    # 20YY may be this year but a later day ("261231" typed in June 2026).
    try:
        if date(year, month, day) > today:
            year -= 100
    except ValueError:
        pass  # the impossible date is reported by _build_date
    return year


def parse_birth_date(text: str, today: date | None = None) -> date:
    """The birth date written in ``text``.

    Raises :class:`BirthDateError` with ``AMBIGUOUS`` for day/month/year slash
    forms, ``IMPOSSIBLE`` for dates that cannot be a living person's birth date,
    and ``UNRECOGNISED`` when no accepted shape is present.
    """
    if not isinstance(text, str):
        raise BirthDateError(BirthDateProblem.UNRECOGNISED)
    today = today or date.today()
    normalised = unicodedata.normalize("NFKC", text)
    for pattern in _PATTERNS:
        match = pattern.search(normalised)
        if match is None:
            continue
        groups = match.groupdict()
        month = _MONTHS[groups["month_name"].lower()] if groups.get("month_name") else int(groups["month"])
        day = int(groups["day"])
        year = _year_from(groups["year"], month, day, today)
        return _build_date(year, month, day, today)
    if _AMBIGUOUS.search(normalised):
        raise BirthDateError(BirthDateProblem.AMBIGUOUS)
    raise BirthDateError(BirthDateProblem.UNRECOGNISED)
