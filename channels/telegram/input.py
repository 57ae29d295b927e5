"""Telegram channel for Rasa, built on a bare python-telegram-bot ``Bot``.

Registered in ``credentials.yml`` by module path (``channels.telegram.TelegramInput:``
with no values); the token and webhook secret come from the environment only
(``TELEGRAM_TOKEN``, ``TELEGRAM_SECRET``, see :mod:`core.settings`).

Rasa mounts the blueprint at ``/webhooks/telegram``; Telegram posts updates to
``POST /webhooks/telegram/webhook``. A call without the right
``X-Telegram-Bot-Api-Secret-Token`` header is refused with 403 before its body is
read. Without a token the channel stays off (503) and ``rasa run`` still starts.

Setting the webhook is a command, never a side effect of start-up::

    python -m channels.telegram set-webhook | delete-webhook | info | set-commands

For local use without a public URL, ``python -m channels.telegram.polling``
fetches updates and posts them to this same webhook.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import functools
import hmac
import json
import logging
import traceback
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, RetryAfter, TelegramError

from channels.shared.setup import prepare_channel
from channels.telegram.api import SECRET_HEADER, build_bot
from channels.telegram.format import (
    CallbackPayloads,
    chat_id_from_sender,
    inline_keyboard,
    sender_id_for_chat,
    split_message,
)
from channels.telegram.updates import (
    HANDLING_FAILED_TEXT,
    CallbackNotice,
    Decision,
    Ignored,
    PoliteReply,
    ToRasa,
    interpret_update,
)
from core.privacy import mask_for_log
from core.settings import Settings, get_settings

logger = logging.getLogger(__name__)

CHANNEL_NAME = "telegram"

#: An update is a few kilobytes; anything much larger is not from Telegram.
MAX_UPDATE_BYTES = 1_000_000

#: Wait at most this long when Telegram asks us to slow down, then give up.
MAX_RETRY_AFTER_SECONDS = 30.0

# Telegram needs some text under a keyboard.
KEYBOARD_ONLY_TEXT = "아래에서 골라 주세요.\nPlease choose below."

UNPROTECTED_WEBHOOK_WARNING = (
    "TELEGRAM_TOKEN is set but TELEGRAM_SECRET is not: the Telegram webhook refuses every call "
    "(403). TELEGRAM_SECRET must be set (1-256 characters A-Z, a-z, 0-9, _ and -) for Rasa and for "
    "'python -m channels.telegram set-webhook' / the polling process."
)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class TelegramOutput(OutputChannel):
    """Sends the assistant's replies to a Telegram chat as plain text.

    The recipient is a conversation id made by
    :func:`channels.telegram.format.sender_id_for_chat`. A failed delivery (the
    user blocked the bot, a network error) is logged and dropped, never raised,
    so one undeliverable reply cannot fail a whole conversation turn.
    """

    def __init__(self, bot: Bot, payloads: CallbackPayloads) -> None:
        self._bot = bot
        self._payloads = payloads

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send ``text``, split into several messages when it is too long."""
        await self._send(recipient_id, text or "", None)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """Send ``text`` with the buttons as an inline keyboard under its last part."""
        keyboard = inline_keyboard(buttons, self._payloads)
        await self._send(recipient_id, text or "", keyboard if keyboard.inline_keyboard else None)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Send the image at ``image``; its address as text if Telegram cannot fetch it."""
        chat_id = self._chat_id(recipient_id)
        if chat_id is None:
            return
        send = functools.partial(self._bot.send_photo, chat_id=chat_id, photo=image)
        if not await self._deliver(chat_id, send):
            await self._send(recipient_id, image, None)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        """Send a text or link attachment as text; other attachments are not supported."""
        if isinstance(attachment, str):
            await self._send(recipient_id, attachment, None)
        else:
            logger.debug("Skipped an attachment the Telegram channel cannot show.")

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        """Send the ``text`` of a custom payload; other custom payloads are web-only."""
        text = json_message.get("text") if isinstance(json_message, dict) else None
        if isinstance(text, str):
            await self._send(recipient_id, text, None)
        else:
            logger.debug("Skipped a custom payload without text on the Telegram channel.")

    async def answer_callback(self, callback_query_id: str, text: str | None = None) -> None:
        """Answer a button tap so the client stops its spinner; ``text`` shows as a notice."""
        try:
            await self._bot.answer_callback_query(callback_query_id, text=text)
        except TelegramError as error:
            # A query answered too late is refused; the conversation goes on regardless.
            logger.warning("Could not answer a Telegram callback query: %s", mask_for_log(error.message))

    async def _send(self, recipient_id: str, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
        chat_id = self._chat_id(recipient_id)
        if chat_id is None:
            return
        parts = split_message(text)
        if not parts and keyboard is not None:
            parts = [KEYBOARD_ONLY_TEXT]
        for index, part in enumerate(parts):
            markup = keyboard if index == len(parts) - 1 else None
            send = functools.partial(self._bot.send_message, chat_id=chat_id, text=part, reply_markup=markup)
            delivered = await self._deliver(chat_id, send)
            if not delivered:
                return

    async def _deliver(self, chat_id: int, call: Callable[[], Awaitable[Any]]) -> bool:
        """Make one Bot API call; on flood control wait once and retry. True when it went through."""
        for attempt in (1, 2):
            try:
                await call()
                return True
            except RetryAfter as error:
                delay = _seconds(error.retry_after)
                if attempt == 1 and delay <= MAX_RETRY_AFTER_SECONDS:
                    await asyncio.sleep(delay)
                    continue
                logger.warning("Telegram flood control: dropped a message to chat %s", chat_id)
            except Forbidden:
                logger.info("Telegram chat %s blocked the bot or removed it; message dropped", chat_id)
            except TelegramError as error:
                logger.warning(
                    "Telegram refused a message to chat %s: %s", chat_id, mask_for_log(error.message)
                )
            return False
        return False

    @staticmethod
    def _chat_id(recipient_id: str) -> int | None:
        chat_id = chat_id_from_sender(str(recipient_id))
        if chat_id is None:
            logger.warning(
                "Conversation %r is not a Telegram chat; nothing sent", mask_for_log(str(recipient_id))
            )
        return chat_id


class TelegramInput(InputChannel):
    """Receives Telegram updates on a webhook protected by a secret token."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> TelegramInput:
        """Build the channel from the environment; ``credentials.yml`` holds no secrets.

        Also makes sure every log handler masks personal data (as the REST channel does).
        """
        prepare_channel(
            credentials, ("access_token", "token", "secret", "verify"), "Telegram", "TELEGRAM_TOKEN and TELEGRAM_SECRET"
        )
        return cls.from_settings(get_settings())

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramInput:
        """Build the channel from ``settings`` (token, secret and optional Bot API base URL)."""
        return cls(settings.telegram_token, settings.telegram_secret, settings.telegram_base_url)

    def __init__(
        self,
        token: str | None = None,
        secret: str | None = None,
        base_url: str | None = None,
    ) -> None:
        self._token = token
        self._secret = secret
        self._base_url = base_url
        self._bot: Bot | None = None
        self._payloads = CallbackPayloads()
        if not token:
            logger.info("Telegram channel is off: TELEGRAM_TOKEN is not set.")
        elif not secret:
            logger.warning(UNPROTECTED_WEBHOOK_WARNING)

    @property
    def configured(self) -> bool:
        """True when a bot token is set."""
        return bool(self._token)

    @property
    def bot(self) -> Bot:
        """The Bot API client, created on first use. Raises ``RuntimeError`` without a token."""
        if not self._token:
            raise RuntimeError("TELEGRAM_TOKEN is not set")
        if self._bot is None:
            self._bot = build_bot(self._token, self._base_url)
        return self._bot

    async def aclose(self) -> None:
        """Close the Bot API client's connections; a later use opens new ones."""
        bot, self._bot = self._bot, None
        if bot is not None:
            await bot.shutdown()

    def get_output_channel(self) -> TelegramOutput | None:
        """An output channel to the configured bot (used by ``trigger_intent``), or
        ``None`` when no token is set."""
        if not self._token:
            return None
        return TelegramOutput(self.bot, self._payloads)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The webhook routes; every accepted update is carried out before the response."""
        webhook = Blueprint("ptb_telegram_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json(
                {
                    "status": "ok",
                    "configured": self.configured,
                    "accepting_updates": bool(self._token and self._secret),
                }
            )

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refusal = self._refuse(request)
            if refusal is not None:
                return refusal
            decision = self._read_update(request.body)
            if decision is None:
                return response.json({"error": "The body is not a Telegram update."}, status=400)
            await self._carry_out(decision, on_new_message)
            return response.json({"status": "ok"})

        @webhook.listener("after_server_stop")
        async def close_bot(*_: Any) -> None:
            await self.aclose()

        return webhook

    def _refuse(self, request: Request) -> HTTPResponse | None:
        """The response for a call that must not reach a conversation, else ``None``."""
        if not self._token:
            return response.json(
                {"error": "The Telegram channel is not configured: TELEGRAM_TOKEN is not set."}, status=503
            )
        if not self._secret:
            logger.warning(UNPROTECTED_WEBHOOK_WARNING)
            return response.json(
                {"error": "Forbidden: TELEGRAM_SECRET is not set on the server."}, status=403
            )
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8", "backslashreplace"), self._secret.encode("utf-8")):
            logger.warning("Refused a Telegram webhook call without the right secret token")
            return response.json({"error": "Forbidden"}, status=403)
        if len(request.body or b"") > MAX_UPDATE_BYTES:
            return response.json({"error": "The body is too large for a Telegram update."}, status=413)
        return None

    def _read_update(self, body: bytes) -> Decision | None:
        """Parse and interpret an update; ``None`` when the body is not a valid update."""
        try:
            data = json.loads(body or b"")
        except (ValueError, UnicodeDecodeError):
            return None
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return None
        try:
            update = Update.de_json(data, self.bot)
            return interpret_update(update, self._payloads)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as error:
            logger.warning("Refused a malformed Telegram update %s (%s)", update_id, type(error).__name__)
            return None

    async def _carry_out(self, decision: Decision, on_new_message: OnNewMessage) -> None:
        output = TelegramOutput(self.bot, self._payloads)
        if isinstance(decision, ToRasa):
            if decision.callback_query_id:
                await output.answer_callback(decision.callback_query_id)
            await self._hand_to_rasa(decision, output, on_new_message)
        elif isinstance(decision, PoliteReply):
            await output.send_text_message(sender_id_for_chat(decision.chat_id), decision.text)
        elif isinstance(decision, CallbackNotice):
            await output.answer_callback(decision.callback_query_id, decision.text)
        elif isinstance(decision, Ignored):
            logger.debug("Ignored a Telegram update: %s", decision.reason)

    async def _hand_to_rasa(
        self, decision: ToRasa, output: TelegramOutput, on_new_message: OnNewMessage
    ) -> None:
        sender_id = sender_id_for_chat(decision.chat_id)
        message = UserMessage(
            decision.text,
            output,
            sender_id,
            input_channel=self.name(),
            metadata=dict(decision.metadata),
        )
        try:
            await on_new_message(message)
        except Exception as error:
            # Answering 200 with an apology beats a 500: Telegram would redeliver the
            # update again and again, and the citizen would hear nothing.
            logger.error(
                "Handling a Telegram message failed (%s): %s", type(error).__name__, mask_for_log(str(error))
            )
            logger.debug("%s", mask_for_log(traceback.format_exc()))
            await output.send_text_message(sender_id, HANDLING_FAILED_TEXT)


def _seconds(value: float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)
