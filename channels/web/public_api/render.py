"""How the API shows a published service, agency and life event in one language, and as JSON-LD."""

from __future__ import annotations

from datetime import date
from typing import Any, Dict, Mapping

from channels.web.public_api.snapshot import ServiceView, Snapshot
from knowledge.models import format_won

API_PREFIX = "/api/v1"
COUNTRY = {"ko": "대한민국", "en": "Republic of Korea"}


def _text(pair: Mapping[str, Any] | None, language: str) -> Any:
    return (pair or {}).get(language)


def fee_text(fee: Any, language: str) -> str | None:
    """The fee as text in ``language`` (a bare amount written out in won)."""
    if isinstance(fee, int):
        return format_won(fee, language)
    return _text(fee, language)


def agency_view(agency: Mapping[str, Any], language: str) -> Dict[str, Any]:
    """An agency in ``language``."""
    return {
        "id": agency["id"],
        "name": agency["name"][language],
        "phone": agency.get("phone"),
        "hours": _text(agency.get("hours"), language),
        "website": agency.get("website"),
    }


def service_summary(view: ServiceView, snapshot: Snapshot, language: str) -> Dict[str, Any]:
    """The short form of a service (list items)."""
    entry = view.entry
    agency = snapshot.agencies.get(entry["agency"])
    reviewed = entry["last_reviewed"]
    return {
        "id": entry["id"],
        "name": entry["name"][language],
        "overview": entry["overview"][language],
        "agency": {"id": entry["agency"], "name": agency["name"][language] if agency else entry["agency"]},
        "category": view.category,
        "life_events": list(entry.get("life_events") or []),
        "last_reviewed": reviewed.isoformat() if isinstance(reviewed, date) else str(reviewed),
        "url": f"{API_PREFIX}/services/{entry['id']}",
    }


def official_link(entry: Mapping[str, Any]) -> str:
    """The best link for a citizen: online application, service site or source."""
    online = (entry.get("apply") or {}).get("online") or {}
    return online.get("url") or (entry.get("where") or {}).get("website") or entry["source"]


def service_detail(view: ServiceView, snapshot: Snapshot, language: str, base_url: str) -> Dict[str, Any]:
    """Everything published about a service in ``language``, with its JSON-LD."""
    entry = view.entry
    apply = entry.get("apply") or {}
    online, in_person = apply.get("online"), apply.get("in_person")
    where = entry.get("where") or {}
    detail = service_summary(view, snapshot, language)
    detail.update(
        {
            "aliases": list((entry.get("aliases") or {}).get(language) or []),
            "documents": list((entry.get("documents") or {}).get(language) or []),
            "fee": fee_text(entry.get("fee"), language),
            "processing_time": _text(entry.get("processing_time"), language),
            "deadline": _text(entry.get("deadline"), language),
            "eligibility": _text(entry["eligibility"].get("text"), language),
            "how_to_apply": {
                "online": {"text": online[language], "url": online.get("url")} if online else None,
                "in_person": in_person[language] if in_person else None,
            },
            "where": {
                "office": _text(where.get("office_type"), language),
                "phone": where.get("phone"),
                "website": where.get("website"),
            },
            "source": entry["source"],
            "official_link": official_link(entry),
            "illustrative": bool(entry.get("illustrative")),
            "national_catalogue": (
                {"id": view.source["id"], "url": view.source["url"]} if view.source is not None else None
            ),
            "jsonld": government_service(view, snapshot, language, base_url),
        }
    )
    return detail


def government_service(view: ServiceView, snapshot: Snapshot, language: str, base_url: str) -> Dict[str, Any]:
    """The service as schema.org ``GovernmentService`` (JSON-LD)."""
    entry = view.entry
    agency = snapshot.agencies.get(entry["agency"]) or {"id": entry["agency"], "name": {"ko": "", "en": ""}}
    provider: Dict[str, Any] = {"@type": "GovernmentOrganization", "name": agency["name"][language]}
    if agency.get("website"):
        provider["url"] = agency["website"]
    if agency.get("phone"):
        provider["telephone"] = agency["phone"]
    where = entry.get("where") or {}
    apply = entry.get("apply") or {}
    channels = []
    online = apply.get("online")
    if online:
        channels.append(
            {
                "@type": "ServiceChannel",
                "name": online[language],
                "serviceUrl": online.get("url") or entry["source"],
                "availableLanguage": "ko",
            }
        )
    in_person = apply.get("in_person")
    office = _text(where.get("office_type"), language)
    if in_person or office:
        channel: Dict[str, Any] = {"@type": "ServiceChannel", "name": (in_person or {}).get(language) or office}
        if office:
            channel["serviceLocation"] = {"@type": "Place", "name": office}
        phone = where.get("phone") or agency.get("phone")
        if phone:
            channel["servicePhone"] = {"@type": "ContactPoint", "telephone": phone}
        channels.append(channel)
    audience_type = _text(entry["eligibility"].get("text"), language)
    if view.source is not None and view.source.get("audience") and language == "ko":
        audience_type = str(view.source["audience"]).replace("||", ", ")
    return {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "@id": f"{base_url}{API_PREFIX}/services/{entry['id']}",
        "identifier": entry["id"],
        "name": entry["name"][language],
        "description": entry["overview"][language],
        "inLanguage": language,
        "provider": provider,
        "audience": {"@type": "Audience", "audienceType": audience_type},
        "availableChannel": channels,
        "areaServed": {"@type": "Country", "name": COUNTRY[language]},
        "url": official_link(entry),
    }


def life_event_view(event: Mapping[str, Any], language: str) -> Dict[str, Any]:
    """A life event in ``language`` with its services in order."""
    return {
        "id": event["id"],
        "name": event["name"][language],
        "description": _text(event.get("description"), language) or "",
        "services": list(event.get("services") or []),
    }
