"""Fixtures for the staff console: a seeded SQLite database per test, accounts, the app."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Dict

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.engine import Engine

from applications.hashing import BirthDateHasher
from applications.repository import add_application, default_handling
from console.accounts import add_user
from console.app import create_app
from core.db import get_engine, session_scope
from core.settings import Settings, get_settings
from knowledge.seed import CATALOGUE_DIR, seed_catalogue
from tests.console.agent_support import FakeRasaApi

PASSWORD = "correct-horse-42"  # noqa: S105 - a test account's password
APPLICATION_NUMBER = "2026-0012347"
#: login -> (role, agency)
ACCOUNTS: Dict[str, tuple] = {
    "admin1": ("admin", None),
    "editor.mofa": ("editor", "mofa"),
    "editor.mois": ("editor", "mois"),
    "reviewer1": ("reviewer", None),
    "clerk.mofa": ("clerk", "mofa"),
    "clerk.mois": ("clerk", "mois"),
    "analyst1": ("analyst", None),
}


def seed_console_data(engine: Engine) -> None:
    """The real catalogue, one passport application (number above) and the accounts above."""
    assert seed_catalogue(engine, CATALOGUE_DIR) > 0
    with session_scope(engine) as session:
        add_application(
            session,
            service_id="passport_reissue",
            birth_date=date(1988, 4, 2),
            handling=default_handling("passport_reissue"),
            hasher=BirthDateHasher(b"console-test-pepper-0123456789"),
            now=datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc),
            created_by="seed",
            number=APPLICATION_NUMBER,
        )
    for login, (role, agency) in ACCOUNTS.items():
        add_user(engine, login, role, PASSWORD, agency)


@pytest.fixture
def console_engine(tmp_path: Path) -> Engine:
    """A fresh database with the catalogue, one application and the test accounts."""
    engine = get_engine(f"sqlite:///{tmp_path}/console.db")
    seed_console_data(engine)
    return engine


def console_settings(tmp_path: Path, **env: str) -> Settings:
    """Settings as the environment gives them, with the database and var/ under ``tmp_path``."""
    base = {"ASSISTANT_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/console.db"}
    return get_settings({**base, **env})


MakeClient = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def make_client(aiohttp_client: Any, console_engine: Engine, tmp_path: Path) -> MakeClient:
    """A test client of the console; keyword arguments are environment variables (e.g. CONSOLE_REVIEW_REQUIRED)."""

    async def make(**env: str) -> TestClient:
        return await aiohttp_client(create_app(console_settings(tmp_path, **env), console_engine))

    return make


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


async def login(client: TestClient, login_name: str, password: str = PASSWORD) -> Any:
    """Sign in through the login form; returns the response (after redirects)."""
    page = await client.get("/login")
    token = csrf_of(await page.text())
    return await client.post("/login", data={"login": login_name, "password": password, "csrf_token": token})


async def form_token(client: TestClient, path: str) -> str:
    """The CSRF token on the page at ``path``."""
    response = await client.get(path)
    assert response.status == 200, (path, response.status)
    return csrf_of(await response.text())


@pytest.fixture
async def rasa_api() -> AsyncIterator[FakeRasaApi]:
    """A fake of Rasa's HTTP API (pause, resume, events) for the live-agent desk."""
    api = FakeRasaApi()
    await api.start()
    yield api
    await api.close()
