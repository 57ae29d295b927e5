"""Birth dates as citizens type them, turned into a :class:`datetime.date`.

Accepted: ``850312`` (YYMMDD), ``19850312``, ``1985-03-12``, ``1985.03.12``,
``1985. 3. 12.``, ``1985/03/12``, ``1985년 3월 12일``, ``85년 3월 12일``,
``March 12, 1985``, ``12 March 1985``, ``Mar 12 1985``, ``1985 3 12``, in any
character width, also inside a longer sentence, and ``85.03.12`` when the first
number cannot be a day. Day/month/year forms (``12/03/1985``, ``12.03.85``) are
refused on purpose: Koreans, Americans and Europeans read them differently and
a wrong guess would fail verification and count against the citizen.

Two-digit years take the later of 19YY and 20YY that is not in the future.
Impossible dates (31 February, month 13), future dates and dates more than 130
years ago are refused.

The grammar itself is :func:`core.identifiers.read_dates`, the one the NLU and
the masking of logs and stored conversations use too, so whatever this form
accepts is also masked everywhere.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from core.identifiers import MAX_AGE_YEARS, is_birth_date, read_dates, resolve_two_digit_year

__all__ = [
    "MAX_AGE_YEARS",
    "BirthDateError",
    "BirthDateProblem",
    "parse_birth_date",
    "resolve_two_digit_year",
]


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


def parse_birth_date(text: str, today: date | None = None) -> date:
    """The first birth date written in ``text``.

    Raises :class:`BirthDateError` with ``AMBIGUOUS`` for day/month/year forms,
    ``IMPOSSIBLE`` for dates that cannot be a living person's birth date, and
    ``UNRECOGNISED`` when no accepted shape is present.
    """
    if not isinstance(text, str):
        raise BirthDateError(BirthDateProblem.UNRECOGNISED)
    today = today or date.today()
    readings = read_dates(text, today)
    for reading in readings:
        if reading.date is not None:
            if not is_birth_date(reading.date, today):
                raise BirthDateError(BirthDateProblem.IMPOSSIBLE)
            return reading.date
    if any(reading.ambiguous for reading in readings):
        raise BirthDateError(BirthDateProblem.AMBIGUOUS)
    if readings:
        raise BirthDateError(BirthDateProblem.IMPOSSIBLE)
    raise BirthDateError(BirthDateProblem.UNRECOGNISED)
