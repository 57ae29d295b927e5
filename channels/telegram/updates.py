"""Deciding what a Telegram update means for the assistant.

:func:`interpret_update` is pure: it reads an update and returns one decision
(hand a text to Rasa, answer politely without Rasa, show a notice on a button, or
ignore), and it does the privacy work first: a resident registration number is
masked (:mod:`channels.shared.incoming`) before the text leaves this module.
Slash commands map to intents; any other text that starts with "/" is stripped
of the slash, so a citizen cannot inject intents or entities by typing Rasa's
``/intent{...}`` syntax.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Union

from telegram import CallbackQuery, Message, Update

from channels.shared.incoming import LANGUAGE_HINT, incoming_text, language_hint
from channels.telegram.format import CallbackPayloads
from core.language import normalize_language

__all__ = [
    "CallbackNotice",
    "Decision",
    "Ignored",
    "PoliteReply",
    "ToRasa",
    "command_payload",
    "interpret_update",
    "language_hint",
]

UNSUPPORTED_CONTENT_TEXT = (
    "죄송해요, 사진·스티커·음성·파일 같은 메시지는 읽을 수 없어요. "
    "궁금하신 점을 글로 입력해 주세요.\n"
    "Sorry, I can only read text messages. Please type your question."
)
EDITED_MESSAGE_TEXT = (
    "죄송해요, 수정하신 메시지는 읽을 수 없어요. 고치신 내용을 새 메시지로 보내 주세요.\n"
    "Sorry, I can only read new text messages, not edits. "
    "Please send your corrected question as a new message."
)
# Shown as a callback notice, which Telegram limits to 200 characters.
BUTTON_EXPIRED_TEXT = (
    "이 버튼은 더 이상 쓸 수 없어요. 질문을 입력해 주세요.\n"
    "This button is no longer available. Please type your question."
)
HANDLING_FAILED_TEXT = (
    "죄송해요, 일시적인 문제로 답변드리지 못했어요. "
    "잠시 후 다시 시도해 주시거나 정부민원안내콜센터 110으로 문의해 주세요.\n"
    "Sorry, something went wrong on our side. "
    "Please try again in a moment, or call the Government Call Centre on 110."
)

# "/start", "/lang en", "/help@SomeBot": a Telegram bot command and its arguments.
_COMMAND = re.compile(r"/(?P<name>[A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+(?P<args>.*))?", re.DOTALL)

GREET_PAYLOAD = "/greet"
HELP_PAYLOAD = "/help"
SET_LANGUAGE_PAYLOAD = "/set_language"
UNSUBSCRIBE_PAYLOAD = "/unsubscribe_notices"


@dataclass(frozen=True)
class ToRasa:
    """Hand ``text`` to Rasa as a message of the conversation of ``chat_id``.

    ``callback_query_id`` is set when the text came from a button tap; the
    callback must be answered so the client stops its spinner.
    """

    chat_id: int
    text: str
    metadata: Dict[str, Any] = field(default_factory=dict)
    callback_query_id: str | None = None


@dataclass(frozen=True)
class PoliteReply:
    """Answer ``chat_id`` with ``text`` directly; Rasa is not involved."""

    chat_id: int
    text: str


@dataclass(frozen=True)
class CallbackNotice:
    """Answer a button tap with a short notice and nothing else."""

    callback_query_id: str
    text: str | None = None


@dataclass(frozen=True)
class Ignored:
    """Nothing to do (a service message, an update type the bot does not read)."""

    reason: str


Decision = Union[ToRasa, PoliteReply, CallbackNotice, Ignored]


def interpret_update(update: Update, payloads: CallbackPayloads) -> Decision:
    """Decide what to do with ``update``.

    Raises ``ValueError``, ``TypeError`` or ``AttributeError`` when the update is
    malformed (for example a chat id or a text of the wrong type).
    """
    if update.callback_query is not None:
        return _interpret_callback(update.callback_query, payloads)
    if update.edited_message is not None:
        return PoliteReply(_chat_id(update.edited_message), EDITED_MESSAGE_TEXT)
    message = update.message
    if message is None:
        return Ignored("update type not handled")
    if message.text is not None:
        return _interpret_text(message)
    if message.effective_attachment is not None:
        return PoliteReply(_chat_id(message), UNSUPPORTED_CONTENT_TEXT)
    return Ignored("service message")


def command_payload(text: str) -> str | None:
    """The Rasa payload for a bot command, or ``None`` when ``text`` is not one.

    ``/start`` greets, ``/help`` shows the menu, ``/lang`` asks for a language
    and ``/lang en`` / ``/lang 한국어`` sets it, ``/stop`` turns notices off;
    an unknown command shows the menu.
    """
    match = _COMMAND.fullmatch(text.strip())
    if match is None:
        return None
    name = match.group("name").lower()
    args = (match.group("args") or "").strip()
    if name == "start":
        return GREET_PAYLOAD
    if name in ("lang", "language"):
        language = normalize_language(args) if args else None
        if language is None:
            return SET_LANGUAGE_PAYLOAD
        return SET_LANGUAGE_PAYLOAD + json.dumps({"language": language})
    if name == "stop":
        return UNSUBSCRIBE_PAYLOAD
    return HELP_PAYLOAD


def _interpret_text(message: Message) -> Decision:
    chat_id = _chat_id(message)
    metadata = _metadata(message.from_user.language_code if message.from_user else None)
    text = (message.text or "").strip()
    if text.startswith("/"):
        payload = command_payload(text)
        if payload is not None:
            return ToRasa(chat_id, payload, metadata)
        text = text.lstrip("/").strip()
        if not text:
            return ToRasa(chat_id, HELP_PAYLOAD, metadata)
    if not text:
        return Ignored("blank text")
    masked = incoming_text(text)
    metadata.update(masked.metadata())
    return ToRasa(chat_id, masked.text, metadata)


def _interpret_callback(query: CallbackQuery, payloads: CallbackPayloads) -> Decision:
    message = query.message
    if not isinstance(message, Message) or not query.data:
        # An inline-mode message, a game, or a message older than 48 hours.
        return CallbackNotice(query.id, BUTTON_EXPIRED_TEXT)
    title = _button_title(message, query.data)
    if title is None:
        # Only data that is on one of the message's own buttons is trusted.
        return CallbackNotice(query.id, BUTTON_EXPIRED_TEXT)
    payload = payloads.decode(query.data)
    if payload is None:
        # The long payload was forgotten (a restart); the title still says what was meant.
        payload = incoming_text(title).text
    return ToRasa(_chat_id(message), payload, _metadata(query.from_user.language_code), query.id)


def _chat_id(message: Message) -> int:
    chat_id = message.chat.id
    if not isinstance(chat_id, int) or isinstance(chat_id, bool):
        raise ValueError("chat id is not a number")
    return chat_id


def _button_title(message: Message, callback_data: str) -> str | None:
    if message.reply_markup is None:
        return None
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            if button.callback_data == callback_data:
                return button.text
    return None


def _metadata(language_code: str | None) -> Dict[str, Any]:
    hint = language_hint(language_code)
    return {LANGUAGE_HINT: hint} if hint else {}
