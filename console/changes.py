"""Changes to services: validate, save as draft, submit for review, publish, reject, revert.

Every save goes through the YAML import's validation and writer
(:func:`knowledge.importer.import_documents`): the same rules, the same audit
rows, the same catalogue-version bump that makes the running bot answer with
the change at once. Blocking: call through ``asyncio.to_thread``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Mapping, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine

from console.catalogue import json_entry
from console.models import ServiceChange
from console.roles import Staff
from core.db import session_scope
from knowledge import entries
from knowledge.importer import ImportReport, StaleEditError, import_documents, known_ids
from knowledge.models import Service, ServiceVersion, record_audit, utc_now
from knowledge.schema import CatalogueDocument, Issue, validate_documents

DRAFT, PENDING, PUBLISHED, REJECTED = "draft", "pending", "published", "rejected"
OPEN_STATUSES = (DRAFT, PENDING)


class ChangeError(ValueError):
    """A change that cannot be made in its state; the message is a translation key."""


@dataclass(frozen=True)
class ChangeView:
    """A proposed change as pages show it."""

    id: int
    service_id: str
    agency_id: str
    status: str
    entry: Dict[str, Any]
    base_revision: int
    author: str
    created_at: datetime
    updated_at: datetime
    reviewer: str | None
    note: str | None


@dataclass(frozen=True)
class VersionView:
    """One published revision of a service and what it changed."""

    revision: int
    at: datetime
    actor: str
    source: str | None
    changes: List[Tuple[str, str, str]]  # (field, before, after)


def _view(change: ServiceChange) -> ChangeView:
    return ChangeView(
        change.id, change.service_id, change.agency_id, change.status, dict(change.entry), change.base_revision,
        change.author, change.created_at, change.updated_at, change.reviewer, change.note,
    )


def validate_entry(engine: Engine, entry: Mapping[str, Any], label: str) -> List[Issue]:
    """The YAML import's issues for one service ``entry`` (references checked against the database)."""
    with session_scope(engine) as session:
        known = known_ids(session)
    return validate_documents([CatalogueDocument(label, services=[dict(entry)])], known)


def current_revision(engine: Engine, service_id: str) -> int | None:
    """The service's revision, or None when it does not exist."""
    with session_scope(engine) as session:
        value = session.scalar(select(Service.revision).where(Service.id == service_id))
        return None if value is None else int(value)


def publish_entry(
    engine: Engine, entry: Mapping[str, Any], base_revision: int, actor: str, label: str
) -> ImportReport:
    """Write a validated service entry if the service is still at ``base_revision``.

    Raises :class:`StaleEditError` (someone saved first) or
    :class:`knowledge.schema.CatalogueValidationError`; then nothing is written.
    """
    document = CatalogueDocument(label, services=[dict(entry)])
    return import_documents(
        engine,
        [document],
        actor,
        source="console",
        expected_revisions={entry["id"]: base_revision},
        keep_positions=True,
    )


def save_change(
    engine: Engine, staff: Staff, agency_id: str, entry: Mapping[str, Any], base_revision: int, status: str
) -> int:
    """Keep ``entry`` as the author's open change to the service (draft or pending); returns its id.

    An author has at most one open change per service: saving again updates it.
    A submission (``pending``) is audited.
    """
    now = utc_now()
    stored = json_entry(dict(entry))
    with session_scope(engine) as session:
        change = session.scalar(
            select(ServiceChange).where(
                ServiceChange.service_id == entry["id"],
                ServiceChange.author == staff.login,
                ServiceChange.status.in_(OPEN_STATUSES),
            )
        )
        if change is None:
            change = ServiceChange(
                service_id=entry["id"], author=staff.login, created_at=now, agency_id=agency_id
            )
            session.add(change)
        change.entry = stored
        change.agency_id = agency_id
        change.base_revision = base_revision
        change.status = status
        change.updated_at = now
        session.flush()
        if status == PENDING:
            record_audit(
                session, actor=staff.login, action="submit", entity_type="service", entity_id=entry["id"],
                field=f"change #{change.id}", new_value=entries.render_value(stored), source="console",
            )
        return int(change.id)


def get_change(engine: Engine, change_id: int) -> ChangeView | None:
    """The change with ``change_id``, or None."""
    with session_scope(engine) as session:
        change = session.get(ServiceChange, change_id)
        return _view(change) if change is not None else None


def open_changes(engine: Engine, service_id: str | None = None, status: str | None = None) -> List[ChangeView]:
    """Drafts and pending changes (of one service, or of one status), oldest first."""
    query = select(ServiceChange).order_by(ServiceChange.created_at, ServiceChange.id)
    query = query.where(ServiceChange.status.in_((status,) if status else OPEN_STATUSES))
    if service_id:
        query = query.where(ServiceChange.service_id == service_id)
    with session_scope(engine) as session:
        return [_view(change) for change in session.scalars(query)]


def publish_change(engine: Engine, change_id: int, reviewer: Staff, label: str) -> ImportReport:
    """Publish an open change; the service must still be at the change's base revision.

    Raises :class:`ChangeError` when the change is not open, :class:`StaleEditError`
    or a validation error when it cannot be written (the change stays open).
    """
    change = get_change(engine, change_id)
    if change is None or change.status not in OPEN_STATUSES:
        raise ChangeError("not_found")
    report = publish_entry(engine, change.entry, change.base_revision, reviewer.login, label)
    with session_scope(engine) as session:
        row = session.get(ServiceChange, change_id)
        row.status = PUBLISHED
        row.reviewer = reviewer.login
        row.reviewed_at = utc_now()
        row.published_revision = report.revisions.get(change.service_id)
        record_audit(
            session, actor=reviewer.login, action="publish", entity_type="service", entity_id=change.service_id,
            field=f"change #{change_id}", new_value=f"by {change.author}", source="console",
            change_id=report.change_id,
        )
    return report


def reject_change(engine: Engine, change_id: int, reviewer: Staff, note: str) -> None:
    """Reject an open change with a note (kept, never deleted)."""
    with session_scope(engine) as session:
        row = session.get(ServiceChange, change_id)
        if row is None or row.status not in OPEN_STATUSES:
            raise ChangeError("not_found")
        row.status = REJECTED
        row.reviewer = reviewer.login
        row.reviewed_at = utc_now()
        row.note = note[:2000]
        record_audit(
            session, actor=reviewer.login, action="reject", entity_type="service", entity_id=row.service_id,
            field=f"change #{change_id}", new_value=note[:2000], source="console",
        )


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> List[Tuple[str, str, str]]:
    """(field, before, after) of every field that differs (the audit log's form)."""
    return [(path, old or "", new or "") for path, old, new in entries.changed_fields(before or {}, after)]


def history(engine: Engine, service_id: str) -> List[VersionView]:
    """The service's published revisions, newest first, each with its diff to the one before."""
    with session_scope(engine) as session:
        versions = list(
            session.scalars(
                select(ServiceVersion).where(ServiceVersion.service_id == service_id).order_by(ServiceVersion.revision)
            )
        )
        views: List[VersionView] = []
        previous: Dict[str, Any] | None = None
        for version in versions:
            views.append(
                VersionView(version.revision, version.at, version.actor, version.source, diff(previous, version.entry))
            )
            previous = version.entry
    return list(reversed(views))


def version_entry(engine: Engine, service_id: str, revision: int) -> Dict[str, Any] | None:
    """The service entry as it was at ``revision``, or None."""
    with session_scope(engine) as session:
        version = session.scalar(
            select(ServiceVersion).where(ServiceVersion.service_id == service_id, ServiceVersion.revision == revision)
        )
        return dict(version.entry) if version is not None else None


__all__ = [
    "ChangeError",
    "StaleEditError",
    "publish_change",
    "publish_entry",
    "save_change",
    "validate_entry",
]
