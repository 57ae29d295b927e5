"""Import the national service catalogue (보조금24 serviceList / serviceDetail pages).

:func:`import_gov24` reads every file, maps every record to a catalogue entry
(:mod:`knowledge.gov24_mapping`), validates the entries with the same schema
checks as a YAML import and writes them with the same writer (audit rows,
catalogue version), together with one :class:`~knowledge.sources.ServiceSource`
row per service, all in one transaction. Any problem in any file raises
:class:`~knowledge.schema.CatalogueValidationError` naming the file, the item
and the national field, before anything is written.

A record is matched to a service by its 서비스ID (imported before), else by
its name (a service the catalogue already had: then only its Korean texts are
updated), else a new service ``gov24_<서비스ID>`` is created. Importing the
same files again changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from core.db import session_scope
from knowledge import entries
from knowledge.gov24_format import NAME, Gov24Batch, Record, item_label, read_files, text_of
from knowledge.gov24_mapping import (
    AGENCY_FILE,
    SERVICE_FILE,
    agency_id_for,
    build_entry,
    category_for,
    korean_values,
    service_id_for,
)
from knowledge.importer import ImportReport, _Writer, bump_version, default_actor, known_ids
from knowledge.models import Agency, Service, ServiceAlias
from knowledge.schema import CatalogueDocument, CatalogueValidationError, Issue, validate_documents
from knowledge.sources import GOV24, ServiceSource

Progress = Callable[[str], None]

# Which national field a catalogue field came from, for messages about invalid entries.
_NATIONAL_FIELD = (
    ("name", NAME),
    ("overview", "서비스목적요약"),
    ("documents", "구비서류"),
    ("eligibility", "지원대상"),
    ("deadline", "신청기한"),
    ("apply.online.url", "온라인신청사이트URL"),
    ("apply", "신청방법"),
    ("where.phone", "전화문의"),
    ("where", "접수기관명"),
    ("source", "상세조회URL"),
    ("agency", "소관기관명"),
    ("last_reviewed", "수정일시"),
)


@dataclass
class Gov24Report:
    """What an import did: the catalogue changes and the source bookkeeping."""

    catalogue: ImportReport
    services: List[str] = field(default_factory=list)
    created: List[str] = field(default_factory=list)
    matched: List[str] = field(default_factory=list)
    needs_review: List[str] = field(default_factory=list)
    reasons: Dict[str, List[str]] = field(default_factory=dict)
    files: int = 0


@dataclass
class _Planned:
    source_id: str
    service_id: str
    origin: str
    entry: Dict[str, Any]
    label: str
    position: int
    reasons: List[str]
    record: Record
    category: Tuple[str, str]
    category_ko: str


@dataclass
class _Plan:
    agencies: List[Dict[str, Any]] = field(default_factory=list)
    services: List[_Planned] = field(default_factory=list)
    issues: List[Issue] = field(default_factory=list)

    def documents(self) -> List[CatalogueDocument]:
        """The entries as catalogue documents (per file label), for validation."""
        documents = [CatalogueDocument(AGENCY_FILE, agencies=self.agencies)] if self.agencies else []
        by_label: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
        for planned in self.services:
            by_label[planned.label].append(planned.entry)
        documents += [CatalogueDocument(label, services=items) for label, items in by_label.items()]
        return documents


def count_records(paths: Sequence[Path]) -> int:
    """How many services the files describe (for a progress bar); 0 when unreadable."""
    batch, _ = read_files(paths)
    return len(batch.records)


def _name_index(session: Session) -> Dict[str, str]:
    """Normalised Korean names and aliases of the services there are -> service id."""
    index: Dict[str, str] = {}
    for alias, service_id in session.execute(
        select(ServiceAlias.normalized, ServiceAlias.service_id).where(ServiceAlias.language == "ko")
    ):
        index.setdefault(alias, service_id)
    # Official names win over aliases.
    for service_id, name_ko in session.execute(select(Service.id, Service.name_ko)):
        index[entries.normalize_alias(name_ko)] = service_id
    return index


def _plan(session: Session, batch: Gov24Batch) -> _Plan:
    plan = _Plan()
    rows = session.scalars(select(ServiceSource).where(ServiceSource.source == GOV24))
    sources = {row.source_id: row for row in rows}
    claimed = {row.service_id for row in sources.values()}
    names = _name_index(session)
    agencies_by_id = dict(session.execute(select(Agency.id, Agency.name_ko)).all())
    agencies = {name_ko: agency_id for agency_id, name_ko in agencies_by_id.items()}
    # One query loads every service with its aliases (the writer then finds them in the session).
    services = {
        service.id: service for service in session.scalars(select(Service).options(selectinload(Service.aliases)))
    }
    positions: Dict[str, int] = defaultdict(int)
    for source_id, record in batch.records.items():
        file_label, number = batch.origins[source_id]
        where = item_label(number, record)
        row = sources.get(source_id)
        if row is not None:
            service_id, origin = row.service_id, row.origin
        elif source_id in services and source_id not in claimed:
            # The catalogue's own service, exported by export-gov24 under its id.
            service_id, origin = source_id, "matched"
            claimed.add(source_id)
        else:
            matched = names.get(entries.normalize_alias(text_of(record, NAME))) if text_of(record, NAME) else None
            agency_name = text_of(record, "소관기관명")
            if matched is not None and agency_name and agencies_by_id.get(services[matched].agency_id) != agency_name:
                # The same name run by another agency (a city's own version) is another service.
                matched = None
            if matched is not None and matched not in claimed:
                service_id, origin = matched, "matched"
                claimed.add(matched)
            else:
                service_id, origin = service_id_for(source_id), "created"
        service = services.get(service_id)
        existing = entries.service_to_entry(service) if service is not None else None
        if existing is None and not text_of(record, NAME):
            plan.issues.append(Issue(file_label, "is missing (a new service needs its name)", where, NAME))
            continue
        agency_id = None
        if origin == "created":
            agency_name = text_of(record, "소관기관명")
            if not agency_name and existing is None:
                message = "is missing (a new service needs its agency)"
                plan.issues.append(Issue(file_label, message, where, "소관기관명"))
                continue
            if agency_name:
                agency_id = agencies.get(agency_name)
                if agency_id is None:
                    agency_id = agency_id_for(agency_name)
                    agencies[agency_name] = agency_id
                    plan.agencies.append({"id": agency_id, "name": {"ko": agency_name, "en": agency_name}})
        if row is not None:
            # A list page after a detail page: the fields this import does not have, the last one gave.
            record = {**(row.record or {}), **record}
        entry, reasons = build_entry(record, service_id, agency_id, existing, origin)
        category_ko = text_of(record, "서비스분야")
        category = category_for(category_ko)
        if service is not None:
            label, position = service.source_file, service.position
        else:
            label = SERVICE_FILE.format(category=category[0])
            position = positions[label]
            positions[label] += 1
        if row is not None:
            reasons = sorted(set(reasons) | set(row.review_reasons or []))
        plan.services.append(
            _Planned(source_id, service_id, origin, entry, label, position, reasons, record, category, category_ko)
        )
    return plan


def _national_field(catalogue_field: str | None) -> str | None:
    if catalogue_field is None:
        return None
    for prefix, national in _NATIONAL_FIELD:
        if catalogue_field == prefix or catalogue_field.startswith(prefix + "."):
            return f"{national} (-> {catalogue_field})"
    return catalogue_field


def _translate(issues: Sequence[Issue], plan: _Plan, batch: Gov24Batch) -> List[Issue]:
    """Schema issues about mapped entries, told in the national file's terms."""
    by_service = {planned.service_id: planned for planned in plan.services}
    translated = []
    for issue in issues:
        planned = by_service.get(issue.entry or "")
        if planned is None:
            translated.append(issue)
            continue
        label, number = batch.origins[planned.source_id]
        translated.append(
            Issue(label, issue.message, item_label(number, planned.record), _national_field(issue.field))
        )
    return translated


def _write_source(session: Session, planned: _Planned) -> bool:
    """Upsert the source row; True when it changed."""
    row = session.get(ServiceSource, planned.service_id)
    values = {
        "source": GOV24,
        "source_id": planned.source_id,
        "detail_url": korean_values(planned.record)["source"],
        "category": planned.category[0],
        "category_ko": planned.category_ko or None,
        "origin": planned.origin,
        "record": planned.record,
        "needs_review": bool(planned.reasons),
        "review_reasons": planned.reasons,
    }
    if row is None:
        session.add(ServiceSource(service_id=planned.service_id, **values))
        return True
    changed = any(getattr(row, key) != value for key, value in values.items())
    for key, value in values.items():
        setattr(row, key, value)
    return changed


def import_gov24(
    engine: Engine, paths: Sequence[Path], actor: str | None = None, progress: Progress | None = None
) -> Gov24Report:
    """Validate then import the national catalogue files at ``paths`` in one transaction.

    Raises :class:`CatalogueValidationError` with every issue (file, item,
    field) before any write when a file or a mapped entry is invalid.
    ``progress`` is called once per agency and service written.
    """
    actor = actor or default_actor()
    batch, issues = read_files(paths)
    if issues:
        raise CatalogueValidationError(issues)
    report = Gov24Report(catalogue=ImportReport(), files=batch.files)
    with session_scope(engine) as session:
        plan = _plan(session, batch)
        if plan.issues:
            raise CatalogueValidationError(plan.issues)
        issues = validate_documents(plan.documents(), known_ids(session))
        if issues:
            raise CatalogueValidationError(_translate(issues, plan, batch))
        writer = _Writer(session, actor, report.catalogue, progress)
        if hasattr(writer, "source"):
            writer.source = GOV24  # recorded on the audit rows where the log has the column
        for position, agency in enumerate(plan.agencies):
            writer.agency(agency, AGENCY_FILE, position)
        session.flush()
        for planned in plan.services:
            writer.service(planned.entry, planned.label, planned.position)
        session.flush()
        for planned in plan.services:
            _write_source(session, planned)
            report.services.append(planned.service_id)
            if f"service:{planned.service_id}" in report.catalogue.created:
                report.created.append(planned.service_id)
            if planned.origin == "matched":
                report.matched.append(planned.service_id)
            if planned.reasons:
                report.needs_review.append(planned.service_id)
                report.reasons[planned.service_id] = planned.reasons
        if report.catalogue.changed:
            bump_version(session)
    return report


REASON_TEXTS = {
    "no_english": "no English (the English fields show the Korean text)",
    "english_outdated": "the Korean text changed; check the English",
    "unmapped": "a national field the catalogue has no place for",
    "missing": "not in the national data",
}


def describe_reason(reason: str) -> str:
    """A review reason as a staff member reads it: ``unmapped:법령`` -> ``법령: a national field ...``."""
    code, _, subject = reason.partition(":")
    text = REASON_TEXTS.get(code, code)
    return f"{subject}: {text}" if subject else text


def review_queue(engine: Engine) -> List[Dict[str, Any]]:
    """Imported services staff should review, with the reasons (for the CLI and the console)."""
    with session_scope(engine) as session:
        rows = session.scalars(
            select(ServiceSource).where(ServiceSource.needs_review.is_(True)).order_by(ServiceSource.service_id)
        )
        return [row.as_dict() for row in rows]
