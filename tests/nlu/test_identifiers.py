import datetime as dt

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from core.identifiers import find_identifiers
from nlu.components.identifiers import IdentifierExtractor

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    "text", ["2026-0012345 처리 상태 알려주세요", "번호는 20260012345", "2026 001 2345 이요", "no. 2026 0012345"]
)
def test_application_numbers_are_normalised(text: str) -> None:
    found = find_identifiers(text, TODAY)
    assert [(f.entity, f.value) for f in found] == [("application_number", "2026-0012345")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("생일은 1985년 3월 12일이에요", "1985-03-12"),
        ("850312", "1985-03-12"),
        ("1985-03-12", "1985-03-12"),
        ("85.3.12", "1985-03-12"),
        ("19850312", "1985-03-12"),
        ("March 12, 1985", "1985-03-12"),
        ("12 March 1985", "1985-03-12"),
        ("010203", "2001-02-03"),
    ],
)
def test_birth_dates_are_normalised(text: str, value: str) -> None:
    found = find_identifiers(text, TODAY)
    assert [(f.entity, f.value) for f in found] == [("birth_date", value)]


@pytest.mark.parametrize("text", ["1985-02-30", "991399", "2027-01-01", "수수료는 53000원"])
def test_impossible_or_future_dates_are_ignored(text: str) -> None:
    assert find_identifiers(text, TODAY) == []


def test_resident_registration_number_is_neither() -> None:
    assert find_identifiers("900101-1234567", TODAY) == []
    assert find_identifiers("******-******* 이에요", TODAY) == []


def test_component_replaces_learned_entities_of_its_types() -> None:
    message = Message(
        data={
            TEXT: "2026-0012345 생일 850312",
            ENTITIES: [
                {"entity": "application_number", "start": 0, "end": 4, "value": "2026"},
                {"entity": "service", "start": 13, "end": 15, "value": "생일"},
            ],
        }
    )
    IdentifierExtractor().process([message])
    entities = {(e["entity"], e["value"]) for e in message.get(ENTITIES)}
    assert ("application_number", "2026-0012345") in entities
    assert ("birth_date", "1985-03-12") in entities
    assert ("application_number", "2026") not in entities
    assert ("service", "생일") in entities
