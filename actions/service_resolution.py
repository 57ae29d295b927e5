"""Which catalogue service a citizen's question is about.

The order is: the latest ``service`` entity (a span the NLU found, or a button
payload holding a service id), else a search over the whole message, else the
service already in context (slot ``current_service``), so follow-ups such as
"수수료는요?" or "how long?" stay on the same service. A correction ("아니 여권
말고 운전면허 갱신이요") drops the service turned away from
(:mod:`actions.corrections`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Tuple

from sqlalchemy.engine import Engine

from actions.corrections import read_correction, rejected_span
from core.db import session_scope
from knowledge.models import Service
from knowledge.search import Candidate, Decision, SearchResult, get_search


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
    # With MISSING: the service talked about earlier, to offer as a button.
    last: str | None = None

    @property
    def candidate_ids(self) -> List[str]:
        """The candidates' service ids, best first."""
        return [candidate.service_id for candidate in self.candidates]


def _service_exists(engine: Engine, service_id: str) -> bool:
    with session_scope(engine) as session:
        return session.get(Service, service_id) is not None


# Words that name the question's topic, not a service: in "전입신고 늦게 하면 과태료 있어요?"
# the fine is part of the deadline question, not the traffic-fine payment service.
TOPIC_WORDS: Dict[str, re.Pattern] = {
    "deadline": re.compile(r"과태료|벌금|가산세|범칙금|\b(?:late\s+)?(?:fines?|penalt(?:y|ies)|surcharges?)\b", re.I),
}


def _service_entities(latest_message: Dict[str, Any], topic: str | None) -> Tuple[List[str], List[str]]:
    """The ``service`` entity values of the message: (wanted, rejected by a correction).

    A span that is only a word for the question's topic (:data:`TOPIC_WORDS`) is neither.
    """
    text = latest_message.get("text") or ""
    topic_words = TOPIC_WORDS.get(topic or "")
    wanted: List[str] = []
    rejected: List[str] = []
    for entity in latest_message.get("entities") or []:
        value = entity.get("value")
        if entity.get("entity") != "service" or not isinstance(value, str) or not value.strip():
            continue
        start, end = entity.get("start"), entity.get("end")
        spans_known = isinstance(start, int) and isinstance(end, int)
        if topic_words is not None and spans_known and topic_words.fullmatch(text[start:end].strip()):
            continue
        (rejected if spans_known and rejected_span(text, start, end) else wanted).append(value.strip())
    return wanted, rejected


def resolve_service(
    engine: Engine,
    latest_message: Dict[str, Any],
    context: str | None,
    context_is_current: bool = True,
    topic: str | None = None,
) -> Resolution:
    """Resolve the service of the latest message (blocking: run it in a thread).

    ``context`` is the ``current_service`` slot. It answers a message that
    names no service while ``context_is_current`` (the conversation is still
    about it); it is preferred when the message is ambiguous between it and
    others. A correction ("여권 말고 운전면허요") searches only what the citizen
    now means and never resolves to what they turned away from. ``topic`` (the
    question asked) keeps its own words out of the search (:data:`TOPIC_WORDS`).
    """
    search = get_search(engine)
    context = context if context and _service_exists(engine, context) else None
    text = (latest_message.get("text") or "").strip()
    # A button payload ("/ask_service_fee{...}") is not a citizen's words.
    words = "" if text.startswith("/") else text
    correction = read_correction(words) if words else None
    if words and topic in TOPIC_WORDS:
        words = TOPIC_WORDS[topic].sub(" ", words).strip()
    wanted, rejected = _service_entities(latest_message, topic)
    excluded = {value for value in rejected if _service_exists(engine, value)}
    results: List[SearchResult] = []
    for value in rejected:
        if value not in excluded:
            best = search.search(value).best
            if best is not None:
                excluded.add(best.service_id)
    if correction is not None and context and not wanted and not correction.wanted_text:
        excluded.add(context)  # "그거 말고요": not the one we were talking about
    entity = wanted[-1] if wanted else None
    if entity:
        if _service_exists(engine, entity):
            return Resolution(ResolutionKind.FOUND, entity)
        results.append(search.search(entity, excluded))
    if correction is not None:
        words = correction.wanted_text
    if words:
        results.append(search.search(words, excluded))
    clear = [result.best.service_id for result in results if result.decision is Decision.CLEAR and result.best]
    # The whole message saw the entity's service and still chose another: it read
    # more ("외국인등록증 잃어버렸어요" is the reissue, not the registration).
    if (
        entity
        and len(clear) == 2
        and clear[0] != clear[1]
        and clear[0] in {candidate.service_id for candidate in results[1].ranking}
    ):
        return Resolution(ResolutionKind.FOUND, clear[1])
    if clear:
        return Resolution(ResolutionKind.FOUND, clear[0])
    for result in results:
        if result.decision is Decision.AMBIGUOUS:
            ids = [candidate.service_id for candidate in result.candidates]
            if context in ids:
                return Resolution(ResolutionKind.FOUND, context, from_context=True)
            return Resolution(ResolutionKind.AMBIGUOUS, candidates=result.candidates)
    if correction is not None and not entity and not words:
        return Resolution(ResolutionKind.MISSING)  # "그거 말고요": which one, then?
    if context and not entity and context not in excluded:
        if context_is_current:
            return Resolution(ResolutionKind.FOUND, context, from_context=True)
        return Resolution(ResolutionKind.MISSING, last=context)
    # Without a service entity, only real partial matches are worth offering: the
    # look-alike guesses made for a name the citizen typed would be noise here.
    suggestions = [
        s
        for result in results
        for s in result.suggestions
        if entity or s.coverage  # matched words of the message, not just letters
    ]
    if entity or suggestions:
        unique = list({s.service_id: s for s in suggestions}.values())[:3]
        return Resolution(ResolutionKind.NOT_FOUND, candidates=unique)
    return Resolution(ResolutionKind.MISSING)

