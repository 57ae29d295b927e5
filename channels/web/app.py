"""The gateway's application factory."""

from __future__ import annotations

import logging
from typing import AsyncIterator

import aiohttp
from aiohttp import web

from channels.web import handlers, live
from channels.web.errors import ERROR_MESSAGES, json_error
from channels.web.keys import LIMITERS, OPTIONS, RASA_CLIENT, SETTINGS, Limiters
from channels.web.options import GatewayOptions
from channels.web.public_api import register as register_public_api
from channels.web.rasa_client import RasaClient
from channels.web.ratelimit import BucketStore, Limit, MemoryBuckets, RateLimiter, RedisBuckets, redis_buckets
from channels.web.security import Handler, add_security_headers, cors_middleware
from core.db import get_engine
from core.settings import Settings

logger = logging.getLogger(__name__)

_ERROR_CODES = {
    400: "invalid_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}


def _error_response(request: web.Request, status: int, code: str) -> web.Response:
    if request.path.startswith("/api/"):
        return json_error(status, code)
    texts = ERROR_MESSAGES[code]
    return web.Response(status=status, text=f"{texts['ko']}\n{texts['en']}\n")


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn HTTP errors into bilingual answers (JSON under ``/api/``) and any
    unexpected exception into a 500 without a stack trace for the client."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        code = _ERROR_CODES.get(error.status)
        if code is None:
            raise
        return _error_response(request, error.status, code)
    except Exception:
        logger.exception("unexpected error serving %s %s", request.method, request.path)
        return _error_response(request, 500, "internal_error")


async def _rasa_client(app: web.Application) -> AsyncIterator[None]:
    """One HTTP session for the app's lifetime, closed on shutdown."""
    settings, options = app[SETTINGS], app[OPTIONS]
    async with aiohttp.ClientSession(raise_for_status=False) as session:
        app[RASA_CLIENT] = RasaClient(
            session,
            settings.rasa_url,
            token=settings.rasa_token,
            timeout=options.rasa_timeout_seconds,
            connect_timeout=options.rasa_connect_timeout_seconds,
        )
        app[handlers.READINESS] = handlers.ReadinessProbe(session, settings.rasa_url)
        yield


def _limiters(options: GatewayOptions, redis_url: str | None) -> Limiters:
    """The gateway's limits; their buckets in Redis when ``redis_url`` is set, so
    that every gateway replica counts the same requests."""
    store: BucketStore = redis_buckets(redis_url) if redis_url else MemoryBuckets()
    return Limiters(
        messages=RateLimiter("messages", Limit(options.messages_per_minute), store),
        messages_per_ip=RateLimiter("messages_per_ip", Limit(options.messages_per_minute_per_ip), store),
        history=RateLimiter("history", Limit(options.history_per_minute), store),
        public_api=RateLimiter("public_api", Limit(options.public_api_per_minute), store),
        store=store,
    )


async def _close_limiters(app: web.Application) -> AsyncIterator[None]:
    """Close the shared bucket store's connections on shutdown."""
    yield
    store = app[LIMITERS].store
    if isinstance(store, RedisBuckets):
        await store.close()


def create_app(settings: Settings, options: GatewayOptions | None = None) -> web.Application:
    """Build the gateway for ``settings``: the chat page, its assets, the widget
    loader and the JSON API relaying to Rasa at ``settings.rasa_url``.

    Nothing connects until the app starts: the HTTP session to Rasa is opened on
    startup and closed on cleanup.
    """
    options = options or GatewayOptions.from_settings(settings)
    app = web.Application(
        client_max_size=options.max_body_bytes,
        middlewares=[cors_middleware(options.allowed_origins), error_middleware],
    )
    app[SETTINGS] = settings
    app[OPTIONS] = options
    app[LIMITERS] = _limiters(options, getattr(settings, "redis_url", None))
    app.cleanup_ctx.append(_rasa_client)
    app.cleanup_ctx.append(_close_limiters)
    # aiohttp 3.9 types Signal.append as taking the signal's own type; the hook is right.
    app.on_response_prepare.append(add_security_headers(options.allowed_origins))  # type: ignore[arg-type]
    app.router.add_get("/", handlers.index)
    app.router.add_get("/widget.js", handlers.widget_loader)
    app.router.add_get("/healthz", handlers.health)
    app.router.add_get("/readyz", handlers.ready)
    app.router.add_get("/api/history", handlers.history)
    app.router.add_post("/api/messages", handlers.post_message)
    app.router.add_post("/api/conversation/reset", handlers.reset_conversation)
    live.setup(app, lambda: get_engine(settings.database_url))
    register_public_api(app)
    app.router.add_static("/static/", options.static_dir, follow_symlinks=False)
    return app
