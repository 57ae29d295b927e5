"""Test doubles for the web channel: a fake Rasa that answers like the real one,
a demo host page for the widget, and helpers to configure the gateway and serve
aiohttp apps on 127.0.0.1 for a real browser.

The fake speaks Rasa 3.6's wire formats: the REST channel's reply list
(``[{"recipient_id", "text", "buttons"}]``) and the HTTP API's tracker dump
(``{"sender_id", "events": [...]}`` guarded by ``?token=``). Its answers are
canned, but its language handling mirrors the assistant's: a ``/set_language``
payload fixes the language, otherwise each message's script decides.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List

from aiohttp import web

from core.language import detect_language
from core.settings import Settings, get_settings

DEMO_HOST_DIR = Path(__file__).resolve().parent / "demo_host"

PASSPORT_ANSWER = {
    "ko": "여권 재발급에는 여권 발급 신청서, 여권용 사진 1매, 신분증, 기존 여권이 필요해요.\n"
    "자세한 내용은 https://www.passport.go.kr/home/kor/contents.do?menuPos=4 에서 확인해 주세요.",
    "en": "To reissue a passport you need the application form, one passport photo, "
    "your ID card and your current passport.\nDetails: https://www.passport.go.kr/new/eng/main.do",
}
PASSPORT_BUTTONS = {
    "ko": [
        {"title": "수수료는 얼마예요?", "payload": '/ask_service_fee{"service": "여권 재발급"}'},
        {"title": "어디서 신청해요?", "payload": '/ask_service_where{"service": "여권 재발급"}'},
    ],
    "en": [
        {"title": "How much is the fee?", "payload": '/ask_service_fee{"service": "passport reissue"}'},
        {"title": "Where do I apply?", "payload": '/ask_service_where{"service": "passport reissue"}'},
    ],
}
FEE_ANSWER = {
    "ko": "여권 재발급 수수료는 10년 복수여권(58면) 기준 53,000원이에요.",
    "en": "The passport reissue fee is KRW 53,000 for a 10-year, 58-page passport.",
}
WHERE_ANSWER = {
    "ko": "가까운 시·군·구청 민원실이나 정부24에서 신청할 수 있어요.",
    "en": "You can apply at your city, county or district office, or online at Gov24.",
}
LANGUAGE_SET = {
    "ko": "이제부터 한국어로 안내해 드릴게요.",
    "en": "I will answer in English from now on.",
}
FALLBACK = {
    "ko": "죄송해요, 잘 이해하지 못했어요. 다른 말로 다시 물어봐 주시겠어요?",
    "en": "Sorry, I did not understand that. Could you ask in a different way?",
}
# Bot text full of markup: the page must show it as text, and only the https
# address may become a link.
MARKUP_TRIGGER = "markup test"
MARKUP_ANSWER = (
    "<b>bold</b> <img src=x onerror=alert('bot')> javascript:alert(1) "
    "https://www.gov.kr/portal/main?a=1&b=<c>"
)


class FakeRasa:
    """A fake Rasa server; ``mode`` is ``normal``, ``hang``, ``error`` or ``garbage``."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token or "fake-rasa-api-token"
        self.url = ""  # set once served
        self.port = 0
        self.mode = "normal"
        self.delay = 0.0
        self.tracker_delay = 0.0  # seconds the tracker (history) answers late
        self.requests: List[Dict[str, Any]] = []
        self.tracker_queries: List[Dict[str, str]] = []
        self.events: Dict[str, List[Dict[str, Any]]] = {}
        self.languages: Dict[str, str] = {}

    def app(self) -> web.Application:
        """The fake's aiohttp application."""
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._webhook)
        app.router.add_get("/conversations/{sender}/tracker", self._tracker)
        return app

    # -- REST channel ---------------------------------------------------------

    async def _misbehave(self) -> web.StreamResponse | None:
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if self.mode == "error":
            return web.json_response({"status": "failure"}, status=500)
        if self.mode == "garbage":
            return web.Response(text="<html>oops</html>", content_type="text/html")
        if self.delay:
            await asyncio.sleep(self.delay)
        return None

    async def _webhook(self, request: web.Request) -> web.StreamResponse:
        misbehaviour = await self._misbehave()
        if misbehaviour is not None:
            return misbehaviour
        body = await request.json()
        self.requests.append(body)
        sender, text = body["sender"], body["message"]
        language = self._language_after(sender, text)
        replies = self._answer(text, language)
        self._record(sender, text, body.get("metadata") or {}, replies)
        return web.json_response([{"recipient_id": sender, **reply} for reply in replies])

    def _language_after(self, sender: str, text: str) -> str:
        if text.startswith("/set_language"):
            chosen = json.loads(text[len("/set_language") :])["language"]
            self.languages[sender] = chosen
            self.languages[f"{sender}:locked"] = "yes"
        elif f"{sender}:locked" not in self.languages:
            self.languages[sender] = detect_language(text) or self.languages.get(sender, "ko")
        return self.languages.get(sender, "ko")

    @staticmethod
    def _answer(text: str, language: str) -> List[Dict[str, Any]]:
        lowered = text.lower()
        if text.startswith("/set_language"):
            return [{"text": LANGUAGE_SET[language]}]
        if text.startswith("/ask_service_fee"):
            return [{"text": FEE_ANSWER[language]}]
        if text.startswith("/ask_service_where"):
            return [{"text": WHERE_ANSWER[language]}]
        if MARKUP_TRIGGER in lowered:
            return [{"text": MARKUP_ANSWER}]
        if "여권" in text or "passport" in lowered:
            return [{"text": PASSPORT_ANSWER[language], "buttons": PASSPORT_BUTTONS[language]}]
        return [{"text": FALLBACK[language]}]

    def _record(
        self, sender: str, text: str, metadata: Dict[str, Any], replies: List[Dict[str, Any]]
    ) -> None:
        events = self.events.setdefault(sender, [])
        now = time.time()
        events.append(
            {
                "event": "user",
                "timestamp": now,
                "text": text,
                "parse_data": {"text": text, "intent": {"name": "fake", "confidence": 1.0}, "entities": []},
                "input_channel": "rest",
                "message_id": uuid.uuid4().hex,
                "metadata": metadata,
            }
        )
        for reply in replies:
            events.append({"event": "action", "timestamp": now, "name": "utter_fake"})
            events.append(
                {
                    "event": "bot",
                    "timestamp": now,
                    "text": reply.get("text"),
                    "data": {
                        "elements": None,
                        "quick_replies": None,
                        "buttons": reply.get("buttons"),
                        "attachment": None,
                        "image": None,
                        "custom": None,
                    },
                    "metadata": {"utter_action": "utter_fake"},
                }
            )
        events.append({"event": "action", "timestamp": now, "name": "action_listen"})

    # -- HTTP API -------------------------------------------------------------

    async def _tracker(self, request: web.Request) -> web.StreamResponse:
        self.tracker_queries.append(dict(request.query))
        if request.query.get("token") != self.token:
            return web.json_response(
                {"version": "3.6.21", "status": "failure", "reason": "NotAuthenticated", "code": 401},
                status=401,
            )
        misbehaviour = await self._misbehave()
        if misbehaviour is not None:
            return misbehaviour
        if self.tracker_delay:
            await asyncio.sleep(self.tracker_delay)
        sender = request.match_info["sender"]
        start = [
            {"event": "action", "timestamp": 0, "name": "action_session_start"},
            {"event": "session_started", "timestamp": 0},
            {"event": "action", "timestamp": 0, "name": "action_listen"},
        ]
        return web.json_response({"sender_id": sender, "events": start + self.events.get(sender, [])})


def gateway_settings(rasa_port: int, rasa_token: str | None, var_dir: Path) -> Settings:
    """Settings as the environment would give them, pointing at a test Rasa."""
    env = {"RASA_PORT": str(rasa_port), "ASSISTANT_VAR_DIR": str(var_dir)}
    if rasa_token:
        env["RASA_TOKEN"] = rasa_token
    return get_settings(env)


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve ``app`` on a free 127.0.0.1 port; yields its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DemoHost:
    """A stand-in for a ministry's page that embeds the widget; ``widget_src``
    can be set after the host is served (the gateway needs the host's origin)."""

    def __init__(self, widget_src: str = "") -> None:
        self.widget_src = widget_src
        self._template = (DEMO_HOST_DIR / "index.html").read_text(encoding="utf-8")

    def app(self) -> web.Application:
        async def page(request: web.Request) -> web.Response:
            return web.Response(
                text=self._template.replace("{{WIDGET_SRC}}", self.widget_src), content_type="text/html"
            )

        app = web.Application()
        app.router.add_get("/", page)
        return app
