"""The status NLU data: enough examples, realistic numbers and dates, a truly held-out test split."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from applications.birthdates import BirthDateError, BirthDateProblem, parse_birth_date
from applications.numbers import ApplicationNumberError, NumberProblem, parse_application_number

ROOT = Path(__file__).resolve().parents[2]
ANNOTATION = re.compile(r"\[([^\]]+)\]\((application_number|birth_date)\)")
TODAY = date(2026, 6, 1)


def examples(path: Path) -> Dict[str, List[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    return {
        block["intent"]: [
            line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")
        ]
        for block in data["nlu"]
    }


def plain(example: str) -> str:
    return re.sub(r"\s+", " ", ANNOTATION.sub(r"\1", example)).strip().lower()


@pytest.mark.parametrize("language", ["ko", "en"])
def test_enough_training_and_test_examples(language):
    train = examples(ROOT / "nlu" / "data" / language / "status.yml")
    test = examples(ROOT / "nlu" / "test" / language / "status.yml")
    for intent in ("check_application_status", "inform"):
        assert len(train[intent]) >= 40, (language, intent)
        assert len(set(train[intent])) == len(train[intent]), "duplicate training examples"
        assert len(test[intent]) >= 15, (language, intent)
    assert len(train["cancel"]) >= 15 and len(test["cancel"]) >= 5


def test_test_split_never_appears_in_training():
    train = {
        plain(example)
        for language in ("ko", "en")
        for group in examples(ROOT / "nlu" / "data" / language / "status.yml").values()
        for example in group
    }
    for language in ("ko", "en"):
        for group in examples(ROOT / "nlu" / "test" / language / "status.yml").values():
            for example in group:
                assert plain(example) not in train, example


def _annotations(kind: str) -> List[str]:
    found = []
    for split in ("data", "test"):
        for language in ("ko", "en"):
            text = (ROOT / "nlu" / split / language / "status.yml").read_text(encoding="utf-8")
            found += [value for value, entity in ANNOTATION.findall(text) if entity == kind]
    return found


def test_application_numbers_are_realistic():
    numbers = _annotations("application_number")
    problems = []
    for number in numbers:
        try:
            parse_application_number(number)
        except ApplicationNumberError as error:
            problems.append(error.problem)
    assert NumberProblem.FORMAT not in problems  # every annotation has the right shape
    assert 1 <= len(problems) <= len(numbers) // 10  # a few wrong check digits, on purpose
    assert len(numbers) >= 60


def test_birth_dates_are_real_dates_except_a_few_ambiguous_ones():
    """Slash dates such as 12/03/1985 are what citizens type, and the form asks
    which one they mean; every other annotation must be a date the form accepts."""
    values = _annotations("birth_date")
    ambiguous = 0
    for value in values:
        try:
            parse_birth_date(value, today=TODAY)
        except BirthDateError as error:
            assert error.problem is BirthDateProblem.AMBIGUOUS, value
            ambiguous += 1
    assert ambiguous <= len(values) // 10


def test_intents_and_entities_are_declared_in_the_domain():
    domain = yaml.safe_load((ROOT / "bot" / "domain" / "status.yml").read_text(encoding="utf-8"))
    assert {"check_application_status", "inform", "cancel"} <= set(domain["intents"])
    assert {"application_number", "birth_date"} <= set(domain["entities"])
