"""Turning the assistant's replies into Telegram messages.

Replies are sent as plain text (no ``parse_mode``), so nothing needs escaping:
Telegram shows the text exactly as written and links URLs by itself. A reply
longer than Telegram's limit is split at paragraph, line, sentence or word
boundaries. Rasa buttons become an inline keyboard, one button per row because
Korean titles are long.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import OrderedDict
from typing import Any, Dict, List, Sequence, Tuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

#: Telegram's limit for a message text, counted in UTF-16 code units.
MAX_MESSAGE_LENGTH = 4096

#: Telegram's limit for a button's ``callback_data``, in UTF-8 bytes.
MAX_CALLBACK_DATA_BYTES = 64

SENDER_PREFIX = "telegram:"

# Boundaries to split at, best first, with the text that rejoins the pieces.
_BOUNDARIES: Tuple[Tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\n[ \t]*\n\s*"), "\n\n"),
    (re.compile(r"\n\s*"), "\n"),
    (re.compile(r"(?<=[.!?。？！…])\s+"), " "),
    (re.compile(r"\s+"), " "),
)


def telegram_length(text: str) -> int:
    """Length of ``text`` as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> List[str]:
    """Split ``text`` into messages of at most ``limit`` UTF-16 units each.

    Splits at the best boundary available (blank line, line break, end of a
    sentence, space) and cuts inside a word only when a single word is longer
    than the limit. Returns no message for blank text; every message returned
    is non-blank, and joined together they hold all of the text's words in order.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    text = text.strip()
    if not text:
        return []
    return [chunk for chunk in _split(text, limit, 0) if chunk.strip()]


def _split(text: str, limit: int, level: int) -> List[str]:
    if telegram_length(text) <= limit:
        return [text]
    if level == len(_BOUNDARIES):
        return _cut(text, limit)
    pattern, joiner = _BOUNDARIES[level]
    chunks: List[str] = []
    current = ""
    for part in pattern.split(text):
        part = part.strip()
        if not part:
            continue
        for piece in _split(part, limit, level + 1):
            candidate = f"{current}{joiner}{piece}" if current else piece
            if telegram_length(candidate) <= limit:
                current = candidate
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def _cut(text: str, limit: int) -> List[str]:
    """Cut a text with no usable boundary, never inside a character."""
    chunks: List[str] = []
    current: List[str] = []
    size = 0
    for char in text:
        width = telegram_length(char)
        if size + width > limit:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        chunks.append("".join(current))
    return chunks


def sender_id_for_chat(chat_id: int) -> str:
    """The Rasa conversation id for a Telegram chat: one conversation per chat,
    so a group chat never shares a tracker with its members' private chats."""
    return f"{SENDER_PREFIX}{chat_id}"


def chat_id_from_sender(sender_id: str) -> int | None:
    """The Telegram chat id of a conversation id made by :func:`sender_id_for_chat`.

    A bare number is accepted too; anything else gives ``None``.
    """
    raw = sender_id[len(SENDER_PREFIX) :] if sender_id.startswith(SENDER_PREFIX) else sender_id
    try:
        return int(raw)
    except ValueError:
        return None


class CallbackPayloads:
    """Button payloads in the 64 bytes Telegram allows for ``callback_data``.

    A payload that fits is used as it is. A longer one (a Korean entity value
    quickly passes 64 bytes) is replaced by a short token; the token is
    remembered for the last ``capacity`` such payloads, in this process only.
    """

    TOKEN_PREFIX = "#"  # noqa: S105 - marks a callback token, not a secret

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        """Return ``callback_data`` for ``payload``: the payload or a token."""
        fits = len(payload.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
        if fits and payload and not payload.startswith(self.TOKEN_PREFIX):
            return payload
        digest = hashlib.sha256(payload.encode("utf-8")).digest()[:16]
        token = self.TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
        self._payloads[token] = payload
        self._payloads.move_to_end(token)
        while len(self._payloads) > self._capacity:
            self._payloads.popitem(last=False)
        return token

    def decode(self, callback_data: str) -> str | None:
        """Return the payload behind ``callback_data``; ``None`` for a forgotten token."""
        if not callback_data.startswith(self.TOKEN_PREFIX):
            return callback_data
        payload = self._payloads.get(callback_data)
        if payload is not None:
            self._payloads.move_to_end(callback_data)
        return payload


def inline_keyboard(buttons: Sequence[Dict[str, Any]], payloads: CallbackPayloads) -> InlineKeyboardMarkup:
    """An inline keyboard with one row per Rasa button.

    A button with a ``url`` opens that address; any other button sends its
    ``payload`` (or, when it has none, its title) back as a callback.
    """
    rows: List[List[InlineKeyboardButton]] = []
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "").strip()
        if not title:
            continue
        url = button.get("url")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            rows.append([InlineKeyboardButton(title, url=url)])
            continue
        payload = str(button.get("payload") or title)
        rows.append([InlineKeyboardButton(title, callback_data=payloads.encode(payload))])
    return InlineKeyboardMarkup(rows)
