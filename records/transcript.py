"""Masked excerpts of a conversation, built from Rasa tracker events.

Rasa hands actions the tracker's events as plain dicts (``{"event": "user",
"text": ..., "parse_data": {...}}``). Nothing here keeps an unmasked text: every
text goes through :func:`core.privacy.mask_for_log`, which hides resident
registration numbers, application numbers and birth dates.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence

from core.privacy import mask_citizen_text, mask_line

TRANSCRIPT_LENGTH = 10


def _is_button_payload(text: str) -> bool:
    return text.startswith("/")


def masked_transcript(events: Iterable[Dict[str, Any]], limit: int = TRANSCRIPT_LENGTH) -> List[Dict[str, str]]:
    """The last ``limit`` user and bot messages, oldest first, each text masked."""
    lines: List[Dict[str, str]] = []
    for event in events:
        kind = event.get("event")
        text = event.get("text")
        if kind in ("user", "bot") and isinstance(text, str) and text.strip():
            lines.append({"who": kind, "text": mask_line(kind, text.strip())})
    return lines[-limit:] if limit > 0 else []


def user_messages(events: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The user events, oldest first."""
    return [event for event in events if event.get("event") == "user"]


def intent_of(event: Dict[str, Any]) -> Optional[str]:
    """The intent name of a user event, if it has one."""
    intent = (event.get("parse_data") or {}).get("intent") or {}
    name = intent.get("name")
    return name if isinstance(name, str) else None


def question_before(events: Sequence[Dict[str, Any]], skip_intents: Iterable[str] = ()) -> Optional[Dict[str, Any]]:
    """The latest user message before the current one that was a citizen's words.

    Button payloads and messages of ``skip_intents`` (e.g. ``feedback``) are
    passed over. Returns ``{"text": masked text, "intent": name}`` or ``None``.
    """
    skipped = set(skip_intents)
    for event in reversed(user_messages(events)[:-1]):
        text = event.get("text")
        if not isinstance(text, str) or not text.strip() or _is_button_payload(text.strip()):
            continue
        intent = intent_of(event)
        if intent in skipped:
            continue
        return {"text": mask_citizen_text(text.strip()), "intent": intent}
    return None
