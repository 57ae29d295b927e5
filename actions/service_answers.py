"""The answer to one question about one service, in the citizen's language.

An answer is a domain response (``utter_service_<topic>``, with Korean and
English variations) filled with catalogue fields. The few phrases assembled
here from several fields (documents as a list, online/in-person ways to apply,
office and phone) come in both languages too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict

from sqlalchemy.engine import Engine

from core.db import session_scope
from knowledge.models import Service

TOPICS = ("overview", "documents", "fee", "processing_time", "eligibility", "how_to_apply", "where")

_LABELS = {
    "ko": {
        "online": "온라인 신청",
        "in_person": "방문 신청",
        "phone": "전화",
        "agency": "담당 기관",
        "no_documents": "따로 준비하실 서류는 없어요.",
    },
    "en": {
        "online": "Online",
        "in_person": "In person",
        "phone": "Phone",
        "agency": "Agency",
        "no_documents": "No documents are needed.",
    },
}


@dataclass(frozen=True)
class ServiceAnswer:
    """A response name and the values that fill it."""

    response: str
    values: Dict[str, Any]


def _language(language: str | None) -> str:
    return "en" if language == "en" else "ko"


def _documents(service: Service, language: str) -> str:
    items = service.documents(language)
    if not items:
        return _LABELS[language]["no_documents"]
    return "\n".join(f"• {item}" for item in items)


def _how_to_apply(service: Service, language: str) -> str:
    labels = _LABELS[language]
    lines = []
    online = service.text("apply_online", language)
    if online:
        url = (
            f" ({service.apply_online_url})"
            if service.apply_online_url and service.apply_online_url not in online
            else ""
        )
        lines.append(f"• {labels['online']}: {online}{url}")
    in_person = service.text("apply_in_person", language)
    if in_person:
        lines.append(f"• {labels['in_person']}: {in_person}")
    return "\n".join(lines)


def _where(service: Service, language: str) -> str:
    labels = _LABELS[language]
    lines = [f"• {service.text('where_office', language)}"]
    if service.agency is not None:
        lines.append(f"• {labels['agency']}: {service.agency.name(language)}")
    phone = service.where_phone or (service.agency.phone if service.agency is not None else None)
    if phone:
        lines.append(f"• {labels['phone']}: {phone}")
    return "\n".join(lines)


def topic_text(service: Service, topic: str, language: str) -> str:
    """The catalogue field that answers ``topic``, as text in ``language``."""
    if topic == "overview":
        return service.text("overview", language) or ""
    if topic == "documents":
        return _documents(service, language)
    if topic == "fee":
        return service.fee(language)
    if topic == "processing_time":
        return service.text("processing_time", language) or ""
    if topic == "eligibility":
        return service.text("eligibility_text", language) or ""
    if topic == "how_to_apply":
        return _how_to_apply(service, language)
    if topic == "where":
        return _where(service, language)
    raise ValueError(f"unknown topic {topic!r}")


def build_answer(engine: Engine, service_id: str, topic: str, language: str | None) -> ServiceAnswer | None:
    """The answer about ``topic`` for ``service_id``, or ``None`` if the service is gone.

    Blocking (reads the database): call it through ``asyncio.to_thread``.
    """
    language = _language(language)
    with session_scope(engine) as session:
        service = session.get(Service, service_id)
        if service is None:
            return None
        return ServiceAnswer(
            response=f"utter_service_{topic}",
            values={
                "service_name": service.name(language),
                "answer": topic_text(service, topic, language),
                "link": service.official_link(),
                "reviewed": service.last_reviewed.isoformat(),
            },
        )


def service_names(engine: Engine, service_ids: list, language: str | None) -> Dict[str, str]:
    """Names of the given services in ``language`` (for buttons)."""
    language = _language(language)
    with session_scope(engine) as session:
        return {
            service_id: service.name(language)
            for service_id in service_ids
            if (service := session.get(Service, service_id)) is not None
        }
