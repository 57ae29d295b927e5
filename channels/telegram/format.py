"""Turning the assistant's replies into Telegram messages.

Replies are sent as plain text (no ``parse_mode``), so nothing needs escaping:
Telegram shows the text exactly as written and links URLs by itself. A reply
longer than Telegram's limit is split at paragraph, line, sentence or word
boundaries (:func:`channels.shared.text.split_text`). Rasa buttons become an
inline keyboard, one button per row because Korean titles are long.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from channels.shared.buttons import PayloadTokens, button_choices
from channels.shared.text import split_text

#: Telegram's limit for a message text, counted in UTF-16 code units.
MAX_MESSAGE_LENGTH = 4096

#: Telegram's limit for a button's ``callback_data``, in UTF-8 bytes.
MAX_CALLBACK_DATA_BYTES = 64

SENDER_PREFIX = "telegram:"


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
    return split_text(text, limit, telegram_length)


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


class CallbackPayloads(PayloadTokens):
    """Button payloads in the 64 bytes Telegram allows for ``callback_data``.

    A payload that fits is used as it is. A longer one (a Korean entity value
    quickly passes 64 bytes) is replaced by a short token; the token is
    remembered for the last ``capacity`` such payloads, in this process only.
    """

    def __init__(self, capacity: int = 4096) -> None:
        super().__init__(MAX_CALLBACK_DATA_BYTES, capacity)


def inline_keyboard(buttons: Sequence[Dict[str, Any]], payloads: CallbackPayloads) -> InlineKeyboardMarkup:
    """An inline keyboard with one row per Rasa button.

    A button with a ``url`` opens that address; any other button sends its
    ``payload`` (or, when it has none, its title) back as a callback.
    """
    rows: List[List[InlineKeyboardButton]] = []
    for choice in button_choices(buttons):
        if choice.url is not None:
            rows.append([InlineKeyboardButton(choice.title, url=choice.url)])
        else:
            data = payloads.encode(choice.payload or choice.title)
            rows.append([InlineKeyboardButton(choice.title, callback_data=data)])
    return InlineKeyboardMarkup(rows)
