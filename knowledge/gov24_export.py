"""Export the catalogue in the national format (serviceList / serviceDetail pages).

A service imported from the national catalogue goes back as the record it came
from, with the fields the agency corrected since (the Korean texts staff
changed) written over it; a service the catalogue had of its own becomes a
record made from its Korean texts, its 서비스ID being the catalogue id. The
national format has no English, fee or processing time: those stay behind.
Importing an export again changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Mapping

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from core.db import session_scope
from knowledge import entries
from knowledge.gov24_format import DETAIL_FIELDS, SERVICE_ID, Record, list_item, write_pages
from knowledge.gov24_mapping import MATCHED_FIELDS, build_entry, korean_record_fields
from knowledge.models import Agency, Service
from knowledge.sources import ServiceSource


def _projection(entry: Mapping[str, Any], agency_name: str) -> Dict[str, Any]:
    """The Korean values of ``entry`` by group, comparable between two entries."""
    apply = entry.get("apply") or {}
    online, in_person = apply.get("online") or {}, apply.get("in_person") or {}
    where = entry.get("where") or {}
    return {
        "name": entry["name"]["ko"],
        "overview": entry["overview"]["ko"],
        "documents": list((entry.get("documents") or {}).get("ko") or []),
        "eligibility": entry["eligibility"]["text"]["ko"],
        "deadline": (entry.get("deadline") or {}).get("ko"),
        "apply": (online.get("url"), online.get("ko"), in_person.get("ko")),
        "where": ((where.get("office_type") or {}).get("ko"), where.get("phone")),
        "source": entry.get("source"),
        "agency": agency_name,
        "last_reviewed": entry.get("last_reviewed"),
    }


def _ordered(record: Mapping[str, Any]) -> Record:
    """The record's fields in the national order, unknown ones last."""
    ordered = {name: record[name] for name in DETAIL_FIELDS if name in record}
    ordered.update({name: value for name, value in record.items() if name not in ordered})
    return ordered


def service_record(entry: Mapping[str, Any], agency_name: str, source: ServiceSource | None) -> Record:
    """The national record of one service (see the module docstring)."""
    current = korean_record_fields(entry, agency_name)
    if source is None:
        record: Record = {SERVICE_ID: entry["id"]}
        for fields in current.values():
            record.update(fields)
        return _ordered(record)
    record = dict(source.record or {})
    if source.origin == "matched":
        expected, _ = build_entry(record, entry["id"], None, entry, "matched")
        groups = MATCHED_FIELDS
    else:
        expected, _ = build_entry(record, entry["id"], entry.get("agency"), None, "created")
        groups = tuple(current)
    now = _projection(entry, agency_name)
    then = _projection(expected, str(record.get("소관기관명") or agency_name))
    for group in groups:
        if group in current and now.get(group) != then.get(group):
            record.update(current[group])
    record[SERVICE_ID] = source.source_id
    return _ordered(record)


def catalogue_records(engine: Engine) -> List[Record]:
    """Every service of the catalogue as a national detail record, in catalogue order."""
    records: List[Record] = []
    with session_scope(engine) as session:
        sources = {row.service_id: row for row in session.scalars(select(ServiceSource))}
        agencies = dict(session.execute(select(Agency.id, Agency.name_ko)).all())
        query = select(Service).options(selectinload(Service.aliases))
        services = session.scalars(query.order_by(Service.source_file, Service.position, Service.id))
        for service in services:
            entry = entries.service_to_entry(service)
            records.append(service_record(entry, agencies.get(service.agency_id, ""), sources.get(service.id)))
    return records


def export_gov24(engine: Engine, out_dir: Path, per_page: int = 1000) -> List[Path]:
    """Write ``serviceList*.json`` and ``serviceDetail*.json`` under ``out_dir``; return the files."""
    records = catalogue_records(engine)
    out_dir = Path(out_dir)
    written = write_pages([list_item(record) for record in records], out_dir, "serviceList", per_page)
    written += write_pages(records, out_dir, "serviceDetail", per_page)
    return written
