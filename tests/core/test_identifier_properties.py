"""Property-based checks of the one grammar per identifier (issue 14, items 1
and 8): every birth date the status form accepts, in every shape, width and
sentence, is also found by the NLU and masked in logs and stored values; the
same for application numbers and resident registration numbers."""

from __future__ import annotations

import datetime as dt
from typing import Callable, List

from hypothesis import given, settings
from hypothesis import strategies as st

from applications.birthdates import parse_birth_date
from applications.numbers import find_application_number_digits
from core.identifiers import find_identifiers
from core.privacy import mask_for_log, mask_value

TODAY = dt.date(2026, 6, 15)
MONTHS = ["", "January", "Feb", "March", "Apr", "May", "June", "Jul", "August", "Sept", "October", "Nov", "December"]

DATE_FORMS: List[Callable[[dt.date], str]] = [
    lambda d: d.strftime("%y%m%d"),
    lambda d: d.strftime("%Y%m%d"),
    lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}. {d.month}. {d.day}.",
    lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
    lambda d: f"{d.year}년 {d.month}월 {d.day}일",
    lambda d: f"{d.year}년{d.month}월{d.day}일",
    lambda d: f"{d.year % 100:02d}년 {d.month}월 {d.day}일",
    lambda d: f"{MONTHS[d.month]} {d.day}, {d.year}",
    lambda d: f"{MONTHS[d.month].lower()} {d.day} {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month]} {d.year}",
    lambda d: f"{d.day}th of {MONTHS[d.month]}, {d.year}",
    lambda d: f"{d.year} {d.month} {d.day}",
]
AROUND = st.sampled_from(["", "생일은 ", "제 생년월일은 ", "my date of birth is ", "born ", "신청인 생일 "])
AFTER = st.sampled_from(["", "이에요", "입니다.", " 이요", ".", " thanks", "요"])
# Hypothesis shrinks towards the earliest date; keep every two-digit year unambiguous.
BIRTH_DATES = st.dates(min_value=dt.date(TODAY.year - 99, TODAY.month, TODAY.day) + dt.timedelta(days=1), max_value=TODAY)

_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)} | {0x20: 0x3000}


def full_width(text: str) -> str:
    """``text`` as a phone keyboard in full-width mode would type it."""
    return text.translate(_FULL_WIDTH)


def no_digits(text: str) -> bool:
    return not any(char.isdigit() for char in text)


@settings(max_examples=400, deadline=None)
@given(day=BIRTH_DATES, form=st.sampled_from(DATE_FORMS), wide=st.booleans(), before=AROUND, after=AFTER)
def test_every_birth_date_the_form_accepts_is_found_and_masked(
    day: dt.date, form: Callable[[dt.date], str], wide: bool, before: str, after: str
) -> None:
    written = form(day)
    text = before + (full_width(written) if wide else written) + after
    assert parse_birth_date(text, TODAY) == day
    assert [(f.entity, f.value) for f in find_identifiers(text, TODAY)] == [("birth_date", day.isoformat())]
    assert no_digits(mask_for_log(text)), mask_for_log(text)
    assert no_digits(mask_value({"slots": [text]})["slots"][0])


NUMBER_FORMS: List[Callable[[int, int], str]] = [
    lambda year, serial: f"{year}-{serial:07d}",
    lambda year, serial: f"{year}{serial:07d}",
    lambda year, serial: f"{year} {serial:07d}",
    lambda year, serial: f"{year} {serial // 10000:03d} {serial % 10000:04d}",
    lambda year, serial: f"{year}–{serial:07d}",
]


@settings(max_examples=200, deadline=None)
@given(
    year=st.integers(2000, 2099), serial=st.integers(0, 9_999_999), form=st.sampled_from(NUMBER_FORMS),
    wide=st.booleans(), before=st.sampled_from(["", "접수번호 ", "my number is "]), after=AFTER,
)
def test_every_application_number_is_found_and_masked(
    year: int, serial: int, form: Callable[[int, int], str], wide: bool, before: str, after: str
) -> None:
    written = form(year, serial)
    text = before + (full_width(written) if wide else written) + after
    assert [(f.entity, f.value) for f in find_identifiers(text, TODAY)] == [
        ("application_number", f"{year}-{serial:07d}")
    ]
    assert no_digits(mask_for_log(text)), mask_for_log(text)


@settings(max_examples=200, deadline=None)
@given(
    day=BIRTH_DATES, rest=st.integers(0, 9_999_999), dash=st.sampled_from(["-", "", " - ", "‐", "–", "−", " "]),
    wide=st.booleans(), before=AROUND, after=AFTER,
)
def test_every_resident_number_is_masked_and_never_read_as_a_date(
    day: dt.date, rest: int, dash: str, wide: bool, before: str, after: str
) -> None:
    written = f"{day:%y%m%d}{dash}{rest:07d}"
    text = before + (full_width(written) if wide else written) + after
    assert find_identifiers(text, TODAY) == []
    assert no_digits(mask_for_log(text)), mask_for_log(text)


@settings(max_examples=200, deadline=None)
@given(
    year=st.integers(2000, 2099), serial=st.integers(0, 9_999_999),
    splits=st.lists(st.sampled_from(["", " ", "-"]), min_size=6, max_size=6),
)
def test_the_status_form_and_the_masking_read_application_numbers_alike(year: int, serial: int, splits: list) -> None:
    digits = f"{serial:07d}"
    written = f"{year}-" + digits[0] + "".join(sep + digit for sep, digit in zip(splits, digits[1:], strict=True))
    assert find_application_number_digits(written) == f"{year}{digits}"
    assert no_digits(mask_for_log(written)), mask_for_log(written)
