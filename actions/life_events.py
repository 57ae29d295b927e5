"""Life events: which one a citizen means, and its ordered services.

The event comes from the ``life_event`` entity when it names a catalogue life
event, else from the citizen's words matched against each event's triggers in
the catalogue database (so a trigger staff add is used at once). Everything
here is blocking: call it through ``asyncio.to_thread``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.db import session_scope
from knowledge.models import LifeEvent, Service, life_event_services
from knowledge.text import english_stem, english_words, korean_morphemes, normalize

BIRTH_EVENT = "birth"
BIRTH_ONESTOP_SERVICE = "happy_birth_onestop"
MINIMUM_SCORE = 0.6

_SENTENCE_END = re.compile(r"(?<=[.!?다요])\s+|(?<=\.)$")


def _terms(text: str) -> Tuple[str, ...]:
    return tuple(korean_morphemes(text)) + tuple(english_stem(word) for word in english_words(text))


def _compact(text: str) -> str:
    return re.sub(r"[\s.,!?~'\"]+", "", normalize(text))


def _score(message: str, message_terms: set, trigger: str) -> float:
    compact_trigger = _compact(trigger)
    if compact_trigger and compact_trigger in _compact(message):
        return 1.0
    trigger_terms = set(_terms(trigger))
    if not trigger_terms:
        return 0.0
    return len(trigger_terms & message_terms) / len(trigger_terms)


def life_event_ids(engine: Engine) -> List[str]:
    """Every life event id, in catalogue order."""
    with session_scope(engine) as session:
        return list(session.execute(select(LifeEvent.id).order_by(LifeEvent.position, LifeEvent.id)).scalars())


def resolve_life_event(engine: Engine, entity_values: Sequence[str], text: str) -> Optional[str]:
    """The life event id the citizen means, or None when it is unclear.

    An entity value that is a life event id wins; otherwise the event whose
    trigger (or name) matches best, if it matches well enough and no other
    event matches as well.
    """
    with session_scope(engine) as session:
        events = session.execute(select(LifeEvent).order_by(LifeEvent.position)).scalars().all()
        ids = {event.id for event in events}
        for value in entity_values:
            if isinstance(value, str) and value.strip() in ids:
                return value.strip()
        if not text or text.strip().startswith("/"):
            return None
        message_terms = set(_terms(text))
        scores: Dict[str, float] = {}
        for event in events:
            phrases = [*(event.triggers_ko or []), *(event.triggers_en or []), event.name_ko, event.name_en]
            scores[event.id] = max((_score(text, message_terms, phrase) for phrase in phrases), default=0.0)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < MINIMUM_SCORE:
        return None
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]


def first_sentence(text: str) -> str:
    """The first sentence of a catalogue text, for a one-line summary."""
    text = (text or "").strip()
    parts = _SENTENCE_END.split(text, maxsplit=1)
    return parts[0].strip() if parts else text


@dataclass
class ChecklistItem:
    """One service of a life event's bundle."""

    service_id: str
    name: str
    summary: str


@dataclass
class Checklist:
    """A life event's name, description and ordered services in one language."""

    event_id: str
    name: str
    description: str
    items: List[ChecklistItem] = field(default_factory=list)
    birth_onestop: Optional[str] = None  # what 행복출산 원스톱서비스 covers, for a birth


def build_checklist(engine: Engine, event_id: str, language: str) -> Optional[Checklist]:
    """The ordered bundle of ``event_id`` in ``language``; None if the event is gone."""
    with session_scope(engine) as session:
        event = session.get(LifeEvent, event_id)
        if event is None:
            return None
        rows = session.execute(
            select(Service)
            .join(life_event_services, life_event_services.c.service_id == Service.id)
            .where(life_event_services.c.life_event_id == event_id)
            .order_by(life_event_services.c.position)
        ).scalars()
        items = [
            ChecklistItem(service.id, service.name(language), first_sentence(service.text("overview", language) or ""))
            for service in rows
        ]
        description = event.description_en if language == "en" else event.description_ko
        checklist = Checklist(event.id, event.name(language), description or "", items)
        if event_id == BIRTH_EVENT:
            onestop = session.get(Service, BIRTH_ONESTOP_SERVICE)
            if onestop is not None:
                checklist.birth_onestop = onestop.text("overview", language)
        return checklist


def event_names(engine: Engine, language: str) -> List[Tuple[str, str]]:
    """(id, name) of every life event in catalogue order, for buttons."""
    with session_scope(engine) as session:
        events = session.execute(select(LifeEvent).order_by(LifeEvent.position, LifeEvent.id)).scalars()
        return [(event.id, event.name(language)) for event in events]
