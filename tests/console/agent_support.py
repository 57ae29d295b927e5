"""A stand-in for Rasa's HTTP API (tracker events and pause state), for the live-agent desk tests."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from aiohttp import web

RASA_TOKEN = "rasa-api-token-for-tests"  # noqa: S105 - a test token


@dataclass
class FakeRasaApi:
    """Keeps one event list per conversation, as Rasa's tracker store does, and refuses a wrong token."""

    trackers: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)
    port: int = 0
    _runner: Optional[web.AppRunner] = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/conversations/{sender}/tracker/events", self._append)
        app.router.add_get("/conversations/{sender}/tracker", self._tracker)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def paused(self, sender: str) -> bool:
        """Whether the last pause/resume event of ``sender`` is a pause (Rasa's rule)."""
        state = False
        for event in self.trackers.get(sender, []):
            if event["event"] in ("pause", "resume"):
                state = event["event"] == "pause"
        return state

    def citizen_says(self, sender: str, text: str) -> None:
        """A user message logged while the conversation is paused (Rasa keeps it, the bot stays quiet)."""
        self.trackers.setdefault(sender, []).append({"event": "user", "text": text, "timestamp": time.time()})

    def _authorised(self, request: web.Request) -> bool:
        return request.query.get("token") == RASA_TOKEN

    async def _append(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "unauthorised"}, status=401)
        body = await request.json()
        events = body if isinstance(body, list) else [body]
        for event in events:
            self.trackers.setdefault(request.match_info["sender"], []).append({**event, "timestamp": time.time()})
        return web.json_response({"sender_id": request.match_info["sender"]})

    async def _tracker(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"error": "unauthorised"}, status=401)
        sender = request.match_info["sender"]
        return web.json_response({"sender_id": sender, "paused": self.paused(sender),
                                  "events": self.trackers.get(sender, [])})
