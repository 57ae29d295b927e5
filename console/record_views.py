"""Pages for applications (find, move, lift a lockout) and the audit log (filter, CSV)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Dict, List

from aiohttp import web
from sqlalchemy import select

from applications.repository import ApplicationChangeError, ApplicationNotFoundError
from applications.statuses import ApplicationStatus
from console import roles
from console.applications import STATUS_LABELS, lift_lockout, load_application, move, normalise_number, status_label
from console.web import console_of, forbidden, form_of, language_of, render, require_login, staff_of, t
from core.db import session_scope
from knowledge.models import AuditLog

AUDIT_PAGE_ROWS = 500
AUDIT_CSV_ROWS = 100_000
AUDIT_FILTERS = ("actor", "action", "entity_type", "entity_id")


def _lines(text: Any) -> List[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()][:30]


def _date(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text).strip()) if text and str(text).strip() else None
    except ValueError:
        return None


async def _application_page(request: web.Request, number: str, *, status: int = 200, flash: str | None = None,
                            flash_kind: str = "info", values: Dict[str, str] | None = None) -> web.Response:
    staff = staff_of(request)
    assert staff is not None
    console = console_of(request)
    application = await asyncio.to_thread(load_application, console.engine, number)
    if application is None:
        return render(request, "applications.html", status=404, application=None, number=number,
                      flash=t(request, "app_not_found"), flash_kind="error", statuses=[], label=status_label,
                      values={})
    if not roles.can_handle_application(staff, application.agency_id):
        return forbidden(request)
    language = language_of(request)
    statuses = [(s.value, STATUS_LABELS[s][1 if language == "en" else 0]) for s in ApplicationStatus]
    return render(request, "applications.html", status=status, application=application, number=number,
                  statuses=statuses, label=status_label, flash=flash, flash_kind=flash_kind, values=values or {})


@require_login
async def applications_page(request: web.Request) -> web.StreamResponse:
    """Find an application by its number."""
    staff = staff_of(request)
    if staff is None or not roles.can_view_applications(staff):
        return forbidden(request)
    typed = request.query.get("number", "").strip()
    if not typed:
        return render(request, "applications.html", application=None, number="", statuses=[], label=status_label,
                      flash=None, values={})
    number = normalise_number(typed)
    if number is None:
        return render(request, "applications.html", status=422, application=None, number=typed[:40], statuses=[],
                      label=status_label, flash=t(request, "app_bad_number"), flash_kind="error", values={})
    flash = None
    if request.query.get("msg") == "moved":
        flash = t(request, "moved", number=number, status=status_label(request.query.get("status", ""),
                                                                        language_of(request)))
    elif request.query.get("msg") == "unlocked":
        flash = t(request, "unlocked", count=request.query.get("count", "0"))
    return await _application_page(request, number, flash=flash)


async def _handled_number(request: web.Request, staff: Any) -> str | web.Response:
    """The application number of the URL when ``staff`` may act on that
    application, else the 403 page (404 when there is no such application)."""
    number = normalise_number(request.match_info["number"])
    if number is None or not roles.can_view_applications(staff):
        return forbidden(request)
    application = await asyncio.to_thread(load_application, console_of(request).engine, number)
    if application is None:
        raise web.HTTPNotFound()
    if not roles.can_handle_application(staff, application.agency_id):
        return forbidden(request)
    return number


@require_login
async def application_move(request: web.Request) -> web.StreamResponse:
    """Move the status (with documents and deadline for a supplement request)."""
    staff = staff_of(request)
    assert staff is not None
    console = console_of(request)
    number = await _handled_number(request, staff)
    if isinstance(number, web.Response):
        return number
    form = form_of(request)
    values = {key: str(form.get(key) or "")[:4000] for key in
              ("status", "documents_ko", "documents_en", "deadline", "reason_ko", "reason_en", "expected", "note")}
    try:
        new_status = ApplicationStatus(values["status"])
    except ValueError:
        return await _application_page(request, number, status=422, flash=t(request, "not_found"),
                                       flash_kind="error", values=values)
    deadline, expected = _date(values["deadline"]), _date(values["expected"])
    if (values["deadline"] and deadline is None) or (values["expected"] and expected is None):
        return await _application_page(request, number, status=422, flash=t(request, "bad_date"),
                                       flash_kind="error", values=values)
    try:
        result = await asyncio.to_thread(
            move, console.engine, number, new_status, actor=staff.login,
            documents_ko=_lines(values["documents_ko"]), documents_en=_lines(values["documents_en"]),
            deadline=deadline, reason_ko=values["reason_ko"].strip() or None,
            reason_en=values["reason_en"].strip() or None, expected=expected,
            note=values["note"].strip() or None, force=bool(form.get("force")) and staff.role is roles.Role.ADMIN,
        )
    except ApplicationNotFoundError:
        raise web.HTTPNotFound() from None
    except ApplicationChangeError as error:
        return await _application_page(request, number, status=422, flash=str(error), flash_kind="error",
                                       values=values)
    raise web.HTTPSeeOther(f"/applications?number={number}&msg=moved&status={result}")


@require_login
async def application_unlock(request: web.Request) -> web.StreamResponse:
    """Lift the lookup lockout of the application's number."""
    staff = staff_of(request)
    assert staff is not None
    console = console_of(request)
    number = await _handled_number(request, staff)
    if isinstance(number, web.Response):
        return number
    lifted = await asyncio.to_thread(lift_lockout, console.engine, number, staff.login)
    raise web.HTTPSeeOther(f"/applications?number={number}&msg=unlocked&count={lifted}")


# ---------------------------------------------------------------- audit


def _audit_rows(engine: Any, filters: Dict[str, str], since: date | None, until: date | None,
                limit: int) -> List[Dict[str, Any]]:
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    for name in AUDIT_FILTERS:
        if filters.get(name):
            query = query.where(getattr(AuditLog, name) == filters[name])
    if since is not None:
        query = query.where(AuditLog.at >= datetime.combine(since, time.min, tzinfo=timezone.utc))
    if until is not None:
        query = query.where(AuditLog.at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=timezone.utc))
    with session_scope(engine) as session:
        return [row.as_dict() for row in session.scalars(query)]


def _audit_query(request: web.Request) -> tuple:
    filters = {name: request.query.get(name, "").strip()[:128] for name in AUDIT_FILTERS}
    return filters, _date(request.query.get("from")), _date(request.query.get("to"))


@require_login
async def audit_page(request: web.Request) -> web.StreamResponse:
    """The audit log, newest first, filtered by actor, action, entity and dates."""
    staff = staff_of(request)
    if staff is None or not roles.can_view_audit(staff):
        return forbidden(request)
    filters, since, until = _audit_query(request)
    rows = await asyncio.to_thread(_audit_rows, console_of(request).engine, filters, since, until, AUDIT_PAGE_ROWS)
    return render(request, "audit.html", rows=rows, filters=filters, since=request.query.get("from", "")[:10],
                  until=request.query.get("to", "")[:10], limit=AUDIT_PAGE_ROWS, query=request.query_string,
                  flash=None)


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else (value.isoformat() if isinstance(value, (date, datetime)) else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_login
async def audit_csv(request: web.Request) -> web.StreamResponse:
    """The filtered audit log as CSV (UTF-8 with BOM so spreadsheets read Korean)."""
    staff = staff_of(request)
    if staff is None or not roles.can_view_audit(staff):
        return forbidden(request)
    filters, since, until = _audit_query(request)
    rows = await asyncio.to_thread(_audit_rows, console_of(request).engine, filters, since, until, AUDIT_CSV_ROWS)
    buffer = io.StringIO()
    columns = ["at", "actor", "action", "entity_type", "entity_id", "field", "old_value", "new_value", "source",
               "change_id"]
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[column]) for column in columns])
    return web.Response(
        body=("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
