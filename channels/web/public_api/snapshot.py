"""An in-memory, read-only picture of the published catalogue, rebuilt when it changes.

Every request first reads the catalogue version (one primary-key row); the
snapshot for that version is built once, off the event loop, and shared by
all requests until the next change. Answers are then filtered and rendered in
memory, and the version gives every answer its ETag and Last-Modified.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Any, Dict, List, Mapping, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from core.db import create_schema, get_engine, session_scope
from knowledge import entries
from knowledge.gov24_mapping import CATEGORIES
from knowledge.models import Agency, CatalogueVersion, LifeEvent, Service
from knowledge.sources import ServiceSource

EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)

# The seed catalogue's files are its categories.
SEED_CATEGORIES: Mapping[str, Tuple[str, str]] = {
    "business": ("창업·사업", "Starting and running a business"),
    "employment": ("고용·일자리", "Employment"),
    "foreigners": ("외국인 체류", "Foreign residents"),
    "health_pension": ("연금·건강보험·건강", "Pensions, health insurance and health"),
    "military_elections_education": ("병역·선거·교육", "Military service, elections and education"),
    "passport_id": ("여권·신분증", "Passports and identity cards"),
    "petitions": ("민원·신고·정보공개", "Petitions, reports and information disclosure"),
    "property": ("부동산 공부", "Property records"),
    "resident": ("주민등록·가족관계·인감·상속", "Resident and family registration, seals"),
    "tax": ("국세·지방세", "National and local taxes"),
    "vehicles": ("운전면허·자동차·과태료", "Driving licences, vehicles and fines"),
    "welfare_family": ("복지·가족·주거·장애", "Welfare, family, housing and disability"),
}
_GOV24_CATEGORY_NAMES = {slug: (ko, en) for ko, (slug, en) in CATEGORIES.items()}


@dataclass(frozen=True)
class ServiceView:
    """One published service: its catalogue entry and what the API adds."""

    entry: Dict[str, Any]
    category: str
    source: Dict[str, Any] | None
    search_text: str


@dataclass
class Snapshot:
    """The published catalogue at one version."""

    version: int
    updated_at: datetime
    services: List[ServiceView] = field(default_factory=list)
    by_id: Dict[str, ServiceView] = field(default_factory=dict)
    agencies: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    life_events: List[Dict[str, Any]] = field(default_factory=list)
    categories: Dict[str, Tuple[str, str]] = field(default_factory=dict)
    # The CSV download, made on first request (see routes._csv_body).
    csv: bytes | None = None


def read_version(engine: Engine) -> Tuple[int, datetime]:
    """The catalogue version and when it last changed (blocking)."""
    with session_scope(engine) as session:
        row = session.get(CatalogueVersion, 1)
        if row is None:
            return 0, EPOCH
        updated = row.updated_at or EPOCH
        if updated.tzinfo is None:
            updated = updated.replace(tzinfo=timezone.utc)
        return int(row.version or 0), updated


def category_of(source_file: str, source: ServiceSource | None) -> str:
    """The category slug: the national 서비스분야 of an imported service, else the seed file's name."""
    if source is not None and source.category:
        return source.category
    return PurePosixPath(source_file or "services/other.yml").stem


def _search_text(entry: Mapping[str, Any]) -> str:
    parts = [entry["id"], entry["name"]["ko"], entry["name"]["en"], entry["overview"]["ko"], entry["overview"]["en"]]
    for language in ("ko", "en"):
        parts.extend((entry.get("aliases") or {}).get(language) or [])
    return entries.normalize_alias(" ".join(parts))


def build_snapshot(engine: Engine) -> Snapshot:
    """Read the whole published catalogue (blocking; run it in a thread)."""
    version, updated = read_version(engine)
    snapshot = Snapshot(version, updated)
    with session_scope(engine) as session:
        sources = {row.service_id: row for row in session.scalars(select(ServiceSource))}
        for agency in session.scalars(select(Agency).order_by(Agency.id)):
            snapshot.agencies[agency.id] = entries.agency_to_entry(agency)
        for service in session.scalars(select(Service).options(selectinload(Service.aliases)).order_by(Service.id)):
            entry = entries.service_to_entry(service)
            row = sources.get(service.id)
            source = None
            if row is not None:
                source = {
                    "name": row.source,
                    "id": row.source_id,
                    "url": row.detail_url,
                    "audience": (row.record or {}).get("사용자구분"),
                    "category_ko": row.category_ko,
                }
            category = category_of(service.source_file, row)
            view = ServiceView(entry, category, source, _search_text(entry))
            snapshot.services.append(view)
            snapshot.by_id[service.id] = view
            if category not in snapshot.categories:
                names = SEED_CATEGORIES.get(category) or _GOV24_CATEGORY_NAMES.get(category)
                if names is None and row is not None and row.category_ko:
                    names = (row.category_ko, row.category_ko)
                snapshot.categories[category] = names or (category, category)
        for event in session.scalars(select(LifeEvent).order_by(LifeEvent.position, LifeEvent.id)):
            snapshot.life_events.append(entries.life_event_to_entry(session, event))
    return snapshot


class SnapshotCache:
    """The snapshot of the newest version; at most one build at a time."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._engine: Engine | None = None
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The catalogue database, connected (and migrated) on first use, so the chat
        page starts whether or not the database answers."""
        if self._engine is None:
            self._engine = create_schema(get_engine(self.database_url))
        return self._engine

    def current(self) -> Snapshot:
        """The snapshot of the catalogue as it is now (blocking: one version read, a build when it changed)."""
        version, updated = read_version(self.engine)
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version and snapshot.updated_at == updated:
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.version != version or snapshot.updated_at != updated:
                snapshot = build_snapshot(self.engine)
                self._snapshot = snapshot
            return snapshot
