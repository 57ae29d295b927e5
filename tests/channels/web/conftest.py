"""Fixtures for the web channel: a fake Rasa on 127.0.0.1, the gateway under
test (as an aiohttp test client or served for a browser); Chromium is the
``browser`` fixture of tests/conftest.py.

Chromium is Debian's (``apt-get install chromium``), driven by Playwright without
``playwright install``; axe-core comes from npm (see ``AXE_CORE_PATH``).
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient

from channels.web.app import create_app
from channels.web.options import GatewayOptions

from .webfakes import FakeRasa, gateway_settings, serve


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    """A fake Rasa served on a free 127.0.0.1 port (``.url``, ``.port``)."""
    fake = FakeRasa()
    async with serve(fake.app()) as url:
        fake.url = url
        fake.port = int(url.rsplit(":", 1)[1])
        yield fake


MakeGateway = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def make_gateway(aiohttp_client: Any, fake_rasa: FakeRasa, tmp_path: Path) -> MakeGateway:
    """Build a gateway test client; keyword arguments override GatewayOptions,
    ``rasa_port``/``rasa_token`` point it elsewhere (default: the fake Rasa)."""

    async def make(
        rasa_port: int | None = None, rasa_token: str | None = None, **overrides: Any
    ) -> TestClient:
        settings = gateway_settings(rasa_port or fake_rasa.port, rasa_token or fake_rasa.token, tmp_path)
        overrides.setdefault("rasa_timeout_seconds", 2.0)
        return await aiohttp_client(create_app(settings, GatewayOptions.from_settings(settings, **overrides)))

    return make


@pytest.fixture
async def gateway(make_gateway: MakeGateway) -> TestClient:
    """The gateway with default limits, relaying to the fake Rasa."""
    return await make_gateway()


# ---- browser -----------------------------------------------------------------


ServeGateway = Callable[..., Awaitable[str]]


@pytest.fixture
async def serve_gateway(fake_rasa: FakeRasa, tmp_path: Path) -> AsyncIterator[ServeGateway]:
    """Serve gateways on free ports for the browser; keyword arguments override
    GatewayOptions. Each call returns the gateway's base URL; all stop at teardown."""
    async with AsyncExitStack() as stack:

        async def start(**overrides: Any) -> str:
            settings = gateway_settings(fake_rasa.port, fake_rasa.token, tmp_path)
            overrides.setdefault("rasa_timeout_seconds", 2.0)
            options = GatewayOptions.from_settings(settings, **overrides)
            return await stack.enter_async_context(serve(create_app(settings, options)))

        yield start


@pytest.fixture
async def served_gateway(serve_gateway: ServeGateway) -> str:
    """The gateway with default limits, served for the browser, relaying to the fake Rasa."""
    return await serve_gateway()
