"""Call-back requests on the agent desk (issue 18, item 1).

``/agents/callbacks``: the open requests of the agent's agency and of the
general pool (admins see all), with the phone number opened for them only;
``/agents/callbacks/{id}/done``: mark one done, written to the audit log.
"""

from __future__ import annotations

import asyncio
from typing import List, Optional

from aiohttp import web
from sqlalchemy.engine import Engine

from console.roles import Role, Staff
from console.web import console_of, forbidden, form_of, render, require_login, staff_of, t
from core.db import session_scope
from knowledge.models import record_audit
from records import callbacks
from records.callbacks import CallbackView


def setup(app: web.Application) -> None:
    """Register the call-back routes."""
    app.router.add_get("/agents/callbacks", callbacks_page)
    app.router.add_post(r"/agents/callbacks/{request_id:\d+}/done", callback_done)


def _agent(request: web.Request) -> Optional[Staff]:
    staff = staff_of(request)
    return staff if staff is not None and staff.role in (Role.AGENT, Role.ADMIN) else None


def _agency(staff: Staff) -> Optional[str]:
    return staff.agency_id if staff.role is Role.AGENT else None


def _pepper(request: web.Request) -> bytes:
    from applications.hashing import load_pepper

    return load_pepper(console_of(request).settings)


def _open(engine: Engine, agency: Optional[str], pepper: bytes) -> List[CallbackView]:
    return callbacks.open_requests(engine, agency, secret=pepper)


@require_login
async def callbacks_page(request: web.Request) -> web.StreamResponse:
    """The open call-back requests this agent may call, oldest first."""
    staff = _agent(request)
    if staff is None:
        return forbidden(request)
    pepper = await asyncio.to_thread(_pepper, request)
    rows = await asyncio.to_thread(_open, console_of(request).engine, _agency(staff), pepper)
    flash = None
    message = request.query.get("msg")
    if message in ("done", "not_done"):
        flash = t(request, "callback_marked_done" if message == "done" else "callback_not_done",
                  id=request.query.get("id", ""))
    response = render(request, "callbacks.html", rows=rows, flash=flash,
                      flash_kind="info" if message == "done" else "error")
    response.headers["Cache-Control"] = "no-store"  # phone numbers: never kept by a browser cache
    return response


def _done_audited(engine: Engine, request_id: int, login: str, agency: Optional[str]) -> bool:
    done = callbacks.mark_done(engine, request_id, login, agency)
    if done:
        with session_scope(engine) as session:
            record_audit(session, actor=login, action="callback_done", entity_type="callback",
                         entity_id=str(request_id), source="console")
    return done


@require_login
async def callback_done(request: web.Request) -> web.StreamResponse:
    """Mark a request done (only one of the agent's agency or the general pool)."""
    staff = _agent(request)
    if staff is None:
        return forbidden(request)
    form_of(request)  # the CSRF check happened in the middleware
    request_id = int(request.match_info["request_id"])
    done = await asyncio.to_thread(_done_audited, console_of(request).engine, request_id, staff.login,
                                   _agency(staff))
    raise web.HTTPSeeOther(f"/agents/callbacks?msg={'done' if done else 'not_done'}&id={request_id}")
