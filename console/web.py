"""The console's web plumbing: typed app keys, templates, sessions, CSRF, errors and rights.

Every request passes :func:`session_middleware`: it reads the signed session
cookie, loads the signed-in account (ending the session if the account was
disabled or reset), refuses any POST without its CSRF token or from another
origin, and sends the cookie back when the session changed.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Deque, Dict
from urllib.parse import urlsplit

import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from channels.web.security import security_headers
from console.accounts import load_staff
from console.i18n import LANGUAGE_COOKIE, normalise_language, translate
from console.roles import Staff
from console.sessions import COOKIE_NAME, SessionData, SessionSigner
from core.settings import Settings

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
SERVER_NAME = "citizen-assistant-console"


class LoginLimiter:
    """At most ``per_minute`` login attempts per client address (in this process)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = max(1, per_minute)
        self._seen: Dict[str, Deque[float]] = collections.defaultdict(collections.deque)

    def allow(self, client: str, now: float | None = None) -> bool:
        """Count an attempt from ``client``; False when it is over the limit."""
        now = time.monotonic() if now is None else now
        seen = self._seen[client]
        while seen and seen[0] <= now - 60:
            seen.popleft()
        if len(seen) >= self.per_minute:
            return False
        seen.append(now)
        if len(self._seen) > 10_000:  # forget idle clients so memory stays bounded
            for key in [k for k, v in self._seen.items() if not v or v[-1] <= now - 60]:
                del self._seen[key]
        return True


@dataclass
class Console:
    """What the handlers share: settings, database, signer, templates, limiter."""

    settings: Settings
    engine: Engine
    signer: SessionSigner
    templates: jinja2.Environment
    login_limiter: LoginLimiter
    extra: Dict[str, Any] = field(default_factory=dict)


CONSOLE = web.AppKey("console", Console)


def make_templates() -> jinja2.Environment:
    """The Jinja environment: HTML autoescaped, undefined names fail."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def console_of(request: web.Request) -> Console:
    """The shared objects of the app serving ``request``."""
    return request.app[CONSOLE]


def staff_of(request: web.Request) -> Staff | None:
    """The signed-in account, or None."""
    return request.get("staff")


def language_of(request: web.Request) -> str:
    """``ko`` or ``en``: the language cookie, Korean by default."""
    return normalise_language(request.cookies.get(LANGUAGE_COOKIE))


def t(request: web.Request, key: str, **values: object) -> str:
    """``key`` translated into the request's language."""
    return translate(language_of(request), key, **values)


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    """The page ``template`` with the common context (staff, language, CSRF token, nav)."""
    from console import roles

    console = console_of(request)
    language = language_of(request)
    session: SessionData | None = request.get("session")
    staff = staff_of(request)
    base = {
        "lang": language,
        "t": lambda key, **values: translate(language, key, **values),
        "staff": staff,
        "csrf_token": console.signer.csrf_token(session) if session else "",
        "path": request.path_qs,
        "roles": roles,
        "flash": context.pop("flash", None),
        "flash_kind": context.pop("flash_kind", "info"),
    }
    html = console.templates.get_template(template).render(**base, **context)
    return web.Response(status=status, text=html, content_type="text/html", charset="utf-8")


def error_page(request: web.Request, status: int, key: str, title_key: str = "error_title") -> web.Response:
    """A bilingual-aware error page; never a stack trace."""
    try:
        return render(request, "error.html", status=status, title_key=title_key, message_key=key)
    except Exception:  # the error page itself must not fail
        logger.exception("error page failed")
        return web.Response(status=status, text=f"{translate('ko', key)}\n{translate('en', key)}\n")


def forbidden(request: web.Request) -> web.Response:
    """403: outside the account's rights; nothing was changed."""
    return error_page(request, 403, "forbidden", "forbidden_title")


def not_found(request: web.Request) -> web.Response:
    """404 with a readable page."""
    return error_page(request, 404, "not_found", "not_found_title")


def require_login(handler: Handler) -> Handler:
    """Send visitors who are not signed in to the login page."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        if staff_of(request) is None:
            if request.method == "GET":
                raise web.HTTPSeeOther(f"/login?next={request.path_qs}")
            return forbidden(request)
        return await handler(request)

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


def _same_origin(request: web.Request) -> bool:
    """A POST must come from this site's own pages (Origin, else Referer, when the browser sends one)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin or origin == "null":
        return origin is None
    parts = urlsplit(origin)
    return parts.netloc.lower() == (request.host or "").lower()


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Readable pages for HTTP errors, and no stack trace for unexpected ones."""
    try:
        return await handler(request)
    except web.HTTPRedirection:
        raise
    except web.HTTPException as error:
        if error.status == 404:
            return not_found(request)
        if error.status == 413:
            return error_page(request, 413, "too_large")
        if error.status == 403:
            return forbidden(request)
        raise
    except Exception:
        logger.exception("unexpected error serving %s %s", request.method, request.path)
        return error_page(request, 500, "server_error")


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Load the session and account, check CSRF on every POST, and write the cookie back."""
    console = console_of(request)
    session = console.signer.loads(request.cookies.get(COOKIE_NAME))
    fresh = session is None
    if session is None:
        session = console.signer.new()
    staff = None
    if session.user_id is not None:
        staff = await asyncio.to_thread(load_staff, console.engine, session.user_id, session.epoch)
        if staff is None:  # disabled, reset or deleted: the session ends
            session, fresh = console.signer.new(), True
    request["session"] = session
    request["staff"] = staff
    if request.method == "POST":
        token = None
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            token = form.get("csrf_token")
            request["form"] = form
        if fresh or not _same_origin(request) or not console.signer.check_csrf(session, str(token or "")):
            response: web.StreamResponse = error_page(request, 403, "csrf", "forbidden_title")
            _set_cookie(request, response, session)
            return response
    response = await handler(request)
    new_session = request.get("new_session")
    if new_session is not None:
        _set_cookie(request, response, new_session)
    elif fresh:
        _set_cookie(request, response, session)
    return response


def _set_cookie(request: web.Request, response: web.StreamResponse, session: SessionData) -> None:
    console = console_of(request)
    response.set_cookie(
        COOKIE_NAME,
        console.signer.dumps(session),
        max_age=console.signer.lifetime,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=request.secure,
    )


def add_headers() -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """Security headers as on the chat page, and no caching of staff pages."""
    headers = security_headers(())

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Server"] = SERVER_NAME
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"

    return on_prepare


def form_of(request: web.Request) -> Any:
    """The POSTed form the middleware already read (a MultiDict)."""
    return request.get("form") or {}


def client_address(request: web.Request) -> str:
    """The client's address (the console listens on loopback; no proxy header is trusted)."""
    return request.remote or "unknown"
