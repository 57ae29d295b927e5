"""The gateway's readiness route ``/readyz`` against a Rasa stand-in on 127.0.0.1
that greets on ``/`` as Rasa 3.6 does, hangs, fails, or is not there at all;
``/healthz`` (liveness) stays 200 whatever Rasa does."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, AsyncIterator, Dict

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from channels.web.app import create_app
from channels.web.options import GatewayOptions

from .webfakes import closed_port, gateway_settings, serve


class RasaRoot:
    """Rasa's unauthenticated ``GET /``; ``mode`` is ``normal``, ``hang`` or ``error``."""

    def __init__(self) -> None:
        self.mode = "normal"
        self.hits = 0

    def app(self) -> web.Application:
        async def root(request: web.Request) -> web.Response:
            self.hits += 1
            if self.mode == "hang":
                await asyncio.sleep(3600)
            if self.mode == "error":
                return web.Response(status=500, text="error")
            return web.Response(text="Hello from Rasa: 3.6.21")

        app = web.Application()
        app.router.add_get("/", root)
        return app


@pytest.fixture
async def rasa_root() -> AsyncIterator[tuple[RasaRoot, int]]:
    fake = RasaRoot()
    async with serve(fake.app()) as url:
        yield fake, int(url.rsplit(":", 1)[1])


async def gateway_for(aiohttp_client: Any, port: int, tmp_path: Path) -> TestClient:
    settings = gateway_settings(port, "token-not-needed-for-readiness", tmp_path)
    return await aiohttp_client(create_app(settings, GatewayOptions.from_settings(settings)))


def assert_not_ready(body: Dict[str, Any], reason: str) -> None:
    assert body["status"] == "not_ready"
    assert body["reason"] == reason
    assert body["error"] == "assistant_unavailable"
    assert "110" in body["message"]["ko"] and body["message"]["en"]


async def test_ready_when_rasa_greets(aiohttp_client: Any, rasa_root: tuple[RasaRoot, int], tmp_path: Path) -> None:
    fake, port = rasa_root
    client = await gateway_for(aiohttp_client, port, tmp_path)
    response = await client.get("/readyz")
    assert response.status == 200
    assert await response.json() == {"status": "ready"}
    assert response.headers["Cache-Control"] == "no-cache"
    assert fake.hits == 1  # it really asked Rasa


async def test_not_ready_when_rasa_is_down_but_still_alive(aiohttp_client: Any, tmp_path: Path) -> None:
    client = await gateway_for(aiohttp_client, closed_port(), tmp_path)
    response = await client.get("/readyz")
    assert response.status == 503
    assert_not_ready(await response.json(), "rasa_unreachable")
    live = await client.get("/healthz")
    assert live.status == 200
    assert await live.json() == {"status": "ok"}


async def test_not_ready_when_rasa_fails(aiohttp_client: Any, rasa_root: tuple[RasaRoot, int], tmp_path: Path) -> None:
    fake, port = rasa_root
    fake.mode = "error"
    client = await gateway_for(aiohttp_client, port, tmp_path)
    response = await client.get("/readyz")
    assert response.status == 503
    assert_not_ready(await response.json(), "rasa_http_500")


async def test_not_ready_within_the_timeout_when_rasa_hangs(
    aiohttp_client: Any, rasa_root: tuple[RasaRoot, int], tmp_path: Path
) -> None:
    fake, port = rasa_root
    fake.mode = "hang"
    client = await gateway_for(aiohttp_client, port, tmp_path)
    started = time.monotonic()
    response = await client.get("/readyz")
    elapsed = time.monotonic() - started
    assert response.status == 503
    assert_not_ready(await response.json(), "rasa_timeout")
    assert elapsed < 5, f"a probe must answer well within the kubelet's timeout, took {elapsed:.1f} s"


async def test_ready_again_once_rasa_recovers(
    aiohttp_client: Any, rasa_root: tuple[RasaRoot, int], tmp_path: Path
) -> None:
    fake, port = rasa_root
    fake.mode = "error"
    client = await gateway_for(aiohttp_client, port, tmp_path)
    assert (await client.get("/readyz")).status == 503
    fake.mode = "normal"
    assert (await client.get("/readyz")).status == 200
