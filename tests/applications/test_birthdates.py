from __future__ import annotations

from datetime import date

import pytest

from applications.birthdates import BirthDateError, BirthDateProblem, parse_birth_date, resolve_two_digit_year

TODAY = date(2026, 6, 15)


@pytest.mark.parametrize(
    "typed",
    [
        "850312",
        "19850312",
        "1985-03-12",
        "1985.03.12",
        "1985. 3. 12.",
        "1985/03/12",
        "1985년 3월 12일",
        "1985년3월12일",
        "85년 3월 12일",
        "March 12, 1985",
        "march 12 1985",
        "Mar 12th 1985",
        "12 March 1985",
        "12th of March, 1985",
        "생일은 1985년 3월 12일이에요",
        "my date of birth is March 12, 1985.",
        "８５０３１２",
        "85.03.12",
        "1985 3 12",
        "2026-0001019 1985-03-12",
    ],
)
def test_accepted_formats(typed):
    assert parse_birth_date(typed, today=TODAY) == date(1985, 3, 12)


def test_two_digit_years_take_the_latest_century_not_in_the_future():
    assert parse_birth_date("200101", today=TODAY) == date(2020, 1, 1)
    assert parse_birth_date("260101", today=TODAY) == date(2026, 1, 1)
    # December 2026 has not come yet on 15 June 2026: it must be 1926.
    assert parse_birth_date("261231", today=TODAY) == date(1926, 12, 31)
    assert parse_birth_date("27년 1월 1일", today=TODAY) == date(1927, 1, 1)
    assert resolve_two_digit_year(99, TODAY) == 1999


@pytest.mark.parametrize(
    "typed", ["12/03/1985", "03/12/1985", "25/03/1985", "12.03.1985", "3-12-85", "12.03.85"]
)
def test_day_month_order_is_never_guessed(typed):
    with pytest.raises(BirthDateError) as caught:
        parse_birth_date(typed, today=TODAY)
    assert caught.value.problem is BirthDateProblem.AMBIGUOUS


@pytest.mark.parametrize(
    "typed",
    ["1985-02-30", "1985-13-01", "851332", "2027-01-01", "2026-06-16", "February 30, 1990", "1850-01-01"],
)
def test_impossible_dates_are_refused(typed):
    with pytest.raises(BirthDateError) as caught:
        parse_birth_date(typed, today=TODAY)
    assert caught.value.problem is BirthDateProblem.IMPOSSIBLE


@pytest.mark.parametrize("typed", ["", "hello", "생일이요", "1985", "2026-0001019", "<script>", None, 850312])
def test_unrecognised_input(typed):
    with pytest.raises(BirthDateError) as caught:
        parse_birth_date(typed, today=TODAY)
    assert caught.value.problem is BirthDateProblem.UNRECOGNISED


def test_leap_day():
    assert parse_birth_date("2000-02-29", today=TODAY) == date(2000, 2, 29)
    with pytest.raises(BirthDateError):
        parse_birth_date("1999-02-29", today=TODAY)
