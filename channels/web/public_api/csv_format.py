"""The whole catalogue as CSV: one service per row, one column per field of the catalogue schema.

Columns are the dotted field names of the YAML schema (``name.ko``,
``apply.online.url`` ...); lists, rule trees, a bare fee amount and flags are
JSON in their cell. :func:`entries_from_csv` reads such a file back into
catalogue entries, which ``knowledge.importer.import_documents`` validates and
imports: the CSV round-trips through the importer's own format.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any, Dict, Iterable, List, Mapping

COLUMNS = (
    "id",
    "agency",
    "name.ko",
    "name.en",
    "aliases.ko",
    "aliases.en",
    "life_events",
    "overview.ko",
    "overview.en",
    "documents.ko",
    "documents.en",
    "fee",
    "fee.ko",
    "fee.en",
    "processing_time.ko",
    "processing_time.en",
    "deadline.ko",
    "deadline.en",
    "eligibility.text.ko",
    "eligibility.text.en",
    "eligibility.rules",
    "apply.online.ko",
    "apply.online.en",
    "apply.online.url",
    "apply.in_person.ko",
    "apply.in_person.en",
    "where.office_type.ko",
    "where.office_type.en",
    "where.phone",
    "where.website",
    "source",
    "last_reviewed",
    "illustrative",
)
JSON_COLUMNS = frozenset(
    (
        "aliases.ko",
        "aliases.en",
        "life_events",
        "documents.ko",
        "documents.en",
        "eligibility.rules",
        "fee",
        "illustrative",
    )
)


def _get(entry: Mapping[str, Any], path: str) -> Any:
    value: Any = entry
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _cell(entry: Mapping[str, Any], column: str) -> str:
    value = _get(entry, column)
    if column == "fee":
        return json.dumps(value) if isinstance(value, int) else ""
    if column in JSON_COLUMNS:
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def catalogue_csv(service_entries: Iterable[Mapping[str, Any]]) -> str:
    """The entries as CSV text (with a header row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in service_entries:
        writer.writerow([_cell(entry, column) for column in COLUMNS])
    return buffer.getvalue()


def _pair(row: Mapping[str, str], name: str) -> Dict[str, Any] | None:
    ko, en = row.get(f"{name}.ko") or None, row.get(f"{name}.en") or None
    return None if ko is None and en is None else {"ko": ko, "en": en}


def entry_from_row(row: Mapping[str, str]) -> Dict[str, Any]:
    """One CSV row as a catalogue entry (the YAML schema)."""

    def loaded(column: str) -> Any:
        return json.loads(row[column]) if row.get(column) else None

    online = None
    if row.get("apply.online.ko") or row.get("apply.online.en") or row.get("apply.online.url"):
        online = {
            "ko": row.get("apply.online.ko") or None,
            "en": row.get("apply.online.en") or None,
            "url": row.get("apply.online.url") or None,
        }
    where: Dict[str, Any] = {"office_type": _pair(row, "where.office_type")}
    if row.get("where.phone"):
        where["phone"] = row["where.phone"]
    if row.get("where.website"):
        where["website"] = row["where.website"]
    fee = loaded("fee")
    entry: Dict[str, Any] = {
        "id": row["id"],
        "agency": row["agency"],
        "name": _pair(row, "name"),
        "aliases": {"ko": loaded("aliases.ko") or [], "en": loaded("aliases.en") or []},
        "life_events": loaded("life_events") or [],
        "overview": _pair(row, "overview"),
        "documents": {"ko": loaded("documents.ko") or [], "en": loaded("documents.en") or []},
        "fee": fee if fee is not None else {"ko": row.get("fee.ko") or None, "en": row.get("fee.en") or None},
        "processing_time": _pair(row, "processing_time"),
        "deadline": _pair(row, "deadline"),
        "eligibility": {"text": _pair(row, "eligibility.text"), "rules": loaded("eligibility.rules")},
        "apply": {"online": online, "in_person": _pair(row, "apply.in_person")},
        "where": where,
        "source": row.get("source") or None,
        "last_reviewed": date.fromisoformat(row["last_reviewed"]) if row.get("last_reviewed") else None,
        "illustrative": bool(loaded("illustrative")),
    }
    if entry["deadline"] is None:
        del entry["deadline"]
    return entry


def entries_from_csv(text: str) -> List[Dict[str, Any]]:
    """Every row of a catalogue CSV as a catalogue entry."""
    return [entry_from_row(row) for row in csv.DictReader(io.StringIO(text))]
