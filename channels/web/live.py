"""Live-agent messages on the chat page (issue 18): a server-sent event stream.

``GET /api/live/events`` (``text/event-stream``) follows the browser's
conversation (its cookie, as every gateway endpoint does): while a live agent
holds it, each agent message and each notice (joined, transferred, ended, the
feedback question with its buttons) arrives as an ``event: message`` whose data
is a page message (``{"sender": "bot", "text", "buttons", "lang", "agent"}``),
and every change of the chat's state as ``event: state`` (``none``, ``waiting``,
``active``, ``ended``, ``cancelled``, ``timed_out``), so the page knows the
assistant's silence is expected. Event ids are the stored message ids: a
reconnecting ``EventSource`` sends ``Last-Event-ID`` and misses nothing; a new
stream starts after the newest message (older ones are in ``/api/history``).

The stream reads the shared database (:mod:`records.live_agents`) about once a
second in a worker thread, so every gateway replica serves it; a stream ends
after :data:`STREAM_SECONDS` and the browser reconnects.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from actions.responses import render
from channels.web.conversation import read_conversation_id, sender_id
from channels.web.keys import OPTIONS
from records import live_agents

logger = logging.getLogger(__name__)

LIVE_ENGINE = web.AppKey("live_engine", object)
LIVE_STOP = web.AppKey("live_stop", asyncio.Event)
POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 300.0


def setup(app: web.Application, engine_factory: Callable[[], Engine]) -> None:
    """Serve ``GET /api/live/events`` on ``app``; the database is reached through ``engine_factory`` on first use."""
    app[LIVE_ENGINE] = engine_factory
    app.on_startup.append(_start)
    app.on_shutdown.append(_stop)
    app.router.add_get("/api/live/events", live_events)


async def _start(app: web.Application) -> None:
    app[LIVE_STOP] = asyncio.Event()


async def _stop(app: web.Application) -> None:
    """End every open stream, so shutting down does not wait for them (browsers reconnect elsewhere)."""
    app[LIVE_STOP].set()


async def _pause(app: web.Application, seconds: float) -> bool:
    """Wait ``seconds``; True when the app is shutting down instead."""
    stop = app[LIVE_STOP]
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        return False
    return True


def _engine(app: web.Application) -> Engine:
    from core.db import create_schema

    return create_schema(app[LIVE_ENGINE]())  # type: ignore[operator]


def page_message(message: live_agents.ChatMessage, language: str) -> Dict[str, Any]:
    """A stored message as the page renders a bot message; a notice gets its buttons back."""
    buttons: List[Dict[str, str]] = []
    if message.who == "system" and message.author:
        try:
            buttons = list(render(message.author, language).get("buttons") or [])
        except KeyError:
            buttons = []
    return {"sender": "bot", "text": message.text, "buttons": buttons, "lang": language,
            "agent": message.who == "agent"}


def _poll(engine: Engine, sender: str, after: Optional[int]) -> Tuple[str, int, List[Dict[str, Any]], int]:
    """(state, chat id, new page messages, last id) of the conversation's latest chat; blocking."""
    chat = live_agents.latest_chat(engine, sender)
    if chat is None:
        return "none", 0, [], after or 0
    if after is None:
        return chat.state, chat.id, [], live_agents.last_message_id(engine, chat.id)
    messages = live_agents.messages_of(engine, chat.id, after)
    pages = [{"id": m.id, **page_message(m, chat.language)} for m in messages if m.who in ("agent", "system")]
    return chat.state, chat.id, pages, (messages[-1].id if messages else after)


def _event(name: str, data: Any, event_id: Optional[int] = None) -> bytes:
    lines = [f"event: {name}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False))
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def _last_event_id(request: web.Request) -> Optional[int]:
    raw = request.headers.get("Last-Event-ID", "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


async def live_events(request: web.Request) -> web.StreamResponse:
    """Stream the agent's messages and the chat's state to the browser's conversation."""
    conversation_id = read_conversation_id(request, request.app[OPTIONS].cookie_name)
    if conversation_id is None:
        return web.json_response({"error": "no_conversation"}, status=404)
    sender = sender_id(conversation_id)
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no",
    })
    await response.prepare(request)
    after = _last_event_id(request)
    chat_id: Optional[int] = None
    state: Optional[str] = None
    started = last_write = time.monotonic()
    await response.write(b"retry: 2000\n\n")
    while time.monotonic() - started < STREAM_SECONDS:
        try:
            new_state, new_chat, pages, last = await asyncio.to_thread(
                _poll, _engine(request.app), sender, after)
        except (SQLAlchemyError, OSError) as error:
            logger.warning("live events: the database could not be read: %s", type(error).__name__)
            if await _pause(request.app, POLL_SECONDS * 5):
                break
            continue
        if chat_id is not None and new_chat != chat_id and after is not None:
            # A newer chat began: follow it from its first message.
            new_state, new_chat, pages, last = await asyncio.to_thread(_poll, _engine(request.app), sender, 0)
        chat_id, after = new_chat, last
        if new_state != state:
            state = new_state
            await response.write(_event("state", {"state": state}))
            last_write = time.monotonic()
        for page in pages:
            event_id = page.pop("id")
            await response.write(_event("message", page, event_id))
            last_write = time.monotonic()
        if time.monotonic() - last_write > HEARTBEAT_SECONDS:
            await response.write(b": keep-alive\n\n")
            last_write = time.monotonic()
        if await _pause(request.app, POLL_SECONDS):
            break
    return response
