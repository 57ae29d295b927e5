"""Rule-based extraction of application numbers and birth dates.

Patterns are more reliable than a learned tagger for these two formats, and
they normalise what they find: an application number becomes
``YYYY-NNNNNNN`` (the check digit is left for the status form to verify, so a
wrong digit gets a helpful hint instead of silence), a birth date becomes
``YYYY-MM-DD``. Entities of these two types proposed by an earlier extractor
(the CRF) are replaced by these.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from core.privacy import RRN_MASK, resident_number_spans

APPLICATION_NUMBER = "application_number"
BIRTH_DATE = "birth_date"

_APPLICATION = re.compile(r"(?<![\d-])((?:19|20)\d{2})\s?[-‐‑–—]?\s?(\d{3})\s?(\d{4})(?![\d-])")

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
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-./]|년)\s*(?P<m>\d{1,2})\s*(?:[-./]|월)\s*(?P<d>\d{1,2})(?:\s*일)?(?!\d)"),
    # 85년 3월 12일
    re.compile(r"(?<!\d)(?P<yy>\d{2})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일"),
    # 85.03.12, 85-3-12
    re.compile(r"(?<![\d.-])(?P<yy>\d{2})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?![\d.-])"),
    # 19850312
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"),
    # 850312
    re.compile(r"(?<![\d-])(?P<yy>\d{2})(?P<m>\d{2})(?P<d>\d{2})(?![\d-])"),
    # March 12, 1985 / Mar 12 1985
    re.compile(rf"(?i)\b(?P<mon>{_MONTH_NAMES})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})\b"),
    # 12 March 1985
    re.compile(rf"(?i)\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>{_MONTH_NAMES})\.?,?\s+(?P<y>(?:19|20)\d{{2}})\b"),
)


@dataclass(frozen=True)
class Found:
    """One entity found in a text: its span and normalised value."""

    entity: str
    start: int
    end: int
    value: str


def _resolve_century(two_digits: int, today: dt.date) -> int:
    """The later of 19YY and 20YY that is not in the future."""
    year = 2000 + two_digits
    return year if year <= today.year else 1900 + two_digits


def _date_from_match(match: re.Match, today: dt.date) -> Optional[dt.date]:
    groups = match.groupdict()
    year = int(groups["y"]) if groups.get("y") else _resolve_century(int(groups["yy"]), today)
    month = _MONTHS[groups["mon"].lower()] if groups.get("mon") else int(groups["m"])
    try:
        return dt.date(year, month, int(groups["d"]))
    except ValueError:
        return None


def find_identifiers(text: str, today: Optional[dt.date] = None) -> List[Found]:
    """Find application numbers and birth dates in ``text``, without overlaps.

    Application numbers win over dates where they overlap; a resident
    registration number is never reported as either (it is masked instead).
    """
    today = today or dt.date.today()
    # Blank resident numbers and their masks so no part of them is read as a date.
    masked = text
    for start, end in resident_number_spans(text) + [m.span() for m in re.finditer(re.escape(RRN_MASK), text)]:
        masked = masked[:start] + "#" * (end - start) + masked[end:]

    found: List[Found] = []
    taken = [False] * len(text)
    for match in _APPLICATION.finditer(masked):
        year, head, tail = match.groups()
        found.append(Found(APPLICATION_NUMBER, match.start(), match.end(), f"{year}-{head}{tail}"))
        taken[match.start():match.end()] = [True] * (match.end() - match.start())
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(masked):
            if any(taken[match.start():match.end()]):
                continue
            date = _date_from_match(match, today)
            if date is None or date > today:
                continue
            found.append(Found(BIRTH_DATE, match.start(), match.end(), date.isoformat()))
            taken[match.start():match.end()] = [True] * (match.end() - match.start())
    return sorted(found, key=lambda item: item.start)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class IdentifierExtractor(GraphComponent):
    """Adds `application_number` and `birth_date` entities found by pattern."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """No options."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "IdentifierExtractor":
        """Creates the extractor."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Replace learned entities of these two types with the pattern matches."""
        for message in messages:
            text = message.get(TEXT) or ""
            kept = [
                entity
                for entity in message.get(ENTITIES, [])
                if entity.get("entity") not in (APPLICATION_NUMBER, BIRTH_DATE)
            ]
            for item in find_identifiers(text):
                kept.append(
                    {
                        "entity": item.entity,
                        "start": item.start,
                        "end": item.end,
                        "value": item.value,
                        "confidence_entity": 1.0,
                        "extractor": self.__class__.__name__,
                    }
                )
            message.set(ENTITIES, sorted(kept, key=lambda e: e.get("start", 0)), add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        """Training data is left as annotated."""
        return training_data
