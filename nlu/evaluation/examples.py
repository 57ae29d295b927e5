"""Annotated examples with their language, read with Rasa's own loader.

The language of an example is the folder right under the split's root
(nlu/test/ko/... is Korean, nlu/test/en/... English), not a guess from its
script: a Korean user who types "hello" still belongs to the Korean split.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

from nlu.evaluation.layout import LANGUAGES


@dataclass(frozen=True)
class Entity:
    """One entity: its type, character span and value."""

    entity: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class GoldExample:
    """A held-out example: text, expected intent and entities, language and file."""

    text: str
    intent: str
    entities: Tuple[Entity, ...]
    language: str
    source: str


def language_of(path: Path, base: Path) -> Optional[str]:
    """``ko``/``en`` when ``path`` lies in that folder directly under ``base``, else None."""
    parts = path.relative_to(base).parts
    return parts[0] if len(parts) > 1 and parts[0] in LANGUAGES else None


def entities_of(raw: List[dict]) -> Tuple[Entity, ...]:
    """Rasa entity dicts as ``Entity`` values (value defaults to the span's text)."""
    return tuple(
        Entity(str(item["entity"]), int(item["start"]), int(item["end"]), str(item.get("value")))
        for item in raw or []
    )


def data_files(base: Path) -> List[Path]:
    """The YAML files under ``base`` whose language folder is known, sorted."""
    return sorted(
        path
        for path in base.rglob("*")
        if path.suffix in {".yml", ".yaml"} and language_of(path, base) is not None
    )


def load_examples(base: Path) -> List[GoldExample]:
    """Every intent example under ``base``, file by file, with its language.

    Files outside a ``ko``/``en`` folder are ignored: their language is unknown.
    """
    from rasa.shared.nlu.training_data.loading import load_data

    examples: List[GoldExample] = []
    for path in data_files(base):
        language = language_of(path, base)
        for message in load_data(str(path)).intent_examples:
            examples.append(
                GoldExample(
                    text=message.get("text"),
                    intent=message.get("intent"),
                    entities=entities_of(message.get("entities")),
                    language=str(language),
                    source=str(path.relative_to(base)),
                )
            )
    return examples
