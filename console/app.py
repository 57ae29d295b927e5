"""The console's application factory and its routes."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.engine import Engine

from console import agent_views, auth_views, insight_views, notice_views, record_views, service_views, user_views
from console.callback_views import setup as setup_callbacks
from console.sessions import SessionSigner, load_secret
from console.web import (
    CONSOLE,
    STATIC_DIR,
    Console,
    LoginLimiter,
    add_headers,
    error_middleware,
    make_templates,
    session_middleware,
)
from core.db import create_schema, get_engine
from core.settings import Settings

MAX_BODY_BYTES = 6 * 1024 * 1024  # a YAML import of the whole catalogue fits


def create_app(settings: Settings, engine: Engine | None = None) -> web.Application:
    """Build the console for ``settings`` on ``engine`` (default: ``DATABASE_URL``).

    The schema is migrated here (once per process), before serving; no
    connection is made at import time.
    """
    engine = create_schema(engine or get_engine(settings.database_url))
    secret = load_secret(settings.console_secret, settings.var_dir)
    signer = SessionSigner(secret, settings.console_session_minutes * 60)
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[error_middleware, session_middleware])
    app[CONSOLE] = Console(settings, engine, signer, make_templates(), LoginLimiter(settings.console_logins_per_minute))
    app.on_response_prepare.append(add_headers())  # type: ignore[arg-type]
    routes = app.router
    routes.add_get("/", auth_views.home)
    routes.add_get("/healthz", health)
    routes.add_get("/login", auth_views.login_page)
    routes.add_post("/login", auth_views.login)
    routes.add_post("/logout", auth_views.logout)
    routes.add_get("/lang/{language}", auth_views.set_language)
    routes.add_get("/services", service_views.service_list)
    routes.add_get("/services/{service_id}", service_views.service_page)
    routes.add_post("/services/{service_id}", service_views.service_save)
    routes.add_get("/services/{service_id}/history", service_views.service_history)
    routes.add_post("/services/{service_id}/revert", service_views.service_revert)
    routes.add_get("/changes", service_views.change_list)
    routes.add_get(r"/changes/{change_id:\d+}", service_views.change_page)
    routes.add_post(r"/changes/{change_id:\d+}/{decision:publish|reject}", service_views.change_decide)
    routes.add_get("/catalogue", service_views.catalogue_page)
    routes.add_get("/catalogue/export.yml", service_views.catalogue_export)
    routes.add_post("/catalogue/import", service_views.catalogue_import)
    routes.add_get("/applications", record_views.applications_page)
    routes.add_post("/applications/{number}/move", record_views.application_move)
    routes.add_post("/applications/{number}/unlock", record_views.application_unlock)
    routes.add_get("/audit", record_views.audit_page)
    routes.add_get("/audit.csv", record_views.audit_csv)
    routes.add_get("/users", user_views.users_page)
    routes.add_post("/users", user_views.users_add)
    routes.add_post("/users/{login}/{action:disable|enable|unlock|reset}", user_views.users_act)
    agent_views.setup(app)
    setup_callbacks(app)
    routes.add_get("/notices", notice_views.notices_page)
    routes.add_post(r"/notices/{notice_id:\d+}/requeue", notice_views.notice_requeue)
    routes.add_get("/insight", insight_views.dashboard)
    routes.add_get(r"/insight/chart/{chart:[a-z]+}.svg", insight_views.chart)
    routes.add_get("/review", insight_views.review_inbox)
    routes.add_post(r"/review/{item_id:\d+}", insight_views.review_label)
    routes.add_get("/review/export.yml", insight_views.review_export)
    routes.add_static("/static/", STATIC_DIR, follow_symlinks=False)
    return app


async def health(request: web.Request) -> web.Response:
    """Liveness: the process serves requests."""
    return web.json_response({"status": "ok"})
