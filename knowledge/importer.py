"""Import catalogue YAML into the database, recording every change.

:func:`import_catalogue` validates all files first and writes nothing when any
file is invalid; otherwise it upserts agencies, life events and services by id
in one transaction, writes one :class:`~knowledge.models.AuditLog` row per
created entry or changed field, and bumps the catalogue version so the bot's
search index picks the change up.
"""

from __future__ import annotations

import copy
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Sequence

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.db import session_scope
from knowledge import entries
from knowledge.models import (
    Agency,
    AuditLog,
    CatalogueVersion,
    LifeEvent,
    Service,
    ServiceVersion,
    utc_now,
)
from knowledge.schema import (
    OPTIONAL_TEXTS,
    CatalogueDocument,
    CatalogueValidationError,
    Issue,
    KnownIds,
    load_documents,
    validate_documents,
)

Progress = Callable[[str], None]


@dataclass
class ImportReport:
    """What an import changed: ids per outcome and the number of audit rows."""

    created: List[str] = field(default_factory=list)
    updated: List[str] = field(default_factory=list)
    unchanged: List[str] = field(default_factory=list)
    audit_rows: int = 0
    change_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    revisions: Dict[str, int] = field(default_factory=dict)  # service id -> revision after this import

    @property
    def changed(self) -> bool:
        """True when anything was written."""
        return bool(self.created or self.updated)


class StaleEditError(Exception):
    """A service changed since the editor loaded it (someone else saved first); nothing was written."""

    def __init__(self, service_id: str, expected: int, current: int | None) -> None:
        self.service_id = service_id
        self.expected = expected
        self.current = current
        super().__init__(
            f"service {service_id!r} is at revision {current}, not {expected}: someone else saved first"
        )


def default_actor() -> str:
    """Who is making a change when nobody said: the login name, else ``staff``."""
    return os.environ.get("USER") or os.environ.get("USERNAME") or "staff"


def known_ids(session: Session) -> KnownIds:
    """The ids already in the database, for validating references."""
    return KnownIds(
        agencies=set(session.scalars(select(Agency.id))),
        services=set(session.scalars(select(Service.id))),
        life_events=set(session.scalars(select(LifeEvent.id))),
    )


def count_entries(documents: Sequence[CatalogueDocument]) -> int:
    """How many entries the documents hold (for a progress bar)."""
    return sum(len(d.agencies) + len(d.services) + len(d.life_events) for d in documents)


def validate_path(engine: Engine | None, path: Path) -> List[Issue]:
    """All issues of the files under ``path``; references may use ids in ``engine``'s DB."""
    documents, issues = load_documents(path)
    known = KnownIds()
    if engine is not None:
        with session_scope(engine) as session:
            known = known_ids(session)
    return issues + validate_documents(documents, known)


def import_catalogue(
    engine: Engine, path: Path, actor: str | None = None, progress: Progress | None = None
) -> ImportReport:
    """Validate then import the catalogue folder or file at ``path``.

    Raises :class:`CatalogueValidationError` with every issue, before any
    write, when the input is invalid. ``progress`` is called once per entry.
    """
    documents, issues = load_documents(path)
    if issues:
        raise CatalogueValidationError(issues)
    return import_documents(engine, documents, actor, progress)


def import_documents(
    engine: Engine,
    documents: Sequence[CatalogueDocument],
    actor: str | None = None,
    progress: Progress | None = None,
    *,
    source: str | None = None,
    expected_revisions: Mapping[str, int] | None = None,
    keep_positions: bool = False,
) -> ImportReport:
    """Validate and import already-parsed documents in one transaction.

    ``source`` (``cli``, ``import``, ``console`` ...) is recorded on the audit
    rows. ``expected_revisions`` maps service ids to the revision the editor
    started from: when a service is at another revision, :class:`StaleEditError`
    is raised and nothing is written (the check and the write are atomic).
    ``keep_positions`` keeps an existing service's place in its file.
    """
    actor = actor or default_actor()
    report = ImportReport()
    with session_scope(engine) as session:
        issues = validate_documents(documents, known_ids(session))
        if issues:
            raise CatalogueValidationError(issues)
        writer = _Writer(
            session, actor, report, progress, source or "import", expected_revisions or {}, keep_positions
        )
        for document in documents:
            for position, entry in enumerate(document.agencies):
                writer.agency(entry, document.label, position)
        for document in documents:
            for position, entry in enumerate(document.life_events):
                writer.life_event(entry, position)
        session.flush()
        for document in documents:
            for position, entry in enumerate(document.services):
                writer.service(entry, document.label, position)
        session.flush()
        for document in documents:
            for entry in document.life_events:
                writer.life_event_links(entry)
        if report.changed:
            bump_version(session)
    return report


def bump_version(session: Session) -> int:
    """Increase the catalogue version by one and return it."""
    row = session.get(CatalogueVersion, 1)
    if row is None:
        row = CatalogueVersion(id=1, version=0)
        session.add(row)
    row.version = (row.version or 0) + 1
    row.updated_at = utc_now()
    session.flush()
    return row.version


def current_version(session: Session) -> int:
    """The catalogue version (0 when nothing was ever imported)."""
    value = session.scalar(select(CatalogueVersion.version).where(CatalogueVersion.id == 1))
    return int(value or 0)


def service_count(session: Session) -> int:
    """How many services the catalogue holds."""
    return int(session.scalar(select(func.count()).select_from(Service)) or 0)


class _Writer:
    """Upserts entries inside one session and writes the audit rows."""

    def __init__(
        self,
        session: Session,
        actor: str,
        report: ImportReport,
        progress: Progress | None,
        source: str | None = None,
        expected_revisions: Mapping[str, int] | None = None,
        keep_positions: bool = False,
    ):
        self.session = session
        self.actor = actor
        self.report = report
        self.progress = progress
        self.source = source
        self.expected_revisions = dict(expected_revisions or {})
        self.keep_positions = keep_positions

    def _tick(self, entry_id: str) -> None:
        if self.progress is not None:
            self.progress(entry_id)

    def _audit(self, action: str, entity_type: str, entity_id: str, changes: List[tuple]) -> None:
        for path, old, new in changes:
            self.session.add(
                AuditLog(
                    at=utc_now(),
                    actor=self.actor,
                    action=action,
                    entity_type=entity_type,
                    entity_id=entity_id,
                    field=path,
                    old_value=old,
                    new_value=new,
                    source=self.source,
                    change_id=self.report.change_id,
                )
            )
            self.report.audit_rows += 1

    def _record(
        self, entity_type: str, entity_id: str, before: Dict[str, Any] | None, after: Dict[str, Any]
    ) -> bool:
        """Audit the change; True when anything changed."""
        if before is None:
            self._audit("create", entity_type, entity_id, [(None, None, entries.render_value(after))])
            self.report.created.append(f"{entity_type}:{entity_id}")
            return True
        changes = entries.changed_fields(before, after)
        if changes:
            self._audit("update", entity_type, entity_id, changes)
            self.report.updated.append(f"{entity_type}:{entity_id}")
            return True
        self.report.unchanged.append(f"{entity_type}:{entity_id}")
        return False

    def _check_revision(self, service_id: str) -> None:
        """Refuse the write when the service moved past the revision the editor started from.

        A conditional no-op UPDATE takes the row's write lock (the database's
        on SQLite) in the same statement that compares the revision, so no
        other save can slip in between the check and this transaction's write.
        """
        expected = self.expected_revisions.get(service_id)
        if expected is None:
            return
        result = self.session.execute(
            update(Service)
            .where(Service.id == service_id, Service.revision == expected)
            .values(revision=Service.revision)
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:
            current = self.session.scalar(select(Service.revision).where(Service.id == service_id))
            raise StaleEditError(service_id, expected, current)

    def agency(self, entry: Dict[str, Any], label: str, position: int) -> None:
        agency = self.session.get(Agency, entry["id"])
        before = entries.agency_to_entry(agency) if agency is not None else None
        if agency is None:
            agency = Agency(id=entry["id"])
            self.session.add(agency)
        entries.apply_agency(agency, entry, label, position)
        self._record("agency", agency.id, before, entries.agency_to_entry(agency))
        self._tick(agency.id)

    def life_event(self, entry: Dict[str, Any], position: int) -> None:
        event = self.session.get(LifeEvent, entry["id"])
        before = entries.life_event_to_entry(self.session, event) if event is not None else None
        if event is None:
            event = LifeEvent(id=entry["id"])
            self.session.add(event)
        entries.apply_life_event(event, entry, position)
        after = entries.life_event_to_entry(self.session, event)
        after["services"] = list(entry.get("services") or [])
        self._record("life_event", event.id, before, after)
        self._tick(event.id)

    def life_event_links(self, entry: Dict[str, Any]) -> None:
        entries.link_life_event(self.session, entry["id"], list(entry.get("services") or []))

    def service(self, entry: Dict[str, Any], label: str, position: int) -> None:
        self._check_revision(entry["id"])
        service = self.session.get(Service, entry["id"])
        before = copy.deepcopy(entries.service_to_entry(service)) if service is not None else None
        if service is None:
            # A service deleted and made again continues its kept history's revisions.
            last = self.session.scalar(
                select(func.max(ServiceVersion.revision)).where(ServiceVersion.service_id == entry["id"])
            )
            service = Service(id=entry["id"], revision=last or 0)
            self.session.add(service)
        elif self.keep_positions:
            label, position = service.source_file, service.position
        entries.apply_service(service, entry, label, position)
        service.updated_by = self.actor
        after = entries.service_to_entry(service)
        if self._record("service", service.id, before, after):
            service.revision = (service.revision or 0) + 1
            self.session.add(
                ServiceVersion(
                    service_id=service.id,
                    revision=service.revision,
                    entry=json.loads(json.dumps(after, ensure_ascii=False, default=str)),
                    at=utc_now(),
                    actor=self.actor,
                    source=self.source,
                    change_id=self.report.change_id,
                )
            )
        self.report.revisions[service.id] = service.revision or 0
        self._tick(service.id)


def set_service_field(
    engine: Engine, service_id: str, field_path: str, value: Any, actor: str | None = None, source: str = "cli"
) -> ImportReport:
    """Change one field of a service (e.g. ``fee.ko``), validated like an import.

    Raises ``KeyError`` when the service does not exist and
    :class:`CatalogueValidationError` when the change would make the entry
    invalid; then nothing is written.
    """
    with session_scope(engine) as session:
        service = session.get(Service, service_id)
        if service is None:
            raise KeyError(service_id)
        entry = copy.deepcopy(entries.service_to_entry(service))
        label = service.source_file
    if field_path in ("id",):
        raise CatalogueValidationError([Issue(label, "cannot be changed", service_id, field_path)])
    _set_path(entry, field_path, value, label, service_id)
    document = CatalogueDocument(label, services=[entry])
    return import_documents(engine, [document], actor, source=source, keep_positions=True)


def _set_path(entry: Dict[str, Any], field_path: str, value: Any, label: str, entry_id: str) -> None:
    keys = field_path.split(".")
    target: Any = entry
    for depth, key in enumerate(keys[:-1]):
        child = target.get(key) if isinstance(target, dict) else None
        if child is None and isinstance(target, dict) and (key in target or (depth == 0 and key in OPTIONAL_TEXTS)):
            child = target[key] = {}
        if not isinstance(child, dict):
            # e.g. `fee.ko` when the fee is a bare amount: turn it into texts.
            if key == "fee" and depth == 0 and child is not None:
                child = target[key] = {lang: entries.render_value(child) for lang in ("ko", "en")}
            else:
                raise CatalogueValidationError(
                    [Issue(label, "is not a field that can be set", entry_id, field_path)]
                )
        target = child
    settable_top = keys[-1] in target or keys[-1] in OPTIONAL_TEXTS
    if not isinstance(target, dict) or (len(keys) == 1 and not settable_top):
        raise CatalogueValidationError([Issue(label, "is not a field that can be set", entry_id, field_path)])
    target[keys[-1]] = value


def parse_cli_value(field_path: str, raw: str) -> Any:
    """Turn a value typed on the command line into the field's YAML value.

    Lists (documents, aliases, life_events) accept ``a; b; c`` or YAML
    ``[a, b]``; rules, flags and a bare fee amount are read as YAML; every
    other field keeps the text exactly as typed.
    """
    list_fields = ("documents.ko", "documents.en", "aliases.ko", "aliases.en", "life_events")
    if field_path in list_fields:
        stripped = raw.strip()
        if stripped.startswith("["):
            return yaml.safe_load(stripped)
        return [item.strip() for item in stripped.split(";") if item.strip()]
    if field_path in ("eligibility.rules", "illustrative", "fee", "last_reviewed", "deadline"):
        return yaml.safe_load(raw)
    return raw
