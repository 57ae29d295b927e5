"""The browser's conversation id, kept in an HttpOnly cookie.

Why a cookie and not local storage: the page's script never needs the id, so
an HttpOnly cookie keeps it out of reach of any script (an injected one
included); SameSite=Lax stops other sites from sending it along with their
requests; and it is a session cookie, so closing the browser on a shared
computer (a library, a community centre) ends the conversation. The id is
random (128 bits) and checked on every request: a malformed cookie is replaced,
never relayed.

The widget runs the page in an iframe, often on another site (a ministry's
``*.go.kr`` page is a different site from the portal). Browsers do not send a
SameSite=Lax cookie there, so over HTTPS a second, *partitioned* cookie
(``SameSite=None; Secure; Partitioned``, "CHIPS") carries the same id: it is
kept per embedding site, so a conversation in one ministry's widget is not
visible from another's. Over plain HTTP (development) only the Lax cookie is set.
"""

from __future__ import annotations

import re
import secrets
from typing import Tuple

from aiohttp import web

SENDER_PREFIX = "web-"
EMBED_COOKIE_SUFFIX = "_embed"
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")


def new_conversation_id() -> str:
    """A fresh random conversation id (22 URL-safe characters, 128 bits)."""
    return secrets.token_urlsafe(16)


def read_conversation_id(request: web.Request, cookie_name: str) -> str | None:
    """The well-formed conversation id from the request's cookies (the
    first-party cookie first, then the partitioned one), else ``None``."""
    for name in (cookie_name, cookie_name + EMBED_COOKIE_SUFFIX):
        value = request.cookies.get(name, "")
        if _ID_PATTERN.fullmatch(value):
            return value
    return None


def conversation_for(request: web.Request, cookie_name: str) -> Tuple[str, bool]:
    """The request's conversation id and whether it is new (needs a cookie)."""
    existing = read_conversation_id(request, cookie_name)
    if existing:
        return existing, False
    return new_conversation_id(), True


def sender_id(conversation_id: str) -> str:
    """Rasa's sender id for a web conversation (prefixed so staff can tell channels apart)."""
    return f"{SENDER_PREFIX}{conversation_id}"


def is_https(request: web.Request, forced: bool | None = None) -> bool:
    """Whether the browser reached us over HTTPS: ``forced`` when given, else
    the connection itself or a TLS-terminating proxy's ``X-Forwarded-Proto``."""
    if forced is not None:
        return forced
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def set_conversation_cookie(
    response: web.StreamResponse, cookie_name: str, conversation_id: str, *, secure: bool
) -> None:
    """Store ``conversation_id`` in an HttpOnly, SameSite=Lax session cookie and,
    when ``secure``, also in the partitioned cookie that embedded widgets use."""
    response.set_cookie(cookie_name, conversation_id, path="/", httponly=True, samesite="Lax", secure=secure)
    if secure:
        # http.cookies (Python 3.10) cannot write the Partitioned attribute.
        response.headers.add(
            "Set-Cookie",
            f"{cookie_name}{EMBED_COOKIE_SUFFIX}={conversation_id}; Path=/; HttpOnly; Secure; "
            "SameSite=None; Partitioned",
        )
