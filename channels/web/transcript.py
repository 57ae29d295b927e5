"""What the chat page shows: bot replies and the transcript rebuilt from a tracker.

Both come out in one shape the page renders::

    {"sender": "bot"|"user", "text": str, "buttons": [{"title", "payload"}]}

Only text and buttons are passed on; anything else Rasa may carry (custom
payloads, attachments, parse data, slot values) stays on the server.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Set

from core.privacy import mask_resident_numbers

# Metadata keys the page sets on a message and the history reads back.
DISPLAY_TEXT_KEY = "display_text"
HIDDEN_KEY = "hidden"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _buttons(raw: Any) -> List[Dict[str, str]]:
    if not isinstance(raw, list):
        return []
    buttons = []
    for button in raw:
        if not isinstance(button, Mapping):
            continue
        title, payload = button.get("title"), button.get("payload")
        if isinstance(title, str) and title.strip():
            buttons.append({"title": title, "payload": payload if isinstance(payload, str) else title})
    return buttons


def bot_message(text: Any, buttons: Any = None, image: Any = None) -> Dict[str, Any] | None:
    """A bot message for the page, or ``None`` when there is nothing to show.

    An image URL is shown as its address (the page turns http(s) addresses into
    links), never loaded inline."""
    parts = [text] if isinstance(text, str) and text.strip() else []
    if isinstance(image, str) and image.startswith(("https://", "http://")):
        parts.append(image)
    message_buttons = _buttons(buttons)
    if not parts and not message_buttons:
        return None
    return {"sender": "bot", "text": "\n".join(parts), "buttons": message_buttons}


def replies_for_page(replies: Iterable[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """Rasa REST channel replies as page messages (empty replies dropped)."""
    messages = (bot_message(r.get("text"), r.get("buttons"), r.get("image")) for r in replies)
    return [message for message in messages if message]


def _user_message(event: Mapping[str, Any]) -> Dict[str, Any] | None:
    metadata = _mapping(event.get("metadata"))
    if metadata.get(HIDDEN_KEY) is True:
        return None
    shown = metadata.get(DISPLAY_TEXT_KEY)
    text = shown if isinstance(shown, str) and shown.strip() else event.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    return {"sender": "user", "text": mask_resident_numbers(text).text, "buttons": []}


def transcript_from_events(events: Iterable[Mapping[str, Any]], *, limit: int) -> List[Dict[str, Any]]:
    """The visible messages of the current session (after the last
    ``session_started``), the last ``limit`` of them.

    A user message sent by a button shows the button's title (kept in the
    message's metadata); language switches sent by the page are left out."""
    messages: List[Dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            messages = []
        elif kind == "user":
            message = _user_message(event)
            if message:
                messages.append(message)
        elif kind == "bot":
            data = _mapping(event.get("data"))
            message = bot_message(event.get("text"), data.get("buttons"), data.get("image"))
            if message:
                messages.append(message)
    return messages[-limit:] if limit > 0 else []


def offered_payloads(events: Iterable[Mapping[str, Any]]) -> Set[str]:
    """The button payloads the bot offered in the current session: what a
    button press may send, from the latest message or one in the history."""
    offered: Set[str] = set()
    for event in events:
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            offered = set()
        elif kind == "bot":
            for button in _buttons(_mapping(event.get("data")).get("buttons")):
                offered.add(button["payload"])
    return offered
