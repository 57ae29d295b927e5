"""Application numbers (접수번호): parsing, the Luhn check digit and generation.

An application number is a 4-digit year, a hyphen and 7 digits, e.g.
``2026-0012345``. The last digit is a Luhn check digit over the 10 digits
before it, so a single mistyped digit or two swapped neighbours are caught
before any lookup. Citizens may type the number without the hyphen, with spaces
("2026 001 2345"), with a dash of another kind or in full-width digits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

from core.identifiers import application_number_digits

NUMBER_LENGTH = 11  # 4 year digits + 6 serial digits + 1 check digit


class NumberProblem(str, Enum):
    """Why a text is not a usable application number."""

    FORMAT = "format"  # no 4+7 digit number found
    CHECK_DIGIT = "check_digit"  # the shape is right but the last digit is wrong


class ApplicationNumberError(ValueError):
    """Raised when a text holds no valid application number; ``problem`` says why."""

    def __init__(self, problem: NumberProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class ApplicationNumber:
    """A well-formed application number with a correct check digit."""

    year: int
    serial: str  # 7 digits, the last one the check digit

    @property
    def digits(self) -> str:
        """The 11 digits without separator."""
        return f"{self.year:04d}{self.serial}"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.serial}"


def luhn_check_digit(payload: str) -> int:
    """The Luhn digit that makes ``payload`` + digit pass the Luhn test.

    ``payload`` must be digits only; raises ``ValueError`` otherwise.
    """
    if not payload.isdigit() or not payload.isascii():
        raise ValueError("payload must be ASCII digits")
    total = 0
    # Walking from the right, the first payload digit is the one doubled,
    # because the check digit will take the rightmost place.
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_luhn_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` is the Luhn check digit of the rest."""
    if len(digits) < 2 or not digits.isdigit() or not digits.isascii():
        return False
    return luhn_check_digit(digits[:-1]) == int(digits[-1])


def find_application_number_digits(text: str) -> str | None:
    """The 11 digits of the first year-shaped 4+7 digit number in ``text``, or None
    (:func:`core.identifiers.application_number_digits`, the grammar the masking
    uses too). The check digit is not verified here.
    """
    return application_number_digits(text)


def parse_application_number(text: str) -> ApplicationNumber:
    """Find and verify the application number in ``text``.

    Accepts "2026-0012345", "20260012345", "2026 001 2345" and the number inside
    a longer sentence. Raises :class:`ApplicationNumberError` with
    ``NumberProblem.FORMAT`` when no number of the right shape is present and
    ``NumberProblem.CHECK_DIGIT`` when its last digit is wrong.
    """
    if not isinstance(text, str):
        raise ApplicationNumberError(NumberProblem.FORMAT)
    digits = find_application_number_digits(text)
    if digits is None:
        # "2026 0012345" typed as one long run of 11 digits is covered above;
        # any other length is a format problem.
        raise ApplicationNumberError(NumberProblem.FORMAT)
    if not is_luhn_valid(digits):
        raise ApplicationNumberError(NumberProblem.CHECK_DIGIT)
    return ApplicationNumber(year=int(digits[:4]), serial=digits[4:])


def make_application_number(year: int, serial: int) -> ApplicationNumber:
    """The number for ``year`` and a 6-digit ``serial`` (0..999999), check digit added."""
    if not 1900 <= year <= 2099:
        raise ValueError("year must be between 1900 and 2099")
    if not 0 <= serial <= 999_999:
        raise ValueError("serial must have at most 6 digits")
    payload = f"{year:04d}{serial:06d}"
    return ApplicationNumber(year=year, serial=f"{serial:06d}{luhn_check_digit(payload)}")


def generate_application_number(year: int, rng: random.Random | None = None) -> ApplicationNumber:
    """A random valid number for ``year``; pass ``rng`` for a repeatable sequence."""
    rng = rng or random.SystemRandom()
    return make_application_number(year, rng.randrange(1, 1_000_000))
