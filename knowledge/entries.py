"""Conversion between catalogue entries (the YAML mappings) and model rows.

The importer and the exporter both go through this module, so what is written
to the database is exactly what comes back out: an export re-imports to the
same rows, and field-level differences (for the audit log) are computed on the
same canonical form.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from typing import Any, Dict, List, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import (
    Agency,
    LifeEvent,
    Service,
    ServiceAlias,
    as_date,
    format_won,
    life_event_services,
)
from knowledge.schema import LANGUAGES, is_amount

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize_alias(text: str) -> str:
    """Lower-case, NFKC, without spaces or punctuation: ``"여권 재발급!"`` -> ``"여권재발급"``."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def _pair(value: Mapping[str, Any] | None) -> Dict[str, Any]:
    value = value or {}
    return {language: value.get(language) for language in LANGUAGES}


# --------------------------------------------------------------------------- agencies


def apply_agency(agency: Agency, entry: Mapping[str, Any], label: str, position: int) -> None:
    """Copy a validated agency entry onto ``agency``."""
    name, hours = _pair(entry.get("name")), _pair(entry.get("hours"))
    agency.name_ko, agency.name_en = name["ko"], name["en"]
    agency.hours_ko, agency.hours_en = hours["ko"], hours["en"]
    agency.phone = entry.get("phone")
    agency.website = entry.get("website")
    agency.source_file = label
    agency.position = position


def agency_to_entry(agency: Agency) -> Dict[str, Any]:
    """The agency as a catalogue entry (the YAML schema)."""
    entry: Dict[str, Any] = {"id": agency.id, "name": {"ko": agency.name_ko, "en": agency.name_en}}
    if agency.phone is not None:
        entry["phone"] = agency.phone
    if agency.hours_ko is not None or agency.hours_en is not None:
        entry["hours"] = {"ko": agency.hours_ko, "en": agency.hours_en}
    if agency.website is not None:
        entry["website"] = agency.website
    return entry


# --------------------------------------------------------------------------- services


def apply_service(service: Service, entry: Mapping[str, Any], label: str, position: int) -> None:
    """Copy a validated service entry onto ``service`` (aliases included)."""
    service.agency_id = entry["agency"]
    for field in ("name", "overview", "processing_time"):
        pair = _pair(entry.get(field))
        setattr(service, f"{field}_ko", pair["ko"])
        setattr(service, f"{field}_en", pair["en"])
    deadline = _pair(entry.get("deadline"))
    service.deadline_ko, service.deadline_en = deadline["ko"], deadline["en"]
    documents = _pair(entry.get("documents"))
    service.documents_ko = list(documents["ko"] or [])
    service.documents_en = list(documents["en"] or [])
    _apply_fee(service, entry.get("fee"))
    eligibility = entry.get("eligibility") or {}
    text = _pair(eligibility.get("text"))
    service.eligibility_text_ko, service.eligibility_text_en = text["ko"], text["en"]
    service.eligibility_rules = eligibility.get("rules")
    apply = entry.get("apply") or {}
    online = apply.get("online") or {}
    in_person = apply.get("in_person") or {}
    service.apply_online_ko, service.apply_online_en = online.get("ko"), online.get("en")
    service.apply_online_url = online.get("url")
    service.apply_in_person_ko, service.apply_in_person_en = in_person.get("ko"), in_person.get("en")
    where = entry.get("where") or {}
    office = _pair(where.get("office_type"))
    service.where_office_ko, service.where_office_en = office["ko"], office["en"]
    service.where_phone = where.get("phone")
    service.where_website = where.get("website")
    service.life_event_ids = list(entry.get("life_events") or [])
    service.source = entry["source"]
    service.last_reviewed = as_date(entry["last_reviewed"])
    service.illustrative = bool(entry.get("illustrative", False))
    service.source_file = label
    service.position = position
    _apply_aliases(service, entry.get("aliases") or {})


def _apply_fee(service: Service, fee: Any) -> None:
    service.fee_amount = None
    service.fee_ko = service.fee_en = None
    if is_amount(fee):
        service.fee_amount = int(fee)
        return
    pair = _pair(fee)
    for language in LANGUAGES:
        value = pair[language]
        # A per-language amount is kept as its written-out text.
        setattr(service, f"fee_{language}", format_won(int(value), language) if is_amount(value) else value)


def _apply_aliases(service: Service, aliases: Mapping[str, List[str]]) -> None:
    wanted = list(
        dict.fromkeys((language, alias) for language in LANGUAGES for alias in aliases.get(language) or [])
    )
    current = [(alias.language, alias.alias) for alias in service.aliases]
    if current == wanted:
        return
    # Keep the rows of aliases that stay (a delete-then-insert of the same
    # alias would trip the unique constraint inside one flush).
    existing = {(alias.language, alias.alias): alias for alias in service.aliases}
    rows = []
    for position, (language, alias) in enumerate(wanted):
        row = existing.get((language, alias)) or ServiceAlias(
            language=language,
            alias=alias,
            normalized=normalize_alias(alias),
        )
        row.position = position
        rows.append(row)
    service.aliases = rows


def service_to_entry(service: Service) -> Dict[str, Any]:
    """The service as a catalogue entry, keys in the schema's order."""
    aliases = {
        language: [a.alias for a in service.aliases if a.language == language] for language in LANGUAGES
    }
    fee: Any = (
        service.fee_amount
        if service.fee_amount is not None
        else {
            "ko": service.fee_ko,
            "en": service.fee_en,
        }
    )
    online = None
    if service.apply_online_ko or service.apply_online_en or service.apply_online_url:
        online = {
            "ko": service.apply_online_ko,
            "en": service.apply_online_en,
            "url": service.apply_online_url,
        }
    in_person = None
    if service.apply_in_person_ko or service.apply_in_person_en:
        in_person = {"ko": service.apply_in_person_ko, "en": service.apply_in_person_en}
    where: Dict[str, Any] = {"office_type": {"ko": service.where_office_ko, "en": service.where_office_en}}
    if service.where_phone is not None:
        where["phone"] = service.where_phone
    if service.where_website is not None:
        where["website"] = service.where_website
    entry: Dict[str, Any] = {
        "id": service.id,
        "agency": service.agency_id,
        "name": {"ko": service.name_ko, "en": service.name_en},
        "aliases": aliases,
        "life_events": list(service.life_event_ids or []),
        "overview": {"ko": service.overview_ko, "en": service.overview_en},
        "documents": {"ko": list(service.documents_ko or []), "en": list(service.documents_en or [])},
        "fee": fee,
        "processing_time": {"ko": service.processing_time_ko, "en": service.processing_time_en},
        "deadline": {"ko": service.deadline_ko, "en": service.deadline_en},
        "eligibility": {
            "text": {"ko": service.eligibility_text_ko, "en": service.eligibility_text_en},
            "rules": service.eligibility_rules,
        },
        "apply": {"online": online, "in_person": in_person},
        "where": where,
        "source": service.source,
        "last_reviewed": service.last_reviewed,
        "illustrative": bool(service.illustrative),
    }
    if service.deadline_ko is None and service.deadline_en is None:
        del entry["deadline"]
    return entry


# --------------------------------------------------------------------------- life events


def apply_life_event(event: LifeEvent, entry: Mapping[str, Any], position: int) -> None:
    """Copy a validated life-event entry onto ``event`` (its service list is linked separately)."""
    name, description = _pair(entry.get("name")), _pair(entry.get("description"))
    triggers = _pair(entry.get("triggers"))
    event.name_ko, event.name_en = name["ko"], name["en"]
    event.description_ko, event.description_en = description["ko"] or "", description["en"] or ""
    event.triggers_ko, event.triggers_en = list(triggers["ko"] or []), list(triggers["en"] or [])
    event.position = position


def life_event_service_ids(session: Session, life_event_id: str) -> List[str]:
    """The services linked to a life event, in the catalogue's order."""
    rows = session.execute(
        select(life_event_services.c.service_id)
        .where(life_event_services.c.life_event_id == life_event_id)
        .order_by(life_event_services.c.position)
    )
    return [row[0] for row in rows]


def link_life_event(session: Session, life_event_id: str, service_ids: List[str]) -> None:
    """Replace the ordered list of services of a life event."""
    session.execute(life_event_services.delete().where(life_event_services.c.life_event_id == life_event_id))
    for position, service_id in enumerate(dict.fromkeys(service_ids)):
        session.execute(
            life_event_services.insert().values(
                life_event_id=life_event_id,
                service_id=service_id,
                position=position,
            )
        )


def life_event_to_entry(session: Session, event: LifeEvent) -> Dict[str, Any]:
    """The life event as a catalogue entry."""
    return {
        "id": event.id,
        "name": {"ko": event.name_ko, "en": event.name_en},
        "description": {"ko": event.description_ko, "en": event.description_en},
        "triggers": {"ko": list(event.triggers_ko or []), "en": list(event.triggers_en or [])},
        "services": life_event_service_ids(session, event.id),
    }


# --------------------------------------------------------------------------- diffs


def flatten(entry: Mapping[str, Any], prefix: str = "") -> Dict[str, str]:
    """Dotted field paths to printable values: ``{"fee.ko": "53,000원", ...}``.

    Lists and rule trees are leaves (written as JSON) so one edit is one change.
    """
    flat: Dict[str, str] = {}
    for key, value in entry.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and key != "rules":
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = render_value(value)
    return flat


def render_value(value: Any) -> str:
    """A value as it is written in the audit log."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> List[tuple]:
    """``(field, old, new)`` for every dotted field whose value differs."""
    old, new = flatten(before), flatten(after)
    return [
        (path, old.get(path), new.get(path))
        for path in sorted(set(old) | set(new))
        if (old.get(path) or "") != (new.get(path) or "")
    ]
