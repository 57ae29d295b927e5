"""Sign-in, sign-out, the language switch and the home page."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web

from console import roles
from console.accounts import LoginOutcome, authenticate
from console.i18n import LANGUAGE_COOKIE, LANGUAGES
from console.web import client_address, console_of, form_of, render, require_login, staff_of

MAX_FIELD = 256


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target[:500]


async def login_page(request: web.Request) -> web.StreamResponse:
    """The sign-in form."""
    if staff_of(request) is not None:
        raise web.HTTPSeeOther("/")
    return render(request, "login.html", next=safe_next(request.query.get("next")), error=None, login="")


async def login(request: web.Request) -> web.StreamResponse:
    """Check the login; lock after repeated failures; start a new session on success."""
    console = console_of(request)
    form = form_of(request)
    login_name = str(form.get("login") or "")[:MAX_FIELD]
    password = str(form.get("password") or "")[:MAX_FIELD + 1]
    target = safe_next(str(form.get("next") or ""))
    if not console.login_limiter.allow(client_address(request)):
        return render(request, "login.html", status=429, next=target, error="login_throttled", login=login_name)
    settings = console.settings
    result = await asyncio.to_thread(
        authenticate,
        console.engine,
        login_name,
        password,
        max_failures=settings.console_max_failed_logins,
        lockout=timedelta(minutes=settings.console_lockout_minutes),
    )
    if result.outcome is LoginOutcome.OK and result.staff is not None:
        # A new nonce on sign-in: a session fixed before it is worth nothing after.
        request["new_session"] = console.signer.new(result.staff.id, result.epoch)
        return web.HTTPSeeOther(target)  # returned, not raised: the middleware adds the new cookie
    error = "login_locked" if result.outcome is LoginOutcome.LOCKED else "login_invalid"
    return render(request, "login.html", status=401 if error == "login_invalid" else 423, next=target,
                  error=error, login=login_name)


async def logout(request: web.Request) -> web.StreamResponse:
    """End the session (a fresh anonymous one replaces it)."""
    request["new_session"] = console_of(request).signer.new()
    return web.HTTPSeeOther("/login")


async def set_language(request: web.Request) -> web.StreamResponse:
    """Switch the console's language and go back to the page."""
    language = request.match_info["language"]
    if language not in LANGUAGES:
        raise web.HTTPNotFound()
    response = web.HTTPSeeOther(safe_next(request.query.get("next")))
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, path="/", httponly=True, samesite="Lax")
    return response


@require_login
async def home(request: web.Request) -> web.StreamResponse:
    """Where the signed-in person starts: the first area their role may use."""
    staff = staff_of(request)
    assert staff is not None
    if staff.role is roles.Role.CLERK:  # a clerk's daily work is applications
        raise web.HTTPSeeOther("/applications")
    if staff.role is roles.Role.AGENT:  # an agent's is the live-chat desk
        raise web.HTTPSeeOther("/agents")
    if roles.can_view_services(staff):
        raise web.HTTPSeeOther("/services")
    return render(request, "home.html")
