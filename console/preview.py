"""What the assistant will answer about a service, before the change is saved.

The answer is built by the very functions the actions use
(:func:`actions.service_answers.build_answer` and
:func:`actions.responses.render`), run against a private in-memory copy of
the service as edited, so the preview and the bot can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

from actions.responses import render
from actions.service_answers import TOPICS, build_answer
from core.db import session_scope
from knowledge import entries
from knowledge.models import Agency, Service, ServiceAlias


@dataclass(frozen=True)
class PreviewItem:
    """One topic's answer in one language."""

    topic: str
    language: str
    text: str


def _scratch_engine() -> Engine:
    engine = create_engine(
        "sqlite://", future=True, poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    for table in (Agency.__table__, Service.__table__, ServiceAlias.__table__):
        table.create(engine)
    return engine


def preview_answers(engine: Engine, entry: Mapping[str, Any]) -> List[PreviewItem]:
    """Every topic's answer in Korean and English for a validated service ``entry``.

    Blocking: call through ``asyncio.to_thread``.
    """
    scratch = _scratch_engine()
    try:
        with session_scope(engine) as session:
            agency = session.get(Agency, entry["agency"])
            agency_entry = entries.agency_to_entry(agency) if agency is not None else None
        with session_scope(scratch) as session:
            if agency_entry is not None:
                copy = Agency(id=agency_entry["id"])
                entries.apply_agency(copy, agency_entry, "agencies.yml", 0)
                session.add(copy)
            service = Service(id=entry["id"], revision=0)
            entries.apply_service(service, dict(entry), "preview.yml", 0)
            session.add(service)
        items: List[PreviewItem] = []
        for language in ("ko", "en"):
            for topic in TOPICS:
                answer = build_answer(scratch, entry["id"], topic, language)
                if answer is None:
                    continue
                message: Dict[str, Any] = render(answer.response, language, answer.values)
                items.append(PreviewItem(topic, language, message["text"]))
        return items
    finally:
        scratch.dispose()
