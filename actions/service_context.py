"""What the conversation has been about, read from its events.

A follow-up that names only a topic ("기한은요?", "how long?") is about the
service last answered, while the conversation is still on it; a service named
alone ("운전면허 갱신은요?") asks the last question again about that service.
Both facts are derived from the tracker's events (the ``topic`` each service
answer carries), so no extra state has to be kept in step.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

# Actions after which the conversation has moved on from the service in context.
MOVED_ON_ACTIONS = frozenset(
    {
        "application_status_form",
        "benefits_form",
        "petition_form",
        "action_list_life_event_services",
        "action_hand_off",
        "action_recommend_benefits",
        "action_draft_petition",
        "action_check_application_status",
        "utter_goodbye",
    }
)
CONTEXT_SLOT = "current_service"
TOPIC_KEY = "topic"  # on an answer about a service
ASKED_TOPIC_KEY = "asked_topic"  # on "which service?": the question waits for a service name


def _topic_of(event: Dict[str, Any]) -> Optional[str]:
    if event.get("event") != "bot":
        return None
    topic = (event.get("metadata") or {}).get(TOPIC_KEY)
    return topic if isinstance(topic, str) else None


def _sets_context(event: Dict[str, Any]) -> bool:
    """A service was put in context (an answer, or a life event that named one)."""
    return event.get("event") == "slot" and event.get("name") == CONTEXT_SLOT and bool(event.get("value"))


def last_answered_topic(events: Iterable[Dict[str, Any]]) -> Optional[str]:
    """The topic of the latest service answer, or of a question still waiting for
    its service ("수수료 얼마예요?" - "어떤 서비스요?"), in ``events`` (e.g. ``fee``)."""
    for event in reversed(list(events)):
        if event.get("event") != "bot":
            continue
        metadata = event.get("metadata") or {}
        topic = metadata.get(TOPIC_KEY) or metadata.get(ASKED_TOPIC_KEY)
        if isinstance(topic, str):
            return topic
    return None


def context_is_current(events: Iterable[Dict[str, Any]]) -> bool:
    """False when, since the service was last put in context, a new session
    started or another capability (a form, a life event, a handoff, goodbye) took over."""
    for event in reversed(list(events)):
        if _topic_of(event) or _sets_context(event):
            return True
        if event.get("event") == "session_started":
            return False
        if event.get("event") == "action" and event.get("name") in MOVED_ON_ACTIONS:
            return False
    return True


# What may surround a service named on its own: "운전면허 갱신은요?", "and the passport?", "what about X".
_FOLLOW_UP_FILLER = re.compile(
    r"^[\s,.!?~]*(?:(?:그럼|그러면|그리고|아|음|and|what\s+about|how\s+about|about|the|a|an|for|my)[\s,.!?~]+)*$"
    r"|^[\s,.!?~]*(?:은|는|이|가|도)?\s*(?:요|은요|는요|도요|이요)?[\s,.!?~]*$",
    re.IGNORECASE,
)


def service_spans(entities: Iterable[Dict[str, Any]]) -> List[Tuple[int, int]]:
    """(start, end) of every ``service`` entity that carries its position."""
    return [
        (entity["start"], entity["end"])
        for entity in entities
        if entity.get("entity") == "service" and isinstance(entity.get("start"), int)
    ]


def names_only_a_service(text: str, spans: Sequence[tuple]) -> bool:
    """True when ``text`` is a service name and nothing that asks a question of its own.

    ``spans`` are (start, end) of the service entities in ``text``; what lies
    before the first and after the last may only be follow-up filler.
    """
    if not spans:
        return False
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    return bool(_FOLLOW_UP_FILLER.match(text[:start])) and bool(_FOLLOW_UP_FILLER.match(text[end:]))
