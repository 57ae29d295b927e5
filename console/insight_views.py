"""The insight pages (issue 17): the figures dashboard and the trainers' review inbox.

``/insight`` (analysts, reviewers, admins): the figures of a period with two
charts over time, each with its data table, the breakdowns, and the
unanswered questions grouped by similarity. ``/review`` (reviewers and admins,
the trainers): every failed or doubtful question, masked, to label with an
intent and service span, mark out of scope or ignore; ``/review/export.yml``
downloads the accepted examples as Rasa NLU YAML.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Dict, List, Optional
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.engine import Engine

from console import roles
from console.insight_charts import CHARTS, chart_series, render_svg
from console.web import console_of, forbidden, form_of, language_of, render, require_login, staff_of, t
from records.figures import DIMENSIONS, FiguresReport, compute_figures
from records.review import (
    ReviewError,
    collect,
    domain_intents,
    export_training,
    find_span,
    get_item,
    label,
    list_items,
    state_counts,
    unanswered_questions,
)
from records.review_groups import QuestionGroup, group_questions
from records.review_models import REVIEW_SOURCES, REVIEW_STATES

KST = timezone(timedelta(hours=9), "KST")
CHANNELS = ("web", "rest", "telegram", "kakao")
MAX_GROUPS = 30
REVIEW_PAGE_ROWS = 100


@dataclass(frozen=True)
class Filters:
    """The dashboard's choices, as typed (dates in Korea time) and as bounds (naive UTC)."""

    since_text: str
    until_text: str
    channel: Optional[str]
    language: Optional[str]
    period: str

    @property
    def since(self) -> Optional[datetime]:
        """The first moment of the first day, naive UTC."""
        return _day_start(self.since_text)

    @property
    def until(self) -> Optional[datetime]:
        """The end (exclusive) of the last day, naive UTC."""
        start = _day_start(self.until_text)
        return start + timedelta(days=1) if start else None

    def query(self) -> str:
        """The filters as a query string (for the chart images)."""
        values = {"from": self.since_text, "to": self.until_text, "channel": self.channel or "",
                  "language": self.language or "", "period": self.period}
        return urlencode({key: value for key, value in values.items() if value})


def _day_start(text: str) -> Optional[datetime]:
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    if day is None:
        return None
    return datetime.combine(day, time(0, 0), KST).astimezone(timezone.utc).replace(tzinfo=None)


def filters_of(request: web.Request) -> Filters:
    """The filters of the query string; anything unknown is ignored."""
    query = request.query
    since, until = query.get("from", "").strip()[:10], query.get("to", "").strip()[:10]
    channel = query.get("channel", "").strip()
    language = query.get("language", "").strip()
    period = query.get("period", "month")
    return Filters(
        since_text=since if _day_start(since) else "",
        until_text=until if _day_start(until) else "",
        channel=channel if channel in CHANNELS else None,
        language=language if language in ("ko", "en") else None,
        period=period if period in ("month", "day") else "month",
    )


def _groups(engine: Engine, filters: Filters) -> List[QuestionGroup]:
    chosen = unanswered_questions(engine, filters.since, filters.until)
    return group_questions([q.text for q in chosen], [q.at for q in chosen])[:MAX_GROUPS]


def _report(engine: Engine, filters: Filters) -> FiguresReport:
    return compute_figures(engine, filters.since, filters.until, filters.channel, filters.language, filters.period)


def _series_labels(request: web.Request) -> Dict[str, str]:
    return {key: t(request, f"fig_{key}") for key in
            ("conversations", "handed_off", "containment_rate", "fallback_rate", "helpful_rate")}


@require_login
async def dashboard(request: web.Request) -> web.StreamResponse:
    """The figures of the chosen period with charts, tables and the grouped unanswered questions."""
    staff = staff_of(request)
    if staff is None or not roles.can_view_figures(staff):
        return forbidden(request)
    engine = console_of(request).engine
    filters = filters_of(request)
    report, groups = await asyncio.gather(
        asyncio.to_thread(_report, engine, filters), asyncio.to_thread(_groups, engine, filters)
    )
    tables = {chart: chart_series(chart, report.by_period) for chart in CHARTS}
    return render(request, "insight.html", report=report, groups=groups, filters=filters, tables=tables,
                  charts=CHARTS, dimensions=DIMENSIONS, channels=CHANNELS, labels=_series_labels(request),
                  chart_query=filters.query())


@require_login
async def chart(request: web.Request) -> web.StreamResponse:
    """One chart of the dashboard as SVG, for the same filters."""
    staff = staff_of(request)
    if staff is None or not roles.can_view_figures(staff):
        return forbidden(request)
    name = request.match_info["chart"]
    if name not in CHARTS:
        raise web.HTTPNotFound()
    filters = filters_of(request)
    report = await asyncio.to_thread(_report, console_of(request).engine, filters)
    svg = await asyncio.to_thread(render_svg, name, report.by_period, _series_labels(request),
                                  t(request, f"chart_{name}"))
    return web.Response(body=svg, content_type="image/svg+xml")


def kst(moment: datetime) -> str:
    """A stored naive-UTC time as Korea time, as staff read it."""
    return moment.replace(tzinfo=timezone.utc).astimezone(KST).strftime("%Y-%m-%d %H:%M KST")


def _state_of(request: web.Request) -> Optional[str]:
    state = request.query.get("state", "open")
    return None if state == "all" else (state if state in REVIEW_STATES else "open")


@require_login
async def review_inbox(request: web.Request) -> web.StreamResponse:
    """The trainers' inbox: new failed questions are collected, then listed (masked)."""
    staff = staff_of(request)
    if staff is None or not roles.can_train(staff):
        return forbidden(request)
    engine = console_of(request).engine
    state = _state_of(request)
    source = request.query.get("source")
    source = source if source in REVIEW_SOURCES else None

    def load() -> Dict[str, Any]:
        collect(engine)
        return {"items": list_items(engine, state, source, REVIEW_PAGE_ROWS), "counts": state_counts(engine)}

    loaded = await asyncio.to_thread(load)
    flash, flash_kind = None, "info"
    message = request.query.get("msg")
    if message in ("accepted", "out_of_scope", "ignored", "open"):
        flash = t(request, f"review_done_{message}", number=request.query.get("id", ""))
    return render(request, "review.html", items=loaded["items"], counts=loaded["counts"], state=state or "all",
                  source=source or "", states=REVIEW_STATES, sources=REVIEW_SOURCES,
                  intents=await asyncio.to_thread(domain_intents), flash=flash, flash_kind=flash_kind,
                  language=language_of(request), kst=kst)


@require_login
async def review_label(request: web.Request) -> web.StreamResponse:
    """Record a trainer's decision on one item, then back to the inbox."""
    staff = staff_of(request)
    if staff is None or not roles.can_train(staff):
        return forbidden(request)
    engine = console_of(request).engine
    item_id = int(request.match_info["item_id"])
    form = form_of(request)
    decision = str(form.get("decision") or "")
    intent = str(form.get("intent") or "").strip() or None
    service_words = str(form.get("service") or "")[:200]
    back = str(form.get("back_state") or "open")

    def apply() -> None:
        item = get_item(engine, item_id)
        if item is None:
            raise web.HTTPNotFound()
        span = find_span(item.text, service_words) if decision == "accepted" else None
        label(engine, item_id, decision, staff.login, intent if decision == "accepted" else None, span)

    try:
        await asyncio.to_thread(apply)
    except ReviewError:
        loaded = await asyncio.to_thread(lambda: {"items": list_items(engine, "open", None, REVIEW_PAGE_ROWS),
                                                  "counts": state_counts(engine)})
        return render(request, "review.html", status=422, items=loaded["items"], counts=loaded["counts"],
                      state="open", source="", states=REVIEW_STATES, sources=REVIEW_SOURCES,
                      intents=await asyncio.to_thread(domain_intents), flash=t(request, "review_bad_label"),
                      flash_kind="error", language=language_of(request), kst=kst)
    back = back if back in REVIEW_STATES + ("all",) else "open"
    raise web.HTTPSeeOther(f"/review?{urlencode({'state': back, 'msg': decision, 'id': item_id})}")


@require_login
async def review_export(request: web.Request) -> web.StreamResponse:
    """The accepted examples as Rasa NLU YAML (identifiers never included)."""
    staff = staff_of(request)
    if staff is None or not roles.can_train(staff):
        return forbidden(request)
    language = request.query.get("language")
    result = await asyncio.to_thread(export_training, console_of(request).engine,
                                     language if language in ("ko", "en") else None)
    return web.Response(
        text=result.text, content_type="application/x-yaml", charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="reviewed_nlu.yml"'},
    )
