"""The answer to one question about one service, in the citizen's language.

An answer is a domain response (``utter_service_<topic>``, with Korean and
English variations) filled with catalogue fields. The few phrases assembled
here from several fields (documents as a list, online/in-person ways to apply,
office and phone) come in both languages too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, Tuple

from sqlalchemy.engine import Engine

from core.db import session_scope
from knowledge.gov24_mapping import KOREAN_ONLY_NOTE_EN, korean_only
from knowledge.models import Service
from knowledge.search import get_search

TOPICS = ("overview", "documents", "fee", "processing_time", "eligibility", "how_to_apply", "where", "deadline")

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


# What each topic is called in a sentence ("… 정보는 없어요" / "I don't have … ").
_TOPIC_LABELS: Dict[str, Dict[str, str]] = {
    "ko": {
        "overview": "서비스 내용",
        "documents": "필요한 서류",
        "fee": "수수료",
        "processing_time": "처리 기간",
        "eligibility": "신청 대상",
        "how_to_apply": "신청 방법",
        "where": "신청 장소",
        "deadline": "신고·신청 기한",
    },
    "en": {
        "overview": "what this service is",
        "documents": "the documents needed",
        "fee": "the fee",
        "processing_time": "how long it takes",
        "eligibility": "who can apply",
        "how_to_apply": "how to apply",
        "where": "where to apply",
        "deadline": "the deadline",
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
    if topic == "deadline":
        return service.text("deadline", language) or ""
    raise ValueError(f"unknown topic {topic!r}")


def topic_intent(topic: str) -> str:
    """The intent that asks about ``topic`` (``ask_service_fee`` for ``fee``)."""
    return f"ask_service_{topic}"


def build_answer(engine: Engine, service_id: str, topic: str, language: str | None) -> ServiceAnswer | None:
    """The answer about ``topic`` for ``service_id``, or ``None`` if the service is gone.

    Blocking (reads the database): call it through ``asyncio.to_thread``.
    """
    language = _language(language)
    with session_scope(engine) as session:
        service = session.get(Service, service_id)
        if service is None:
            return None
        values = {
            "topic": topic,
            "service_name": service.name(language),
            "link": service.official_link(),
            "reviewed": service.last_reviewed.isoformat(),
        }
        answer = topic_text(service, topic, language)
        if language == "en" and korean_only(
            answer, topic_text(service, topic, "ko"), service.overview_en, service.overview_ko
        ):
            answer = f"{answer}\n{KOREAN_ONLY_NOTE_EN}"
        if answer.strip():
            return ServiceAnswer(response=f"utter_service_{topic}", values={**values, "answer": answer})
        # Not in the catalogue: say so, and who can tell.
        phone = service.where_phone or (service.agency.phone if service.agency is not None else None)
        agency = service.agency.name(language) if service.agency is not None else service.text("where_office", language)
        return ServiceAnswer(
            response="utter_service_topic_missing",
            values={
                **values,
                "topic_label": _TOPIC_LABELS[language][topic],
                "agency": agency,
                "phone": phone or "110",
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


def answer_named_service(
    engine: Engine, text: str, topic: str, language: str | None, exclude: Iterable[str] = ()
) -> Tuple[str, ServiceAnswer] | None:
    """(service id, answer about ``topic``) when ``text`` clearly names one catalogue
    service outside ``exclude``; ``None`` otherwise.

    For requests routed elsewhere that turn out to be about a service ("전입신고
    하려고요" read as a petition, "lost my driving licence" read as a life event).
    Blocking: call it through ``asyncio.to_thread``.
    """
    service_id = named_service(engine, text)
    if service_id is None or service_id in set(exclude):
        return None
    answer = build_answer(engine, service_id, topic, language)
    return (service_id, answer) if answer is not None else None


def named_service(engine: Engine, text: str) -> str | None:
    """The one catalogue service ``text`` clearly names, if any (blocking)."""
    if not text or text.startswith("/"):
        return None
    best = get_search(engine).search(text).best
    return best.service_id if best is not None else None
