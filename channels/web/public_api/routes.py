"""The handlers of ``/api/v1/`` and their registration on the gateway.

Every answer carries an ETag and Last-Modified from the catalogue version, and
a conditional GET (``If-None-Match`` / ``If-Modified-Since``) of an unchanged
answer gets 304 without a body. Any site may read it (``Access-Control-Allow-
Origin: *``); requests are rate limited per client like the chat's. Database
reads run in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Callable, Dict, List, Tuple

from aiohttp import web

from channels.web.client_address import client_address
from channels.web.errors import dumps, json_error
from channels.web.keys import LIMITERS, OPTIONS, SETTINGS
from channels.web.public_api.csv_format import catalogue_csv
from channels.web.public_api.figures import FIGURES_CACHE, FiguresCache, etag_of, figures_document, rows_csv
from channels.web.public_api.openapi import openapi_document
from channels.web.public_api.render import (
    API_PREFIX,
    agency_view,
    government_service,
    life_event_view,
    service_detail,
    service_summary,
)
from channels.web.public_api.snapshot import Snapshot, SnapshotCache
from knowledge import entries

SNAPSHOTS = web.AppKey("public_api_snapshots", SnapshotCache)

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
CACHE_CONTROL = "public, max-age=60, must-revalidate"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After",
}


class InvalidParameter(Exception):
    """A query parameter the API cannot use; carries its name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _language(request: web.Request) -> str:
    value = request.query.get("lang", "ko")
    if value not in ("ko", "en"):
        raise InvalidParameter("lang")
    return value


def _positive(request: web.Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        raise InvalidParameter(name)
    return int(raw)


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


async def _snapshot(request: web.Request) -> Snapshot:
    return await asyncio.to_thread(request.app[SNAPSHOTS].current)


async def _rate_limited(request: web.Request) -> web.Response | None:
    """The 429 answer when the client used up its allowance, else ``None``."""
    client = client_address(request, request.app[OPTIONS].trusted_proxies)
    decision = await request.app[LIMITERS].public_api.take(client)
    if decision.allowed:
        return None
    headers = {"Retry-After": str(decision.retry_after), **CORS_HEADERS}
    return json_error(429, "rate_limited", headers=headers, retry_after=decision.retry_after)


def _etag(snapshot: Snapshot, request: web.Request) -> str:
    digest = hashlib.sha256(f"{snapshot.version}|{snapshot.updated_at.isoformat()}|{request.path_qs}".encode())
    return f'"{digest.hexdigest()[:24]}"'


def _not_modified(request: web.Request, etag: str, modified: datetime) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip() for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return modified.replace(microsecond=0) <= since
    return False


def _cache_headers(snapshot: Snapshot, request: web.Request) -> Dict[str, str]:
    return {
        "ETag": _etag(snapshot, request),
        "Last-Modified": format_datetime(snapshot.updated_at.replace(microsecond=0), usegmt=True),
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept-Encoding",
        **CORS_HEADERS,
    }


async def _prepare(request: web.Request) -> Tuple[Snapshot, Dict[str, str]] | web.Response:
    """Rate limit and read the snapshot: the snapshot and its cache headers, or the answer
    already due (429, or 304 when the client has this version)."""
    limited = await _rate_limited(request)
    if limited is not None:
        return limited
    snapshot = await _snapshot(request)
    headers = _cache_headers(snapshot, request)
    if _not_modified(request, headers["ETag"], snapshot.updated_at):
        return web.Response(status=304, headers=headers)
    return snapshot, headers


async def _answer(request: web.Request, render: Callable[[Snapshot, Dict[str, str]], web.Response]) -> web.Response:
    """Answer with ``render`` (cheap, in memory) unless :func:`_prepare` already answered."""
    prepared = await _prepare(request)
    if isinstance(prepared, web.Response):
        return prepared
    try:
        return render(*prepared)
    except InvalidParameter as invalid:
        return json_error(400, "invalid_request", headers=CORS_HEADERS, parameter=invalid.name)


def _json(body: Any, headers: Dict[str, str], content_type: str = "application/json") -> web.Response:
    return web.Response(text=dumps(body), content_type=content_type, charset="utf-8", headers=headers)


def _filtered(snapshot: Snapshot, request: web.Request) -> List[Any]:
    views = snapshot.services
    agency = request.query.get("agency")
    if agency:
        views = [view for view in views if view.entry["agency"] == agency]
    category = request.query.get("category")
    if category:
        views = [view for view in views if view.category == category]
    life_event = request.query.get("life_event")
    if life_event:
        events = [event for event in snapshot.life_events if event["id"] == life_event]
        linked = {service_id for event in events for service_id in event["services"]}
        views = [view for view in views if view.entry["id"] in linked or life_event in view.entry["life_events"]]
    text = request.query.get("q", "").strip()
    if text:
        if len(text) > 200:
            raise InvalidParameter("q")
        words = [entries.normalize_alias(word) for word in text.split()]
        words = [word for word in words if word]
        views = [view for view in views if all(word in view.search_text for word in words)]
    return views


async def list_services(request: web.Request) -> web.Response:
    """``GET /api/v1/services``: a page of published services, filtered."""

    def render(snapshot: Snapshot, headers: Dict[str, str]) -> web.Response:
        language = _language(request)
        page = _positive(request, "page", 1)
        per_page = _positive(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
        views = _filtered(snapshot, request)
        start = (page - 1) * per_page
        items = [service_summary(view, snapshot, language) for view in views[start : start + per_page]]

        def link(number: int) -> str:
            return str(request.rel_url.update_query(page=str(number), per_page=str(per_page)))

        body = {
            "page": page,
            "per_page": per_page,
            "total": len(views),
            "language": language,
            "items": items,
            "links": {
                "self": link(page),
                "next": link(page + 1) if start + per_page < len(views) else None,
                "prev": link(page - 1) if page > 1 else None,
            },
        }
        return _json(body, headers)

    return await _answer(request, render)


async def get_service(request: web.Request) -> web.Response:
    """``GET /api/v1/services/{id}``: one published service with its JSON-LD."""
    service_id = request.match_info["service_id"]
    as_jsonld = service_id.endswith(".jsonld")
    if as_jsonld:
        service_id = service_id[: -len(".jsonld")]

    def render(snapshot: Snapshot, headers: Dict[str, str]) -> web.Response:
        language = _language(request)
        view = snapshot.by_id.get(service_id)
        if view is None:
            return json_error(404, "not_found", headers=CORS_HEADERS)
        if as_jsonld:
            jsonld = government_service(view, snapshot, language, _base_url(request))
            return _json(jsonld, headers, "application/ld+json")
        return _json(service_detail(view, snapshot, language, _base_url(request)), headers)

    return await _answer(request, render)


async def list_agencies(request: web.Request) -> web.Response:
    """``GET /api/v1/agencies``: every agency with how many published services it runs."""

    def render(snapshot: Snapshot, headers: Dict[str, str]) -> web.Response:
        language = _language(request)
        counts: Dict[str, int] = {}
        for view in snapshot.services:
            counts[view.entry["agency"]] = counts.get(view.entry["agency"], 0) + 1
        items = [
            {**agency_view(agency, language), "services": counts.get(agency_id, 0)}
            for agency_id, agency in snapshot.agencies.items()
        ]
        return _json({"language": language, "total": len(items), "items": items}, headers)

    return await _answer(request, render)


async def list_life_events(request: web.Request) -> web.Response:
    """``GET /api/v1/life-events``: the life events and their services in order."""

    def render(snapshot: Snapshot, headers: Dict[str, str]) -> web.Response:
        language = _language(request)
        items = [life_event_view(event, language) for event in snapshot.life_events]
        return _json({"language": language, "total": len(items), "items": items}, headers)

    return await _answer(request, render)


async def list_categories(request: web.Request) -> web.Response:
    """``GET /api/v1/categories``: the categories the ``category`` filter takes, with their service counts."""

    def render(snapshot: Snapshot, headers: Dict[str, str]) -> web.Response:
        language = _language(request)
        counts: Dict[str, int] = {}
        for view in snapshot.services:
            counts[view.category] = counts.get(view.category, 0) + 1
        items = [
            {"id": slug, "name": names[0] if language == "ko" else names[1], "services": counts.get(slug, 0)}
            for slug, names in sorted(snapshot.categories.items())
        ]
        return _json({"language": language, "total": len(items), "items": items}, headers)

    return await _answer(request, render)


def _csv_body(snapshot: Snapshot) -> bytes:
    """The snapshot's CSV, made once per snapshot (blocking: seconds at 10,000 services)."""
    if snapshot.csv is None:
        # A byte-order mark so spreadsheet programs read the Korean as UTF-8.
        snapshot.csv = ("\ufeff" + catalogue_csv(view.entry for view in snapshot.services)).encode("utf-8")
    return snapshot.csv


async def catalogue_csv_download(request: web.Request) -> web.Response:
    """``GET /api/v1/services.csv``: the whole published catalogue, both languages."""
    prepared = await _prepare(request)
    if isinstance(prepared, web.Response):
        return prepared
    snapshot, headers = prepared
    body = await asyncio.to_thread(_csv_body, snapshot)
    headers = {**headers, "Content-Disposition": 'attachment; filename="catalogue.csv"'}
    return web.Response(body=body, content_type="text/csv", charset="utf-8", headers=headers)


async def openapi(request: web.Request) -> web.Response:
    """``GET /api/v1/openapi.json``: the OpenAPI 3.1 description of this API."""
    limited = await _rate_limited(request)
    if limited is not None:
        return limited
    return _json(openapi_document(_base_url(request)), {"Cache-Control": CACHE_CONTROL, **CORS_HEADERS})


async def _figures_answer(request: web.Request, media: str) -> web.Response:
    """The open figures as JSON or CSV, with an ETag of the body (304 when the client has it)."""
    limited = await _rate_limited(request)
    if limited is not None:
        return limited
    rows = await request.app[FIGURES_CACHE].rows()
    if media == "text/csv":
        body = ("\ufeff" + rows_csv(rows)).encode("utf-8")
        extra = {"Content-Disposition": 'attachment; filename="figures.csv"'}
    else:
        body, extra = dumps(figures_document(rows)).encode("utf-8"), {}
    headers = {"ETag": etag_of(body), "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding", **CORS_HEADERS}
    tags = {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",") if tag.strip()}
    if headers["ETag"] in tags or f"W/{headers['ETag']}" in tags or "*" in tags:
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type=media, charset="utf-8", headers={**headers, **extra})


async def figures(request: web.Request) -> web.Response:
    """``GET /api/v1/figures``: monthly figures of the assistant, groups under five conversations suppressed."""
    return await _figures_answer(request, "application/json")


async def figures_csv(request: web.Request) -> web.Response:
    """``GET /api/v1/figures.csv``: the same figures as CSV."""
    return await _figures_answer(request, "text/csv")


def register(app: web.Application) -> None:
    """Add the public API's routes (``GET``/``HEAD`` under ``/api/v1/``) to the gateway ``app``."""
    app[SNAPSHOTS] = SnapshotCache(app[SETTINGS].database_url)
    app.router.add_get(f"{API_PREFIX}/openapi.json", openapi)
    app.router.add_get(f"{API_PREFIX}/services", list_services)
    app.router.add_get(f"{API_PREFIX}/services.csv", catalogue_csv_download)
    app.router.add_get(f"{API_PREFIX}/services/{{service_id}}", get_service)
    app.router.add_get(f"{API_PREFIX}/agencies", list_agencies)
    app.router.add_get(f"{API_PREFIX}/categories", list_categories)
    app.router.add_get(f"{API_PREFIX}/life-events", list_life_events)
    app[FIGURES_CACHE] = FiguresCache(app[SETTINGS].database_url)
    app.router.add_get(f"{API_PREFIX}/figures", figures)
    app.router.add_get(f"{API_PREFIX}/figures.csv", figures_csv)
