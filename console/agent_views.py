"""The live agent's desk in the console (issue 18, role ``agent``).

``/agents``: go on or off duty, the queues the agent serves (wait time,
channel, language, reason, masked transcript) and the chats they hold;
``/agents/chats/{id}``: the live chat pane (the citizen's messages appear as
they arrive: the page polls ``messages.json``), canned replies in both
languages, transfer to another agency's queue, end. Admins see every queue
too. The bot stepping aside and the delivery to the citizen are
:mod:`console.agent_chat`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Dict, Optional

import aiohttp
from aiohttp import web

from console.agent_chat import CitizenDelivery, LiveDesk, RasaControl
from console.agent_texts import CANNED_REPLIES
from console.catalogue import choices
from console.roles import Role, Staff
from console.web import console_of, forbidden, form_of, language_of, not_found, render, require_login, staff_of, t
from records import live_agents
from records.live_agents import ChatSummary

DESK = "live_desk"
MAX_REPLY_CHARS = live_agents.MAX_MESSAGE_CHARS


def can_take_chats(staff: Staff) -> bool:
    """Go on duty, see the queues and take, answer, transfer and end chats."""
    return staff.role in (Role.AGENT, Role.ADMIN)


def _agency(staff: Staff) -> Optional[str]:
    """The queue the agent serves; admins and agents without an agency serve every queue."""
    return staff.agency_id if staff.role is Role.AGENT else None


def setup(app: web.Application) -> None:
    """Register the desk's routes and the HTTP session it talks to Rasa and the messengers with."""
    routes = app.router
    routes.add_get("/agents", desk_page)
    routes.add_get("/agents/queue.json", queue_json)
    routes.add_post("/agents/duty", duty)
    routes.add_get(r"/agents/chats/{chat_id:\d+}", chat_page)
    routes.add_get(r"/agents/chats/{chat_id:\d+}/messages.json", chat_messages)
    routes.add_post(r"/agents/chats/{chat_id:\d+}/take", take)
    routes.add_post(r"/agents/chats/{chat_id:\d+}/send", send)
    routes.add_post(r"/agents/chats/{chat_id:\d+}/transfer", transfer)
    routes.add_post(r"/agents/chats/{chat_id:\d+}/end", end)
    app.cleanup_ctx.append(_desk_context)


async def _desk_context(app: web.Application) -> AsyncIterator[None]:
    from console.web import CONSOLE

    console = app[CONSOLE]
    session = aiohttp.ClientSession()
    delivery = CitizenDelivery(console.settings, session)
    rasa = RasaControl(session, console.settings.rasa_url, console.settings.rasa_token)
    desk = LiveDesk(console.engine, rasa, delivery)
    console.extra[DESK] = desk
    sweeper = asyncio.create_task(desk.sweep())
    yield
    sweeper.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sweeper
    await delivery.close()
    await session.close()


def _desk(request: web.Request) -> LiveDesk:
    return console_of(request).extra[DESK]


def _agent(request: web.Request) -> Optional[Staff]:
    staff = staff_of(request)
    return staff if staff is not None and can_take_chats(staff) else None


def _wait_text(request: web.Request, seconds: int) -> str:
    return t(request, "agents_minutes", minutes=seconds // 60, seconds=seconds % 60)


def _chat_row(request: web.Request, chat: ChatSummary, names: Dict[str, str]) -> Dict[str, Any]:
    reason_key = f"agents_reason_{chat.reason}"
    return {
        "id": chat.id,
        "wait": _wait_text(request, chat.waited_seconds()),
        "wait_seconds": chat.waited_seconds(),
        "channel": chat.channel,
        "language": chat.language,
        "reason": t(request, reason_key) if reason_key in _known_reasons() else chat.reason,
        "queue": names.get(chat.agency_id or "", t(request, "agents_general")),
        "transcript": chat.transcript,
        "state": t(request, f"agents_state_{chat.state}"),
    }


def _known_reasons() -> set:
    return {f"agents_reason_{reason}" for reason in ("requested", "repeated_fallback", "thumbs_down")}


async def _agency_names(request: web.Request) -> Dict[str, str]:
    agencies, _events = await asyncio.to_thread(choices, console_of(request).engine)
    english = language_of(request) == "en"
    return {agency_id: (name_en if english else name_ko) for agency_id, name_ko, name_en in agencies}


async def _queue_rows(request: web.Request, staff: Staff) -> Dict[str, Any]:
    engine = console_of(request).engine
    await asyncio.to_thread(live_agents.touch_duty, engine, staff.id)
    waiting = await asyncio.to_thread(live_agents.waiting_chats, engine, _agency(staff))
    held = await asyncio.to_thread(live_agents.chats_held_by, engine, staff.id)
    names = await _agency_names(request)
    return {
        "waiting": [_chat_row(request, chat, names) for chat in waiting],
        "held": [_chat_row(request, chat, names) for chat in held],
    }


@require_login
async def desk_page(request: web.Request) -> web.StreamResponse:
    """Duty switch, the waiting chats the agent may take, and the chats they hold."""
    staff = _agent(request)
    if staff is None:
        return forbidden(request)
    engine = console_of(request).engine
    on_duty = await asyncio.to_thread(live_agents.is_on_duty, engine, staff.id)
    rows = await _queue_rows(request, staff)
    flash_key = {"taken_by_other": "agents_taken_by_other", "ended": "agents_ended",
                 "transferred": "agents_transferred", "not_yours": "agents_not_yours"}.get(request.query.get("msg", ""))
    return render(request, "agents.html", on_duty=on_duty, flash=t(request, flash_key) if flash_key else None,
                  flash_kind="error" if flash_key in ("agents_taken_by_other", "agents_not_yours") else "info", **rows)


@require_login
async def queue_json(request: web.Request) -> web.StreamResponse:
    """The same lists as the desk page, for its live refresh; keeps the agent on duty."""
    staff = _agent(request)
    if staff is None:
        return forbidden(request)
    return web.json_response(await _queue_rows(request, staff))


@require_login
async def duty(request: web.Request) -> web.StreamResponse:
    """Go on duty (``on=1``) or off duty."""
    staff = _agent(request)
    if staff is None:
        return forbidden(request)
    engine = console_of(request).engine
    if form_of(request).get("on") == "1":
        await asyncio.to_thread(live_agents.go_on_duty, engine, staff.id, staff.login, _agency(staff))
    else:
        await asyncio.to_thread(live_agents.go_off_duty, engine, staff.id)
    raise web.HTTPSeeOther("/agents")


async def _chat_of(request: web.Request) -> Optional[ChatSummary]:
    return await asyncio.to_thread(live_agents.get_chat, console_of(request).engine, int(request.match_info["chat_id"]))


@require_login
async def take(request: web.Request) -> web.StreamResponse:
    """Take a waiting chat: exactly one of two agents taking it at once gets it."""
    staff = _agent(request)
    if staff is None:
        return forbidden(request)
    result = await _desk(request).take(int(request.match_info["chat_id"]), staff.id, staff.login, _agency(staff))
    if not result.taken:
        raise web.HTTPSeeOther("/agents?msg=taken_by_other")
    suffix = "" if result.paused else "?msg=not_paused"
    raise web.HTTPSeeOther(f"/agents/chats/{request.match_info['chat_id']}{suffix}")


def _visible(staff: Staff, chat: ChatSummary) -> bool:
    if staff.role is Role.ADMIN or chat.agent_id == staff.id:
        return True
    return chat.state == "waiting" and live_agents.serves(_agency(staff), chat.agency_id)


@require_login
async def chat_page(request: web.Request) -> web.StreamResponse:
    """The chat pane: the conversation so far, live messages, reply, canned replies, transfer, end."""
    staff = _agent(request)
    if staff is None:
        return forbidden(request)
    chat = await _chat_of(request)
    if chat is None:
        return not_found(request)
    if not _visible(staff, chat):
        return forbidden(request)
    names = await _agency_names(request)
    lines = await _desk(request).timeline(chat)
    english = language_of(request) == "en"
    canned = [{"ko": ko, "en": en} for ko, en in CANNED_REPLIES]
    flash = None
    if request.query.get("msg") == "not_paused":
        flash = t(request, "agents_bot_not_paused")
    elif request.query.get("msg") == "empty":
        flash = t(request, "agents_empty_message")
    return render(request, "agent_chat.html", chat=chat, row=_chat_row(request, chat, names), lines=lines,
                  canned=canned, agencies=sorted(names.items(), key=lambda item: item[1]), english=english,
                  holds=chat.state == "active" and chat.agent_id == staff.id, max_chars=MAX_REPLY_CHARS,
                  flash=flash, flash_kind="error" if flash else "info")


@require_login
async def chat_messages(request: web.Request) -> web.StreamResponse:
    """The chat's messages since it was taken (the page polls this), with its state."""
    staff = _agent(request)
    if staff is None:
        return forbidden(request)
    chat = await _chat_of(request)
    if chat is None:
        return web.json_response({"error": "not found"}, status=404)
    if not _visible(staff, chat):
        return web.json_response({"error": "forbidden"}, status=403)
    lines = await _desk(request).timeline(chat)
    who = {key: t(request, f"agents_who_{key}") for key in ("citizen", "agent", "system")}
    return web.json_response({
        "state": chat.state,
        "messages": [{"who": line["who"], "label": who[line["who"]], "text": line["text"]} for line in lines],
    })


async def _mine(request: web.Request, staff: Staff) -> Optional[ChatSummary]:
    chat = await _chat_of(request)
    if chat is None or chat.state != "active" or (chat.agent_id != staff.id and staff.role is not Role.ADMIN):
        return None
    return chat


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_login
async def send(request: web.Request) -> web.StreamResponse:
    """Send the agent's reply to the citizen at once."""
    staff = _agent(request)
    if staff is None:
        return forbidden(request)
    chat = await _mine(request, staff)
    if chat is None:
        if _wants_json(request):
            return web.json_response({"error": t(request, "agents_not_yours")}, status=409)
        raise web.HTTPSeeOther("/agents?msg=not_yours")
    text = str(form_of(request).get("text") or "").strip()[:MAX_REPLY_CHARS]
    if not text:
        if _wants_json(request):
            return web.json_response({"error": t(request, "agents_empty_message")}, status=422)
        raise web.HTTPSeeOther(f"/agents/chats/{chat.id}?msg=empty")
    delivered = await _desk(request).send(chat, staff.login, text)
    if _wants_json(request):
        return web.json_response({"sent": True, "delivered": delivered})
    raise web.HTTPSeeOther(f"/agents/chats/{chat.id}")


@require_login
async def transfer(request: web.Request) -> web.StreamResponse:
    """Put the chat in another agency's queue (or the general pool)."""
    staff = _agent(request)
    if staff is None:
        return forbidden(request)
    chat = await _mine(request, staff)
    if chat is None:
        raise web.HTTPSeeOther("/agents?msg=not_yours")
    target = str(form_of(request).get("agency") or "").strip() or None
    names = await _agency_names(request)
    if target is not None and target not in names:
        return forbidden(request)
    holder = chat.agent_id if chat.agent_id is not None else staff.id
    await _desk(request).transfer(chat, holder, target)
    raise web.HTTPSeeOther("/agents?msg=transferred")


@require_login
async def end(request: web.Request) -> web.StreamResponse:
    """End the chat: the assistant answers again and asks for feedback on the agent."""
    staff = _agent(request)
    if staff is None:
        return forbidden(request)
    chat = await _mine(request, staff)
    if chat is None:
        raise web.HTTPSeeOther("/agents?msg=not_yours")
    await _desk(request).end(chat, None if staff.role is Role.ADMIN else staff.id)
    raise web.HTTPSeeOther("/agents?msg=ended")
