"""Request handlers: the page, the widget loader, and the JSON API the page uses.

API (all JSON; errors as described in :mod:`channels.web.errors`):

* ``GET  /api/history``  -> ``{"messages": [...]}`` the current conversation;
* ``POST /api/messages`` ``{"message": str, "display_text"?: str, "hidden"?: bool,
  "language"?: "ko"|"en"}`` -> ``{"messages": [...], "resident_number_masked": bool,
  "echo"?: str}``;
* ``POST /api/conversation/reset`` -> ``{"messages": []}`` with a new conversation id.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Tuple

import aiohttp
from aiohttp import web

from channels.shared.incoming import typed_text
from channels.web.client_address import client_address
from channels.web.conversation import (
    conversation_for,
    is_https,
    new_conversation_id,
    read_conversation_id,
    sender_id,
    set_conversation_cookie,
)
from channels.web.errors import dumps, error_body, json_error
from channels.web.keys import LIMITERS, OPTIONS, RASA_CLIENT
from channels.web.message_input import CleanMessage, MessageRejected, clean_display_text, clean_message
from channels.web.rasa_client import RasaClient, RasaTimeout, RasaUnavailable
from channels.web.transcript import (
    DISPLAY_TEXT_KEY,
    HIDDEN_KEY,
    offered_payloads,
    replies_for_page,
    transcript_from_events,
)
from core.language import normalize_language

logger = logging.getLogger(__name__)

NO_CACHE = {"Cache-Control": "no-cache"}


class BadRequest(Exception):
    """The request cannot be served; carries the ready error response."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def _client_ip(request: web.Request) -> str:
    return client_address(request, request.app[OPTIONS].trusted_proxies)


def _with_cookie(
    response: web.StreamResponse, request: web.Request, conversation_id: str, new: bool
) -> web.StreamResponse:
    if new:
        options = request.app[OPTIONS]
        secure = is_https(request, options.cookie_secure)
        set_conversation_cookie(response, options.cookie_name, conversation_id, secure=secure)
    return response


async def index(request: web.Request) -> web.StreamResponse:
    """The chat page; gives the browser its conversation cookie on first visit."""
    options = request.app[OPTIONS]
    conversation_id, new = conversation_for(request, options.cookie_name)
    response = web.FileResponse(options.static_dir / "index.html", headers=NO_CACHE)
    return _with_cookie(response, request, conversation_id, new)


async def widget_loader(request: web.Request) -> web.StreamResponse:
    """The embeddable widget script (``<script src=".../widget.js" defer>``)."""
    return web.FileResponse(
        request.app[OPTIONS].static_dir / "widget.js",
        headers={**NO_CACHE, "Content-Type": "text/javascript; charset=utf-8"},
    )


async def health(request: web.Request) -> web.Response:
    """Liveness of the gateway itself (it does not call Rasa)."""
    return web.json_response({"status": "ok"}, dumps=dumps)


@dataclass(frozen=True)
class ReadinessProbe:
    """How ``/readyz`` checks Rasa: ``GET {rasa_url}/`` (Rasa's unauthenticated
    greeting) on the gateway's shared session, within ``timeout`` seconds."""

    session: aiohttp.ClientSession
    rasa_url: str
    timeout: float = 2.0

    async def rasa_answers(self) -> str | None:
        """``None`` when Rasa answered 200 in time, else the reason it did not
        (``rasa_timeout``, ``rasa_unreachable`` or ``rasa_http_<status>``)."""
        try:
            async with self.session.get(
                f"{self.rasa_url.rstrip('/')}/", timeout=aiohttp.ClientTimeout(total=self.timeout)
            ) as response:
                await response.read()
                return None if response.status == 200 else f"rasa_http_{response.status}"
        except asyncio.TimeoutError:
            return "rasa_timeout"
        except aiohttp.ClientError:
            return "rasa_unreachable"


READINESS = web.AppKey("readiness", ReadinessProbe)


async def ready(request: web.Request) -> web.Response:
    """Readiness: 200 ``{"status": "ready"}`` when Rasa answers its ``/`` within
    the probe's timeout, else 503 with the bilingual ``assistant_unavailable``
    error, ``"status": "not_ready"`` and the ``reason``. Never cached."""
    reason = await request.app[READINESS].rasa_answers()
    if reason is None:
        return web.json_response({"status": "ready"}, headers=NO_CACHE, dumps=dumps)
    logger.warning("not ready: %s", reason)
    body = error_body("assistant_unavailable", status="not_ready", reason=reason)
    return web.json_response(body, status=503, headers=NO_CACHE, dumps=dumps)


def _relay_error(error: Exception) -> web.Response:
    if isinstance(error, RasaTimeout):
        return json_error(504, "assistant_timeout")
    return json_error(502, "assistant_unavailable")


async def history(request: web.Request) -> web.StreamResponse:
    """The visible messages of the browser's current conversation, so a reload
    shows what was said. A browser without a conversation gets an empty one."""
    options, limiters = request.app[OPTIONS], request.app[LIMITERS]
    conversation_id = read_conversation_id(request, options.cookie_name)
    if conversation_id is None:
        response = web.json_response({"messages": []}, dumps=dumps)
        return _with_cookie(response, request, new_conversation_id(), True)
    decision = await limiters.history.take((conversation_id, _client_ip(request)))
    if not decision.allowed:
        return _rate_limited(decision.retry_after)
    try:
        events = await request.app[RASA_CLIENT].fetch_events(sender_id(conversation_id))
    except (RasaTimeout, RasaUnavailable) as error:
        logger.warning("history not available: %s", error)
        return _relay_error(error)
    return web.json_response(
        {"messages": transcript_from_events(events, limit=options.history_limit)}, dumps=dumps
    )


def _rate_limited(retry_after: int) -> web.Response:
    return json_error(429, "rate_limited", headers={"Retry-After": str(retry_after)}, retry_after=retry_after)


async def _check_message_rate(request: web.Request, conversation_id: str) -> web.Response | None:
    limiters = request.app[LIMITERS]
    ip = _client_ip(request)
    per_conversation = await limiters.messages.peek((conversation_id, ip))
    if not per_conversation.allowed:
        return _rate_limited(per_conversation.retry_after)
    per_ip = await limiters.messages_per_ip.take(ip)
    if not per_ip.allowed:
        return _rate_limited(per_ip.retry_after)
    per_conversation = await limiters.messages.take((conversation_id, ip))
    if not per_conversation.allowed:  # a parallel request took the last token meanwhile
        return _rate_limited(per_conversation.retry_after)
    return None


async def _read_json_object(request: web.Request) -> Mapping[str, Any]:
    options = request.app[OPTIONS]
    if request.content_type != "application/json":
        raise BadRequest(json_error(415, "unsupported_media_type"))
    if request.content_length is not None and request.content_length > options.max_body_bytes:
        raise BadRequest(json_error(413, "body_too_large"))
    raw = await request.read()  # over client_max_size: HTTPRequestEntityTooLarge -> 413
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise BadRequest(json_error(400, "invalid_request")) from None
    if not isinstance(body, dict):
        raise BadRequest(json_error(400, "invalid_request"))
    return body


def _message_metadata(body: Mapping[str, Any]) -> Dict[str, Any]:
    metadata: Dict[str, Any] = {"channel": "web"}
    display_text = clean_display_text(body.get(DISPLAY_TEXT_KEY)) if DISPLAY_TEXT_KEY in body else None
    if display_text:
        metadata[DISPLAY_TEXT_KEY] = display_text
    if body.get(HIDDEN_KEY) is True:
        metadata[HIDDEN_KEY] = True
    language = normalize_language(body.get("language"))
    if language:
        metadata["ui_language"] = language
    return metadata


async def _parse_message(request: web.Request) -> Tuple[CleanMessage, Dict[str, Any]]:
    body = await _read_json_object(request)
    max_chars = request.app[OPTIONS].max_message_chars
    try:
        message = clean_message(body.get("message"), max_chars=max_chars)
    except MessageRejected as rejected:
        status = 413 if rejected.code == "message_too_long" else 400
        raise BadRequest(json_error(status, rejected.code, limit=max_chars)) from None
    return message, _message_metadata(body)


# The page's own commands, sent without a button (the language switch).
_PAGE_COMMANDS = re.compile(r'/set_language\{"language": ?"(ko|en)"\}')


async def _payload_allowed(rasa: RasaClient, sender: str, payload: str) -> bool:
    """Whether ``payload`` is the page's language switch or a button the bot
    offered in this session; when Rasa cannot tell us, it is not."""
    if _PAGE_COMMANDS.fullmatch(payload):
        return True
    try:
        events = await rasa.fetch_events(sender)
    except (RasaTimeout, RasaUnavailable):
        return False
    return payload in offered_payloads(events)


async def post_message(request: web.Request) -> web.StreamResponse:
    """Relay the citizen's message to Rasa and return the bot's replies.

    Rate limited per conversation and IP; resident registration numbers are
    masked before the message leaves the gateway, and the page is told so it
    can show the masked text and a warning."""
    options = request.app[OPTIONS]
    conversation_id, new = conversation_for(request, options.cookie_name)
    limited = await _check_message_rate(request, conversation_id)
    if limited is not None:
        return limited
    try:
        message, metadata = await _parse_message(request)
    except BadRequest as bad:
        return bad.response
    rasa = request.app[RASA_CLIENT]
    if message.text.startswith("/") and not await _payload_allowed(rasa, sender_id(conversation_id), message.text):
        # A typed "/intent{...}" would pick an intent and fill slots at once
        # (a whole status-check guess in one message): it goes on as text.
        message = CleanMessage(typed_text(message.text).text, message.resident_number_masked)
    try:
        replies = await rasa.send_message(sender_id(conversation_id), message.text, metadata)
    except (RasaTimeout, RasaUnavailable) as error:
        logger.warning("message not relayed: %s", error)
        return _relay_error(error)
    body: Dict[str, Any] = {
        "messages": replies_for_page(replies),
        "resident_number_masked": message.resident_number_masked,
    }
    if message.resident_number_masked:
        body["echo"] = message.text
    return _with_cookie(web.json_response(body, dumps=dumps), request, conversation_id, new)


async def reset_conversation(request: web.Request) -> web.StreamResponse:
    """Start a new conversation: the browser gets a new id, the old transcript
    is no longer shown (it stays in Rasa's tracker store as any other)."""
    response = web.json_response({"messages": []}, dumps=dumps)
    return _with_cookie(response, request, new_conversation_id(), True)
