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

The streams read the shared database (:mod:`records.live_agents`), so every
gateway replica serves them: one task per process reads the marks of every
open page's conversation about once a second (:mod:`channels.web.live_hub`),
and only a stream whose conversation changed reads its new messages, in a
worker thread. A stream ends after :data:`STREAM_SECONDS` and the browser
reconnects.
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
from channels.web.live_hub import LiveHub, Subscription
from records import live_agents
from records.live_agents import NO_CHAT

logger = logging.getLogger(__name__)

LIVE_ENGINE = web.AppKey("live_engine", object)
LIVE_STOP = web.AppKey("live_stop", asyncio.Event)
LIVE_HUB = web.AppKey("live_hub", LiveHub)
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
    app[LIVE_HUB] = LiveHub(lambda: _engine(app), POLL_SECONDS)


async def _stop(app: web.Application) -> None:
    """End every open stream, so shutting down does not wait for them (browsers reconnect elsewhere)."""
    app[LIVE_STOP].set()
    await app[LIVE_HUB].close()


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
    """A stored message as the page renders a bot message; a notice gets its buttons back
    (the timeout notice the call-back offer's, with the reason ``timed_out``)."""
    buttons: List[Dict[str, str]] = []
    if message.who == "system" and message.author == live_agents.TIMED_OUT_NOTICE:
        from actions.callback import offer_message

        buttons = list(offer_message(language, "timed_out")["buttons"])
    elif message.who == "system" and message.author:
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
    subscription: Optional[Subscription] = None
    try:
        while time.monotonic() - started < STREAM_SECONDS:
            try:
                new_state, new_chat, pages, last = await asyncio.to_thread(
                    _poll, _engine(request.app), sender, after)
                if chat_id and new_chat != chat_id and after is not None:
                    # A newer chat began: follow it from its first message.
                    new_state, new_chat, pages, last = await asyncio.to_thread(
                        _poll, _engine(request.app), sender, 0)
            except (SQLAlchemyError, OSError) as error:
                logger.warning("live events: the database could not be read: %s", type(error).__name__)
                if await _pause(request.app, POLL_SECONDS * 5):
                    break
                continue
            chat_id, after = new_chat, last
            if new_state != state:
                state = new_state
                await response.write(_event("state", {"state": state}))
                last_write = time.monotonic()
            for page in pages:
                event_id = page.pop("id")
                await response.write(_event("message", page, event_id))
                last_write = time.monotonic()
            mark = (new_chat, new_state, last) if new_chat else NO_CHAT
            if subscription is None:
                subscription = request.app[LIVE_HUB].subscribe(sender, mark)
            subscription.seen = mark
            subscription.changed.clear()
            # Sleep until the hub sees a change, sending a heartbeat now and then.
            while True:
                if time.monotonic() - last_write > HEARTBEAT_SECONDS:
                    await response.write(b": keep-alive\n\n")
                    last_write = time.monotonic()
                if await _until_changed(request.app, subscription, HEARTBEAT_SECONDS) is not False:
                    break
                if time.monotonic() - started >= STREAM_SECONDS:
                    break
            if request.app[LIVE_STOP].is_set():
                break
    finally:
        if subscription is not None:
            request.app[LIVE_HUB].unsubscribe(subscription)
    return response


async def _until_changed(app: web.Application, subscription: Subscription, seconds: float) -> Optional[bool]:
    """Wait up to ``seconds`` for the hub to see a change: True on a change, None when
    the app is shutting down, False when the time ran out."""
    stop = app[LIVE_STOP]
    if stop.is_set():
        return None
    changed = asyncio.ensure_future(subscription.changed.wait())
    stopping = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait({changed, stopping}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        changed.cancel()
        stopping.cancel()
    if stopping in done:
        return None
    return changed in done
