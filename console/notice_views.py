"""The notices page (issue 20): the outbox of proactive notices, for staff.

Counts per state and channel, the newest notices (what kind, which status, in
which language, when, how many attempts, the last error) and a button that
puts a failed or unconfirmed notice back in the queue. Nothing personal is
shown: no application number, no recipient (see :class:`records.notices.NoticeRow`).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from aiohttp import web
from sqlalchemy.engine import Engine

from console import roles
from console.web import console_of, forbidden, form_of, render, require_login, staff_of, t
from core.db import session_scope
from knowledge.models import record_audit
from records.notices import NOTICE_STATES, list_notices, notice_counts, requeue, subscription_counts

PAGE_ROWS = 200


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _requeue_audited(engine: Engine, notice_id: int, actor: str) -> bool:
    """Requeue the notice; when it was requeued, write who did it to the audit log."""
    done = requeue(engine, notice_id, _utc_now())
    if done:
        with session_scope(engine) as session:
            record_audit(session, actor=actor, action="requeue", entity_type="notice", entity_id=str(notice_id),
                         source="console")
    return done


@require_login
async def notices_page(request: web.Request) -> web.StreamResponse:
    """The outbox, newest first, optionally only one state."""
    staff = staff_of(request)
    if staff is None or not roles.can_view_notices(staff):
        return forbidden(request)
    engine = console_of(request).engine
    state = request.query.get("state", "")
    states = [state] if state in NOTICE_STATES else None
    rows = await asyncio.to_thread(list_notices, engine, states, PAGE_ROWS)
    counts = await asyncio.to_thread(notice_counts, engine)
    subscriptions = await asyncio.to_thread(subscription_counts, engine)
    flash = None
    if request.query.get("msg") == "requeued":
        flash = t(request, "notice_requeued", id=request.query.get("id", ""))
    elif request.query.get("msg") == "not_requeued":
        flash = t(request, "notice_not_requeued", id=request.query.get("id", ""))
    return render(request, "notices.html", rows=rows, counts=counts, subscriptions=subscriptions,
                  state=state if states else "", states=NOTICE_STATES, flash=flash)


@require_login
async def notice_requeue(request: web.Request) -> web.StreamResponse:
    """Send a failed or unconfirmed notice again (it may already have arrived: staff decide)."""
    staff = staff_of(request)
    if staff is None or not roles.can_view_notices(staff):
        return forbidden(request)
    form_of(request)  # the CSRF check happened in the middleware; the form has nothing else
    notice_id = int(request.match_info["notice_id"])
    engine = console_of(request).engine
    done = await asyncio.to_thread(_requeue_audited, engine, notice_id, staff.login)
    raise web.HTTPSeeOther(f"/notices?msg={'requeued' if done else 'not_requeued'}&id={notice_id}")
