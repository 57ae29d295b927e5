"""A light Telegram Bot API stand-in on 127.0.0.1, for load and fuzz runs.

Every method succeeds as Telegram would answer a well-formed call; each
``sendMessage`` waits ``latency`` seconds and is counted per chat. (The
channel tests use the fuller, recording fake in tests/channels/telegram.)
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any, Dict, Optional

from aiohttp import web


class LightBotApi:
    """Answers ``getMe``, ``send*``/``edit*`` and every other method with success."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.chats: Counter = Counter()
        self.calls = 0
        self.port = 0
        self._runner: Optional[web.AppRunner] = None

    @property
    def base_url(self) -> str:
        """The ``base_url`` for python-telegram-bot (the token is appended to it)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        """Serve on a free port."""
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        method = request.match_info["method"]
        if method == "getMe":
            return web.json_response({"ok": True, "result": {
                "id": 424242, "is_bot": True, "first_name": "Assistant", "username": "assistant_test_bot"}})
        if not (method.startswith("send") or method.startswith("edit")):
            return web.json_response({"ok": True, "result": True})
        params: Dict[str, Any] = (
            await request.json() if request.content_type == "application/json" else dict(await request.post())
        )
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            chat_id = int(str(params.get("chat_id", 0)))
        except ValueError:
            chat_id = 0
        self.chats[chat_id] += 1
        message = {"message_id": self.calls, "date": int(time.time()), "chat": {"id": chat_id, "type": "private"},
                   "text": str(params.get("text", ""))}
        return web.json_response({"ok": True, "result": message})
