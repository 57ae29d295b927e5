"""Reading the catalogue for the console: the filtered list, one service, the choices of a form.

Blocking (SQLAlchemy): call through ``asyncio.to_thread``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Tuple

from sqlalchemy import or_, select
from sqlalchemy.engine import Engine

from console.models import ServiceChange
from core.db import session_scope
from knowledge import entries
from knowledge.models import Agency, LifeEvent, Service

PAGE_SIZE = 100


@dataclass(frozen=True)
class ServiceRow:
    """One line of the service list."""

    id: str
    name_ko: str
    name_en: str
    agency_id: str
    last_reviewed: date
    stale: bool
    pending: bool


@dataclass(frozen=True)
class ListFilter:
    """What the list is narrowed to; empty strings mean no narrowing."""

    query: str = ""
    agency: str = ""
    life_event: str = ""
    reviewed_before: date | None = None
    stale_only: bool = False
    page: int = 1


@dataclass(frozen=True)
class ServiceDetail:
    """A service as the editor needs it: its entry, revision and who changed it last."""

    id: str
    agency_id: str
    name_ko: str
    name_en: str
    entry: Dict[str, Any]
    revision: int
    updated_at: datetime | None
    updated_by: str | None
    source_file: str


def json_entry(entry: Dict[str, Any]) -> Dict[str, Any]:
    """``entry`` with dates as ISO text (how drafts and versions are stored)."""
    return json.loads(json.dumps(entry, ensure_ascii=False, default=str))


def choices(engine: Engine) -> Tuple[List[Tuple[str, str, str]], List[Tuple[str, str, str]]]:
    """(id, name ko, name en) of every agency and every life event, for select boxes."""
    with session_scope(engine) as session:
        agencies = [(a.id, a.name_ko, a.name_en) for a in session.scalars(select(Agency).order_by(Agency.id))]
        events = [
            (e.id, e.name_ko, e.name_en) for e in session.scalars(select(LifeEvent).order_by(LifeEvent.position))
        ]
    return agencies, events


def list_services(engine: Engine, wanted: ListFilter, stale_days: int, today: date) -> Tuple[List[ServiceRow], int]:
    """One page of the services matching ``wanted`` and how many match in all."""
    cutoff = today - timedelta(days=stale_days)
    query = select(Service).order_by(Service.agency_id, Service.id)
    if wanted.query.strip():
        pattern = f"%{wanted.query.strip()[:100]}%"
        query = query.where(
            or_(Service.id.ilike(pattern), Service.name_ko.ilike(pattern), Service.name_en.ilike(pattern))
        )
    if wanted.agency:
        query = query.where(Service.agency_id == wanted.agency)
    if wanted.reviewed_before is not None:
        query = query.where(Service.last_reviewed < wanted.reviewed_before)
    if wanted.stale_only:
        query = query.where(Service.last_reviewed < cutoff)
    with session_scope(engine) as session:
        pending = set(
            session.scalars(select(ServiceChange.service_id).where(ServiceChange.status == "pending"))
        )
        rows = [
            ServiceRow(
                s.id, s.name_ko, s.name_en, s.agency_id, s.last_reviewed, s.last_reviewed < cutoff, s.id in pending
            )
            for s in session.scalars(query)
            if not wanted.life_event or wanted.life_event in (s.life_event_ids or [])
        ]
    start = (max(1, wanted.page) - 1) * PAGE_SIZE
    return rows[start : start + PAGE_SIZE], len(rows)


def get_service(engine: Engine, service_id: str) -> ServiceDetail | None:
    """The service with its entry, or None."""
    with session_scope(engine) as session:
        service = session.get(Service, service_id)
        if service is None:
            return None
        return ServiceDetail(
            id=service.id,
            agency_id=service.agency_id,
            name_ko=service.name_ko,
            name_en=service.name_en,
            entry=json_entry(copy.deepcopy(entries.service_to_entry(service))),
            revision=int(service.revision or 0),
            updated_at=service.updated_at,
            updated_by=service.updated_by,
            source_file=service.source_file,
        )
