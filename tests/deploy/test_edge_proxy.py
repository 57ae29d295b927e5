"""The edge proxy config (deploy/base/nginx/assistant.conf) under Debian's nginx:
``nginx -t`` accepts it, and served in front of two recording upstreams (standing
in for the gateway and Rasa) it passes the chat page, /api/ and the messenger
webhooks and refuses Rasa's REST channel and HTTP API before they reach Rasa."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path
from typing import AsyncIterator, List, Tuple

import aiohttp
import pytest
from aiohttp import web

from scripts.cluster_services import NGINX, free_port, nginx_main_config, stop_process, wait_for_port
from tests.channels.web.webfakes import serve

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "base" / "nginx" / "assistant.conf"


def nginx_binary() -> str:
    path = NGINX if Path(NGINX).exists() else shutil.which("nginx")
    if not path:
        pytest.fail("nginx not found: apt-get install -y nginx (CI's .ci/run installs it)")
    return path


def wrapped_config(folder: Path, listen: int, web_port: int, rasa_port: int) -> Path:
    """The deploy config with its Service addresses replaced by 127.0.0.1 ports, inside a minimal nginx.conf."""
    text = CONFIG.read_text()
    for old, new in (("server web:8080;", f"server 127.0.0.1:{web_port};"),
                     ("server rasa:5005;", f"server 127.0.0.1:{rasa_port};"),
                     ("listen 8080;", f"listen 127.0.0.1:{listen};")):
        assert text.count(old) == 1, f"{old!r} not found once in {CONFIG}"
        text = text.replace(old, new)
    (folder / "temp").mkdir(parents=True, exist_ok=True)
    (folder / "assistant.conf").write_text(text)
    main = folder / "nginx.conf"
    main.write_text(nginx_main_config(folder, f"    include {folder}/assistant.conf;", worker_connections=64))
    return main


class Recorder:
    """An upstream that answers 200 with its own name and remembers every request."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: List[Tuple[str, str]] = []

    def app(self) -> web.Application:
        async def anything(request: web.Request) -> web.Response:
            await request.read()
            self.seen.append((request.method, request.path))
            return web.Response(text=self.name)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", anything)
        return app


def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    config = wrapped_config(tmp_path, free_port(), free_port(), free_port())
    result = subprocess.run([nginx_binary(), "-t", "-c", str(config), "-p", str(tmp_path), "-e", str(tmp_path / "e.log")],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


@pytest.fixture
async def edge(tmp_path: Path) -> AsyncIterator[Tuple[str, Recorder, Recorder]]:
    gateway, rasa = Recorder("gateway"), Recorder("rasa")
    async with serve(gateway.app()) as gateway_url, serve(rasa.app()) as rasa_url:
        listen = free_port()
        config = wrapped_config(tmp_path, listen, int(gateway_url.rsplit(":", 1)[1]), int(rasa_url.rsplit(":", 1)[1]))
        process = subprocess.Popen(
            [nginx_binary(), "-c", str(config), "-p", str(tmp_path), "-e", str(tmp_path / "e.log"),
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            await asyncio.to_thread(wait_for_port, listen, 20, process, tmp_path / "error.log")
            yield f"http://127.0.0.1:{listen}", gateway, rasa
        finally:
            await asyncio.to_thread(stop_process, process)


PUBLISHED = [
    ("GET", "/", "gateway"),
    ("GET", "/widget.js", "gateway"),
    ("GET", "/static/app.js", "gateway"),
    ("GET", "/api/history", "gateway"),
    ("POST", "/api/messages", "gateway"),
    ("POST", "/api/conversation/reset", "gateway"),
    ("POST", "/webhooks/telegram/webhook", "rasa"),
    ("POST", "/webhooks/kakao/webhook", "rasa"),
]
REFUSED = [
    ("POST", "/webhooks/rest/webhook"),
    ("GET", "/webhooks/rest/"),
    ("GET", "/conversations/someone/tracker"),
    ("POST", "/conversations/someone/messages"),
    ("GET", "/model"),
    ("PUT", "/model"),
    ("POST", "/model/parse"),
    ("GET", "/status"),
    ("GET", "/version"),
    ("GET", "/domain"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("POST", "/webhooks/unknown/webhook"),
    ("GET", "/webhooks/telegram/webhook"),
]


async def test_publishes_only_the_page_the_api_and_the_messenger_webhooks(
    edge: Tuple[str, Recorder, Recorder],
) -> None:
    url, gateway, rasa = edge
    async with aiohttp.ClientSession() as session:
        for method, path, upstream in PUBLISHED:
            async with session.request(method, url + path, json={} if method == "POST" else None) as response:
                assert response.status == 200, (method, path)
                assert await response.text() == upstream, (method, path)
        for method, path in REFUSED:
            async with session.request(method, url + path, json={} if method != "GET" else None) as response:
                assert response.status in (403, 404), (method, path, response.status)
    assert ("POST", "/webhooks/telegram/webhook") in rasa.seen
    leaked = [seen for seen in gateway.seen + rasa.seen if seen in REFUSED]
    assert not leaked, f"refused paths reached an upstream: {leaked}"
    assert len(gateway.seen) == 6 and len(rasa.seen) == 2
