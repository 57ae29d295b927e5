"""Security headers, CORS for configured widget origins, and a same-origin
check on state-changing requests."""

from __future__ import annotations

from typing import Awaitable, Callable, Dict, Iterable
from urllib.parse import urlsplit

from aiohttp import web

from channels.web.errors import json_error

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
SERVER_NAME = "citizen-assistant"
CORS_ALLOWED_METHODS = "GET, POST, OPTIONS"
CORS_ALLOWED_HEADERS = "Content-Type"
CORS_MAX_AGE = "600"


def content_security_policy(frame_origins: Iterable[str]) -> str:
    """The page's CSP: only same-origin scripts, styles and requests, no
    plugins, no ``<base>``, and framing only by this site and ``frame_origins``."""
    ancestors = " ".join(["'self'", *frame_origins])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        ]
    )


def security_headers(allowed_origins: Iterable[str]) -> Dict[str, str]:
    """Headers every response carries. ``X-Frame-Options`` can only name one
    origin, so it is sent (``SAMEORIGIN``) only when no widget origin is
    configured; browsers that know CSP follow ``frame-ancestors`` anyway."""
    origins = tuple(allowed_origins)
    headers = {
        "Content-Security-Policy": content_security_policy(origins),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if not origins:
        headers["X-Frame-Options"] = "SAMEORIGIN"
    return headers


#: The public, read-only open-data API (channels/web/public_api): open to every origin.
PUBLIC_API_PREFIX = "/api/v1/"


def add_security_headers(
    allowed_origins: Iterable[str],
) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """An ``on_response_prepare`` hook adding :func:`security_headers` to every
    response, error pages and static files included."""
    headers = security_headers(allowed_origins)

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        # Instead of aiohttp's default, which names the Python and aiohttp versions.
        response.headers["Server"] = SERVER_NAME
        if request.path.startswith(PUBLIC_API_PREFIX):
            response.headers.setdefault("Cache-Control", "no-store")  # the open-data API sets its own caching
        elif request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"

    return on_prepare


def _host_of(origin: str) -> str | None:
    parts = urlsplit(origin)
    return parts.netloc.lower() if parts.scheme in ("http", "https") and parts.netloc else None


def is_same_origin(request: web.Request, origin: str) -> bool:
    """True when ``origin`` names this server's own host (scheme ignored: a
    TLS-terminating proxy makes the gateway see plain http)."""
    host = _host_of(origin)
    return host is not None and host == (request.host or "").lower()


def cors_middleware(
    allowed_origins: Iterable[str],
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """CORS for ``/api/`` limited to ``allowed_origins``, and a same-origin check:
    a state-changing request whose ``Origin`` is neither this site nor an
    allowed origin is refused with 403 (defence against cross-site requests)."""
    allowed = frozenset(allowed_origins)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if not request.path.startswith("/api/") or origin is None:
            return await handler(request)
        if request.path.startswith(PUBLIC_API_PREFIX) and request.method in ("GET", "HEAD", "OPTIONS"):
            # Open data: any site may read it (no cookies involved); its handlers set Allow-Origin: *.
            if request.method == "OPTIONS":
                return web.Response(status=204, headers={
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
                    "Access-Control-Max-Age": CORS_MAX_AGE,
                })
            return await handler(request)
        cross_allowed = origin in allowed
        if not cross_allowed and not is_same_origin(request, origin):
            if request.method not in ("GET", "HEAD"):
                return json_error(403, "forbidden_origin")
            return await handler(request)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response: web.StreamResponse = web.Response(status=204)
        else:
            response = await handler(request)
        if cross_allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Access-Control-Allow-Methods"] = CORS_ALLOWED_METHODS
            response.headers["Access-Control-Allow-Headers"] = CORS_ALLOWED_HEADERS
            response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
            response.headers.add("Vary", "Origin")
        return response

    return middleware
