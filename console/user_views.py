"""The admin's accounts page: list, add, disable/enable, unlock and reset a password (all audited)."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

from aiohttp import web

from console import roles
from console.accounts import AccountError, add_user, list_users, reset_password, set_disabled, unlock_user
from console.catalogue import choices
from console.passwords import PasswordRuleError
from console.web import console_of, forbidden, form_of, render, require_login, staff_of, t

DONE = {"added": "user_added", "disabled": "user_disabled", "enabled": "user_enabled", "unlocked": "user_unlocked",
        "reset": "user_reset"}


async def _page(request: web.Request, *, status: int = 200, flash: str | None = None, flash_kind: str = "info",
                values: Dict[str, str] | None = None) -> web.Response:
    console = console_of(request)
    users = await asyncio.to_thread(list_users, console.engine)
    agencies, _events = await asyncio.to_thread(choices, console.engine)
    return render(request, "users.html", status=status, users=users, agencies=agencies, role_names=list(roles.Role),
                  flash=flash, flash_kind=flash_kind, values=values or {})


@require_login
async def users_page(request: web.Request) -> web.StreamResponse:
    """Every account (never a password hash) and the form to add one."""
    staff = staff_of(request)
    if staff is None or not roles.can_manage_users(staff):
        return forbidden(request)
    key = DONE.get(request.query.get("msg", ""))
    return await _page(request, flash=t(request, key, login=request.query.get("login", "")[:64]) if key else None)


@require_login
async def users_add(request: web.Request) -> web.StreamResponse:
    """Create an account; the login, role, agency and password rules are the CLI's."""
    staff = staff_of(request)
    if staff is None or not roles.can_manage_users(staff):
        return forbidden(request)
    form = form_of(request)
    values = {key: str(form.get(key) or "")[:256] for key in ("login", "role", "agency")}
    try:
        await asyncio.to_thread(
            add_user, console_of(request).engine, values["login"], values["role"], str(form.get("password") or ""),
            values["agency"] or None, actor=staff.login, source="console",
        )
    except (AccountError, PasswordRuleError, ValueError) as error:
        return await _page(request, status=422, flash=str(error), flash_kind="error", values=values)
    raise web.HTTPSeeOther(f"/users?msg=added&login={values['login'].strip().lower()}")


@require_login
async def users_act(request: web.Request) -> web.StreamResponse:
    """Disable, enable, unlock or reset one account."""
    staff = staff_of(request)
    if staff is None or not roles.can_manage_users(staff):
        return forbidden(request)
    login, action = request.match_info["login"], request.match_info["action"]
    if action == "disable" and login == staff.login:
        return forbidden(request)  # an admin cannot lock themselves out
    engine = console_of(request).engine
    calls: Dict[str, Any] = {
        "disable": lambda: set_disabled(engine, login, True, actor=staff.login, source="console"),
        "enable": lambda: set_disabled(engine, login, False, actor=staff.login, source="console"),
        "unlock": lambda: unlock_user(engine, login, actor=staff.login, source="console"),
        "reset": lambda: reset_password(engine, login, str(form_of(request).get("password") or ""),
                                        actor=staff.login, source="console"),
    }
    try:
        await asyncio.to_thread(calls[action])
    except (AccountError, PasswordRuleError) as error:
        return await _page(request, status=422, flash=str(error), flash_kind="error")
    done = {"disable": "disabled", "enable": "enabled", "unlock": "unlocked", "reset": "reset"}[action]
    raise web.HTTPSeeOther(f"/users?msg={done}&login={login}")
