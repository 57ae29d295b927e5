from __future__ import annotations

import random

import pytest

from applications.numbers import (
    ApplicationNumberError,
    NumberProblem,
    generate_application_number,
    is_luhn_valid,
    luhn_check_digit,
    make_application_number,
    parse_application_number,
)


def test_luhn_matches_the_textbook_example():
    assert luhn_check_digit("7992739871") == 3
    assert is_luhn_valid("79927398713")
    assert not is_luhn_valid("79927398710")


@pytest.mark.parametrize(
    "typed",
    [
        "2026-0001019",
        "20260001019",
        "2026 0001019",
        "2026 000 1019",
        "2026 - 0001019",
        "２０２６－０００１０１９",  # full-width
        "2026–0001019",  # en dash
        "접수번호 2026-0001019 처리 상태 알려주세요",
        "my number is 20260001019, thanks",
    ],
)
def test_parse_accepts_the_ways_citizens_type_a_number(typed):
    assert str(parse_application_number(typed)) == "2026-0001019"


@pytest.mark.parametrize("typed", ["2026-0001018", "2026-0001091", "20260001010"])
def test_a_wrong_or_swapped_digit_is_a_check_digit_problem(typed):
    with pytest.raises(ApplicationNumberError) as caught:
        parse_application_number(typed)
    assert caught.value.problem is NumberProblem.CHECK_DIGIT


@pytest.mark.parametrize("typed", ["", "hello", "2026-001019", "2026-00010190", "1234567", "850312", "🙂🙂"])
def test_wrong_shapes_are_format_problems(typed):
    with pytest.raises(ApplicationNumberError) as caught:
        parse_application_number(typed)
    assert caught.value.problem is NumberProblem.FORMAT


def test_every_single_digit_typo_is_caught():
    number = make_application_number(2026, 1234).digits
    for position in range(len(number)):
        for digit in "0123456789":
            if digit != number[position]:
                typo = number[:position] + digit + number[position + 1 :]
                assert not is_luhn_valid(typo), typo


def test_generated_numbers_are_valid_and_repeatable():
    first = [str(generate_application_number(2026, random.Random(5))) for _ in range(3)]
    second = [str(generate_application_number(2026, random.Random(5))) for _ in range(3)]
    assert first == second
    for number in first:
        assert parse_application_number(number).year == 2026


def test_make_refuses_out_of_range_parts():
    with pytest.raises(ValueError):
        make_application_number(2026, 1_000_000)
    with pytest.raises(ValueError):
        make_application_number(1800, 1)
