"""Which catalogue service a citizen's question is about.

The order is: the latest ``service`` entity (a span the NLU found, or a button
payload holding a service id), else a search over the whole message, else the
service already in context (slot ``current_service``), so follow-ups such as
"수수료는요?" or "how long?" stay on the same service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List

from sqlalchemy.engine import Engine

from core.db import session_scope
from knowledge.models import Service
from knowledge.search import Candidate, Decision, SearchResult, get_search

CONTEXT_SLOT = "current_service"


class ResolutionKind(str, Enum):
    """How the question's service was found."""

    FOUND = "found"  # service_id is set
    AMBIGUOUS = "ambiguous"  # candidates to choose from
    NOT_FOUND = "not_found"  # the citizen named something we do not have
    MISSING = "missing"  # no service named and none in context


@dataclass
class Resolution:
    """The outcome, with the candidates or suggestions to offer as buttons."""

    kind: ResolutionKind
    service_id: str | None = None
    from_context: bool = False
    candidates: List[Candidate] = field(default_factory=list)


def _service_exists(engine: Engine, service_id: str) -> bool:
    with session_scope(engine) as session:
        return session.get(Service, service_id) is not None


def _latest_service_entity(latest_message: Dict[str, Any]) -> str | None:
    values = [
        entity.get("value")
        for entity in latest_message.get("entities") or []
        if entity.get("entity") == "service" and isinstance(entity.get("value"), str)
    ]
    values = [value.strip() for value in values if value.strip()]
    return values[-1] if values else None


def resolve_service(engine: Engine, latest_message: Dict[str, Any], context: str | None) -> Resolution:
    """Resolve the service of the latest message (blocking: run it in a thread).

    ``context`` is the ``current_service`` slot; it is used when the message
    names no service, and preferred when the message is ambiguous between it
    and others.
    """
    search = get_search(engine)
    context = context if context and _service_exists(engine, context) else None
    entity = _latest_service_entity(latest_message)
    results: List[SearchResult] = []
    if entity:
        if _service_exists(engine, entity):
            return Resolution(ResolutionKind.FOUND, entity)
        results.append(search.search(entity))
    text = (latest_message.get("text") or "").strip()
    # A button payload ("/ask_service_fee{...}") is not a citizen's words.
    if text and not text.startswith("/"):
        results.append(search.search(text))
    for result in results:
        if result.decision is Decision.CLEAR and result.best is not None:
            return Resolution(ResolutionKind.FOUND, result.best.service_id)
    for result in results:
        if result.decision is Decision.AMBIGUOUS:
            ids = [candidate.service_id for candidate in result.candidates]
            if context in ids:
                return Resolution(ResolutionKind.FOUND, context, from_context=True)
            return Resolution(ResolutionKind.AMBIGUOUS, candidates=result.candidates)
    if context and not entity:
        return Resolution(ResolutionKind.FOUND, context, from_context=True)
    suggestions = [s for result in results for s in result.suggestions]
    if entity or suggestions:
        unique = list({s.service_id: s for s in suggestions}.values())[:3]
        return Resolution(ResolutionKind.NOT_FOUND, candidates=unique)
    return Resolution(ResolutionKind.MISSING)
