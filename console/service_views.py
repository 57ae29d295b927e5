"""Pages for the service catalogue: list, editor with preview, history and revert, review queue, YAML."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import date
from typing import Any, Dict, List

import yaml
from aiohttp import web

from console import changes, roles
from console.catalogue import PAGE_SIZE, ListFilter, choices, get_service, list_services
from console.i18n import localise_issue
from console.preview import preview_answers
from console.service_form import LIST_PAIRS, TEXT_PAIRS, entry_to_values, issues_by_field, parse_form
from console.web import (
    console_of,
    forbidden,
    form_of,
    language_of,
    not_found,
    render,
    require_login,
    staff_of,
    t,
)
from knowledge.exporter import catalogue_as_documents, dump_yaml
from knowledge.importer import StaleEditError, import_documents
from knowledge.models import utc_now
from knowledge.schema import CatalogueValidationError, parse_document

MESSAGES = {"draft": "saved_draft", "pending": "submitted", "published": "published", "reverted": "reverted",
            "rejected": "rejected", "unchanged": "unchanged"}


def _date_or_none(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _translate_errors(request: web.Request, errors: Dict[str, List[str]]) -> Dict[str, List[str]]:
    """Form errors carry translation keys as JSON ``[key, values]``; validation issues are text."""
    out: Dict[str, List[str]] = {}
    for name, messages in errors.items():
        for message in messages:
            if message.startswith("["):
                key, values = json.loads(message)
                message = t(request, key, **values)
            else:
                message = localise_issue(language_of(request), message)
            out.setdefault(name, []).append(message)
    return out


def _flash(request: web.Request) -> str | None:
    key = MESSAGES.get(request.query.get("msg", ""))
    if key is None:
        return None
    values = {name: request.query.get(name, "") for name in ("id", "revision", "target")}
    return t(request, key, **values)


@require_login
async def service_list(request: web.Request) -> web.StreamResponse:
    """Services, searchable and filtered by agency, life event and review date; overdue ones flagged."""
    staff = staff_of(request)
    if staff is None or not roles.can_view_services(staff):
        return forbidden(request)
    console = console_of(request)
    query = request.query
    before_text = query.get("reviewed_before", "").strip()
    reviewed_before = _date_or_none(before_text)
    try:
        page = max(1, int(query.get("page", "1")))
    except ValueError:
        page = 1
    wanted = ListFilter(
        query=query.get("q", "")[:100],
        agency=query.get("agency", "")[:64],
        life_event=query.get("life_event", "")[:64],
        reviewed_before=reviewed_before,
        stale_only=query.get("stale") == "1",
        page=page,
    )
    days = console.settings.console_review_age_days
    rows, total = await asyncio.to_thread(list_services, console.engine, wanted, days, date.today())
    agencies, events = await asyncio.to_thread(choices, console.engine)
    return render(
        request, "services.html", rows=rows, total=total, wanted=wanted, agencies=agencies, events=events,
        before_text=before_text, before_error=bool(before_text) and reviewed_before is None, days=days,
        page=page, pages=max(1, -(-total // PAGE_SIZE)), flash=_flash(request),
    )


async def _editor(
    request: web.Request,
    detail: Any,
    values: Dict[str, str],
    *,
    status: int = 200,
    base_revision: int | None = None,
    errors: Dict[str, List[str]] | None = None,
    general: List[str] | None = None,
    preview: Any = None,
    stale: Any = None,
    flash: str | None = None,
    flash_kind: str = "info",
) -> web.Response:
    console = console_of(request)
    staff = staff_of(request)
    assert staff is not None
    agencies, events = await asyncio.to_thread(choices, console.engine)
    open_changes = await asyncio.to_thread(changes.open_changes, console.engine, detail.id)
    selected_events = json.loads(values.get("life_events") or "[]")
    language = language_of(request)
    general = [
        f"{path}: {localise_issue(language, message)}" if path else localise_issue(language, message)
        for path, _sep, message in (item.partition(": ") if ": " in item else ("", "", item) for item in general or [])
    ]
    return render(
        request, "service_edit.html", status=status, service=detail, values=values,
        errors=errors or {}, general=general, agencies=agencies, events=events,
        selected_events=selected_events, text_pairs=TEXT_PAIRS, list_pairs=LIST_PAIRS,
        base_revision=detail.revision if base_revision is None else base_revision,
        can_edit=roles.can_edit_service(staff, detail.agency_id),
        can_publish=roles.can_publish(staff, detail.agency_id, console.settings.console_review_required),
        preview=preview, stale=stale, open_changes=open_changes, flash=flash, flash_kind=flash_kind,
    )


@require_login
async def service_page(request: web.Request) -> web.StreamResponse:
    """The editor of one service (read-only for roles that may only look); ``?change=N`` opens a change."""
    staff = staff_of(request)
    assert staff is not None
    console = console_of(request)
    detail = await asyncio.to_thread(get_service, console.engine, request.match_info["service_id"])
    if detail is None:
        return not_found(request)
    may_look = roles.can_view_services(staff) and staff.role is not roles.Role.EDITOR
    if not roles.can_edit_service(staff, detail.agency_id) and not may_look:
        return forbidden(request)
    values = entry_to_values(detail.entry)
    base = detail.revision
    change_id = request.query.get("change", "")
    if change_id.isdigit():
        change = await asyncio.to_thread(changes.get_change, console.engine, int(change_id))
        if change is None or change.service_id != detail.id:
            return not_found(request)
        if change.author != staff.login and not roles.can_review(staff):
            return forbidden(request)
        values, base = entry_to_values(change.entry), change.base_revision
    return await _editor(request, detail, values, base_revision=base, flash=_flash(request))


@require_login
async def service_save(request: web.Request) -> web.StreamResponse:
    """Preview, save a draft, submit for review or publish the edited service.

    Every path validates like the YAML import; on any problem the form comes
    back with the input as typed and the messages beside the fields, and
    nothing is saved.
    """
    staff = staff_of(request)
    assert staff is not None
    console = console_of(request)
    detail = await asyncio.to_thread(get_service, console.engine, request.match_info["service_id"])
    if detail is None:
        return not_found(request)
    if not roles.can_edit_service(staff, detail.agency_id):
        return forbidden(request)
    form = form_of(request)
    action = str(form.get("action") or "preview")
    if action not in ("preview", "draft", "submit", "publish"):
        return forbidden(request)
    review_required = console.settings.console_review_required
    if action == "publish" and not roles.can_publish(staff, detail.agency_id, review_required):
        return forbidden(request)
    try:
        base_revision = int(str(form.get("base_revision") or ""))
    except ValueError:
        base_revision = -1
    parsed = parse_form(detail.id, form, [str(v) for v in form.getall("life_events", [])])
    errors = dict(parsed.errors)
    if parsed.entry.get("agency") and not roles.can_edit_service(staff, parsed.entry["agency"]):
        errors.setdefault("agency", []).append(json.dumps(["agency_forbidden", {}]))
    issues = await asyncio.to_thread(changes.validate_entry, console.engine, parsed.entry, detail.source_file)
    placed, general = issues_by_field(issues)
    for name, messages in placed.items():
        errors.setdefault(name, []).extend(messages)
    if errors or general:
        count = sum(len(m) for m in errors.values()) + len(general)
        return await _editor(
            request, detail, parsed.values, status=422, base_revision=base_revision,
            errors=_translate_errors(request, errors), general=general,
            flash=t(request, "errors_summary", count=count), flash_kind="error",
        )
    if action == "preview":
        items = await asyncio.to_thread(preview_answers, console.engine, parsed.entry)
        return await _editor(request, detail, parsed.values, base_revision=base_revision, preview=items)
    if base_revision != detail.revision:
        return await _stale(request, detail, parsed.values, base_revision)
    if action == "submit" and roles.can_publish(staff, detail.agency_id, review_required):
        action = "publish"
    if action in ("draft", "submit"):
        status = changes.DRAFT if action == "draft" else changes.PENDING
        change_id = await asyncio.to_thread(
            changes.save_change, console.engine, staff, detail.agency_id, parsed.entry, base_revision, status
        )
        raise web.HTTPSeeOther(f"/services/{detail.id}?msg={status}&id={change_id}")
    try:
        report = await asyncio.to_thread(
            changes.publish_entry, console.engine, parsed.entry, base_revision, staff.login, detail.source_file
        )
    except StaleEditError:
        return await _stale(request, detail, parsed.values, base_revision)
    except CatalogueValidationError as error:
        placed, general = issues_by_field(error.issues)
        return await _editor(request, detail, parsed.values, status=422, base_revision=base_revision,
                             errors=_translate_errors(request, placed), general=general, flash_kind="error",
                             flash=t(request, "errors_summary", count=len(error.issues)))
    await asyncio.to_thread(_close_own_changes, console, staff, detail.id, report.revisions.get(detail.id))
    msg = "published" if report.changed else "unchanged"
    raise web.HTTPSeeOther(f"/services/{detail.id}?msg={msg}&revision={report.revisions.get(detail.id, '')}")


def _close_own_changes(console: Any, staff: roles.Staff, service_id: str, revision: int | None) -> None:
    """The publisher's own open change to the service is done once the service is published."""
    from sqlalchemy import select

    from console.models import ServiceChange
    from core.db import session_scope

    with session_scope(console.engine) as session:
        for change in session.scalars(
            select(ServiceChange).where(
                ServiceChange.service_id == service_id,
                ServiceChange.author == staff.login,
                ServiceChange.status.in_(changes.OPEN_STATUSES),
            )
        ):
            change.status = changes.PUBLISHED
            change.reviewer = staff.login
            change.reviewed_at = utc_now()
            change.published_revision = revision


async def _stale(request: web.Request, detail: Any, values: Dict[str, str], base_revision: int) -> web.Response:
    """Someone else saved first: keep the input, say so, and show what they changed."""
    console = console_of(request)
    before = await asyncio.to_thread(changes.version_entry, console.engine, detail.id, base_revision)
    theirs = changes.diff(before, detail.entry) if before is not None else []
    return await _editor(
        request, detail, values, status=409, base_revision=detail.revision, stale=theirs,
        flash=t(request, "stale_edit", current=detail.revision), flash_kind="error",
    )


@require_login
async def service_history(request: web.Request) -> web.StreamResponse:
    """Every published revision with its diff, who and when; revert buttons for editors."""
    staff = staff_of(request)
    assert staff is not None
    console = console_of(request)
    detail = await asyncio.to_thread(get_service, console.engine, request.match_info["service_id"])
    if detail is None:
        return not_found(request)
    if not roles.can_view_services(staff) or (
        staff.role is roles.Role.EDITOR and not roles.can_edit_service(staff, detail.agency_id)
    ):
        return forbidden(request)
    versions = await asyncio.to_thread(changes.history, console.engine, detail.id)
    return render(request, "service_history.html", service=detail, versions=versions,
                  can_edit=roles.can_edit_service(staff, detail.agency_id),
                  can_publish=roles.can_publish(staff, detail.agency_id, console.settings.console_review_required),
                  flash=_flash(request))


@require_login
async def service_revert(request: web.Request) -> web.StreamResponse:
    """Bring back an earlier revision as a new change: published at once, or submitted for review."""
    staff = staff_of(request)
    assert staff is not None
    console = console_of(request)
    detail = await asyncio.to_thread(get_service, console.engine, request.match_info["service_id"])
    if detail is None:
        return not_found(request)
    if not roles.can_edit_service(staff, detail.agency_id):
        return forbidden(request)
    form = form_of(request)
    try:
        target, base = int(str(form.get("revision"))), int(str(form.get("base_revision")))
    except ValueError:
        return not_found(request)
    entry = await asyncio.to_thread(changes.version_entry, console.engine, detail.id, target)
    if entry is None:
        return not_found(request)
    if base != detail.revision:
        return await _stale(request, detail, entry_to_values(entry), base)
    if not roles.can_publish(staff, detail.agency_id, console.settings.console_review_required):
        change_id = await asyncio.to_thread(
            changes.save_change, console.engine, staff, detail.agency_id, entry, base, changes.PENDING
        )
        raise web.HTTPSeeOther(f"/services/{detail.id}?msg=pending&id={change_id}")
    try:
        report = await asyncio.to_thread(
            changes.publish_entry, console.engine, entry, base, staff.login, detail.source_file
        )
    except StaleEditError:
        return await _stale(request, detail, entry_to_values(entry), base)
    except CatalogueValidationError as error:
        placed, general = issues_by_field(error.issues)
        return await _editor(request, detail, entry_to_values(entry), status=422, base_revision=base,
                             errors=_translate_errors(request, placed), general=general, flash_kind="error",
                             flash=t(request, "errors_summary", count=len(error.issues)))
    revision = report.revisions.get(detail.id, "")
    raise web.HTTPSeeOther(f"/services/{detail.id}/history?msg=reverted&target={target}&revision={revision}")


# ---------------------------------------------------------------- review queue


@require_login
async def change_list(request: web.Request) -> web.StreamResponse:
    """Changes awaiting review."""
    staff = staff_of(request)
    if staff is None or not roles.can_review(staff):
        return forbidden(request)
    pending = await asyncio.to_thread(changes.open_changes, console_of(request).engine, None, changes.PENDING)
    return render(request, "changes.html", changes=pending, flash=_flash(request))


@require_login
async def change_page(request: web.Request) -> web.StreamResponse:
    """One change: its diff against the published service and a preview of its answers."""
    staff = staff_of(request)
    assert staff is not None
    console = console_of(request)
    change = await asyncio.to_thread(changes.get_change, console.engine, int(request.match_info["change_id"]))
    if change is None:
        return not_found(request)
    if not roles.can_review(staff) and change.author != staff.login:
        return forbidden(request)
    detail = await asyncio.to_thread(get_service, console.engine, change.service_id)
    if detail is None:
        return not_found(request)
    return await _change_view(
        request, change, detail, stale=change.base_revision != detail.revision, can_review=roles.can_review(staff)
    )


async def _change_view(
    request: web.Request, change: Any, detail: Any, *, stale: bool, can_review: bool, status: int = 200,
    flash: str | None = None,
) -> web.StreamResponse:
    """The page of one change: its diff against the published service and its answers."""
    items = await asyncio.to_thread(preview_answers, console_of(request).engine, change.entry)
    return render(
        request, "change.html", status=status, change=change, service=detail,
        diff=changes.diff(detail.entry, change.entry), preview=items, stale=stale, can_review=can_review,
        flash=flash, flash_kind="error" if flash else None,
    )


@require_login
async def change_decide(request: web.Request) -> web.StreamResponse:
    """Approve (publish) or reject a change."""
    staff = staff_of(request)
    assert staff is not None
    if not roles.can_review(staff):
        return forbidden(request)
    console = console_of(request)
    change_id = int(request.match_info["change_id"])
    change = await asyncio.to_thread(changes.get_change, console.engine, change_id)
    if change is None or change.status not in changes.OPEN_STATUSES:
        return not_found(request)
    detail = await asyncio.to_thread(get_service, console.engine, change.service_id)
    if detail is None:
        return not_found(request)
    decision = request.match_info["decision"]
    if decision == "reject":
        note = str(form_of(request).get("note") or "")
        await asyncio.to_thread(changes.reject_change, console.engine, change_id, staff, note)
        raise web.HTTPSeeOther(f"/changes?msg=rejected&id={change_id}")
    try:
        report = await asyncio.to_thread(changes.publish_change, console.engine, change_id, staff, detail.source_file)
    except (StaleEditError, CatalogueValidationError):
        return await _change_view(
            request, change, detail, stale=True, can_review=True, status=409,
            flash=t(request, "change_stale", base=change.base_revision, current=detail.revision),
        )
    raise web.HTTPSeeOther(f"/services/{detail.id}?msg=published&revision={report.revisions.get(detail.id, '')}")


# ---------------------------------------------------------------- YAML import / export


@require_login
async def catalogue_page(request: web.Request) -> web.StreamResponse:
    """Download the catalogue as YAML; import a YAML file (validated first, all or nothing)."""
    staff = staff_of(request)
    if staff is None or not roles.can_export(staff):
        return forbidden(request)
    return render(request, "catalogue.html", can_import=roles.can_import(staff), issues=[], flash=None)


@require_login
async def catalogue_export(request: web.Request) -> web.StreamResponse:
    """The whole catalogue as one YAML document (agencies, life events, services)."""
    staff = staff_of(request)
    if staff is None or not roles.can_export(staff):
        return forbidden(request)
    files = await asyncio.to_thread(catalogue_as_documents, console_of(request).engine)
    merged: Dict[str, List[Any]] = {"agencies": [], "life_events": [], "services": []}
    for _label, sections in sorted(files.items()):
        for section, items in sections.items():
            merged[section].extend(items)
    text = "# Exported from the staff console.\n" + dump_yaml(merged)
    return web.Response(
        text=text, content_type="application/yaml", charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="catalogue.yml"'},
    )


@require_login
async def catalogue_import(request: web.Request) -> web.StreamResponse:
    """Validate an uploaded YAML file like ``python -m knowledge import`` and import it, or list its problems."""
    staff = staff_of(request)
    if staff is None or not roles.can_import(staff):
        return forbidden(request)
    upload = form_of(request).get("file")
    if upload is None or not hasattr(upload, "file"):
        return render(request, "catalogue.html", status=422, can_import=True, issues=[],
                      flash=t(request, "import_no_file"), flash_kind="error")
    raw = upload.file.read(5_000_001)
    label = "services/imported.yml"
    issues: List[str] = []
    try:
        if len(raw) > 5_000_000:
            raise web.HTTPRequestEntityTooLarge(max_size=5_000_000, actual_size=len(raw))
        data = yaml.safe_load(io.BytesIO(raw).read().decode("utf-8"))
        document, problems = parse_document(data, label)
        issues = [str(p) for p in problems]
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        issues, document = [f"{label}: {t(request, 'bad_yaml', error=str(getattr(error, 'problem', error)))}"], None
    if not issues and document is not None:
        try:
            report = await asyncio.to_thread(
                import_documents, console_of(request).engine, [document], staff.login, source="console",
                keep_positions=True,
            )
        except CatalogueValidationError as error:
            issues = [str(issue) for issue in error.issues]
        else:
            flash = t(request, "import_done", created=len(report.created), updated=len(report.updated),
                      unchanged=len(report.unchanged))
            return render(request, "catalogue.html", can_import=True, issues=[], flash=flash)
    return render(request, "catalogue.html", status=422, can_import=True, issues=issues,
                  flash=t(request, "import_failed", count=len(issues)), flash_kind="error")
