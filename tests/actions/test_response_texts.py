"""What a citizen reads: the Korean texts of every response, in bot/domain and bot/responses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Tuple

import yaml

BOT = Path(__file__).resolve().parents[2] / "bot"

# "은(는)", "이(가)", "을(를)", "와(과)", "(으)로": the particle a form letter leaves
# for the reader to choose; a sentence that needs none reads as written by a person.
PARTICLE_CHOICE = re.compile(r"은\(는\)|는\(은\)|이\(가\)|가\(이\)|을\(를\)|를\(을\)|와\(과\)|과\(와\)|\(으\)로")


def korean_texts() -> Iterator[Tuple[str, str]]:
    """(response name, Korean text) of every response variation for ``language: ko``."""
    for path in sorted([*(BOT / "domain").glob("*.yml"), *(BOT / "responses").glob("*.yml")]):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        for name, variations in responses.items():
            for variation in variations:
                conditions = variation.get("condition") or []
                if any(c.get("name") == "language" and c.get("value") == "ko" for c in conditions):
                    yield name, variation.get("text") or ""


def test_there_are_korean_texts_to_check() -> None:
    assert sum(1 for _ in korean_texts()) > 50


def test_no_korean_text_leaves_the_particle_to_the_reader() -> None:
    offending = [f"{name}: {text}" for name, text in korean_texts() if PARTICLE_CHOICE.search(text)]
    assert offending == []


# A particle right after a filled-in value ("{channel}이나", "{channel}({link})이나") cannot be
# right for every value: it must be written "^이나" so actions/particles.py picks the form.
UNMARKED_PARTICLE = re.compile(r"\}(?:\([^()]*\))?(?:이나|나|으로|로|은|는|이|가|을|를|과|와|이에요|예요)(?![가-힣])")
MARKER = re.compile(r"\^([가-힣]+)")


def test_particles_after_filled_in_values_are_chosen_for_the_value() -> None:
    from actions.particles import attach_particles

    unmarked = [f"{name}: {text}" for name, text in korean_texts() if UNMARKED_PARTICLE.search(text)]
    assert unmarked == []
    for name, text in korean_texts():
        for marker in MARKER.finditer(text):
            assert "^" not in attach_particles("값" + text[marker.start():marker.end()]), (name, marker.group(0))
