"""Fixtures for the KakaoTalk channel tests: a fake Open Builder that sends
skill requests in Kakao's documented format, a fake Kakao server on 127.0.0.1
(the callback receiver and the Event API), and the channel served by Sanic the
way ``rasa run`` serves it (``rasa.core.channels.channel.register``).

Every response the channel gives, and every callback it posts, is checked
against the documented shape and limits (:mod:`channels.kakao.validate`).
Nothing reaches the network.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Tuple

import aiohttp
import pytest
from aiohttp import web
from rasa.core.channels.channel import InputChannel, UserMessage, register
from sanic import Sanic

from channels.kakao import validate
from channels.kakao.input import KakaoInput
from tests.channels.serving import start_sanic, stop_sanic

SKILL_SECRET = "kakao-skill-secret-for-tests-0123"
BOT_ID = "5f0e1a2b3c4d5e6f7a8b9c0d"
REST_API_KEY = "test-rest-api-key-0123456789abcdef"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def skill_request(
    utterance: str,
    user: str,
    *,
    callback_url: Optional[str] = None,
    client_extra: Optional[Dict[str, Any]] = None,
    lang: str = "ko",
) -> Dict[str, Any]:
    """A skill request with every field of Kakao's payload documentation."""
    block = {"id": "65f1c2d3e4a5b6c7d8e9f001", "name": "폴백 블록"}
    user_request: Dict[str, Any] = {
        "timezone": "Asia/Seoul",
        "params": {"ignoreMe": "true", "surface": "Kakaotalk.plusfriend"},
        "block": block,
        "utterance": utterance,
        "lang": lang,
        "user": {
            "id": user,
            "type": "botUserKey",
            "properties": {"botUserKey": user, "plusfriendUserKey": f"pf{user[-8:]}", "isFriend": True},
        },
    }
    if callback_url is not None:
        user_request["callbackUrl"] = callback_url
    return {
        "intent": {"id": block["id"], "name": block["name"]},
        "userRequest": user_request,
        "bot": {"id": BOT_ID, "name": "정부 민원 안내 도우미"},
        "action": {
            "id": "65f1c2d3e4a5b6c7d8e9f0aa",
            "name": "assistant_skill",
            "params": {},
            "detailParams": {},
            "clientExtra": client_extra or {},
        },
        "contexts": [],
    }


def assert_valid(response: Any) -> None:
    """Fail with every problem when ``response`` breaks Kakao's skill response format."""
    found = validate.problems(response)
    assert not found, f"invalid skill response: {found}\n{json.dumps(response, ensure_ascii=False, indent=1)}"


def outputs_text(response: Dict[str, Any]) -> str:
    """Every text a response shows (simpleText texts and card descriptions), joined."""
    parts: List[str] = []
    for output in response.get("template", {}).get("outputs", []):
        if "simpleText" in output:
            parts.append(output["simpleText"]["text"])
        if "textCard" in output:
            parts.append(output["textCard"].get("description", ""))
    return "\n".join(parts)


def quick_reply_labels(response: Dict[str, Any]) -> List[str]:
    return [reply["label"] for reply in response.get("template", {}).get("quickReplies", [])]


def new_user() -> str:
    """A fresh botUserKey: the shared agent keeps every conversation for the session."""
    return f"bu{uuid.uuid4().hex[:20]}"


@dataclass
class Received:
    path: str
    body: Any
    headers: Dict[str, str]


@dataclass
class FakeKakao:
    """Kakao's side on 127.0.0.1: the callback receiver and the Event API.

    ``callback_answers`` and ``event_answers`` are (status, body) pairs used,
    one per call, before the normal success answer.
    """

    callbacks: List[Received] = field(default_factory=list)
    events: List[Received] = field(default_factory=list)
    callback_answers: List[Tuple[int, Dict[str, Any]]] = field(default_factory=list)
    event_answers: List[Tuple[int, Dict[str, Any]]] = field(default_factory=list)
    port: int = 0
    _runner: Optional[web.AppRunner] = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def callback_url(self) -> str:
        """A fresh one-time callback URL, as Open Builder puts in a request."""
        return f"{self.base_url}/v1/bots/{BOT_ID}/callback/{uuid.uuid4().hex}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/bots/{bot}/callback/{token}", self._callback)
        app.router.add_post("/v2/bots/{bot}/talk", self._event)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for_callbacks(self, count: int = 1, timeout: float = 60.0) -> List[Received]:
        deadline = time.monotonic() + timeout
        while len(self.callbacks) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.callbacks)} callbacks received, expected {count}")
            await asyncio.sleep(0.02)
        return self.callbacks

    async def _callback(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.callbacks.append(Received(request.path, body, dict(request.headers)))
        if self.callback_answers:
            status, answer = self.callback_answers.pop(0)
            return web.json_response(answer, status=status)
        return web.json_response(
            {"taskId": uuid.uuid4().hex, "status": "SUCCESS", "message": "", "timestamp": int(time.time() * 1000)}
        )

    async def _event(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.events.append(Received(request.path, body, dict(request.headers)))
        if self.event_answers:
            status, answer = self.event_answers.pop(0)
            return web.json_response(answer, status=status)
        if request.headers.get("Authorization") != f"KakaoAK {REST_API_KEY}":
            return web.json_response({"status": "FAIL", "message": "invalid api key"}, status=401)
        return web.json_response(
            {"taskId": f"task-{uuid.uuid4().hex[:12]}", "status": "SUCCESS", "message": "",
             "timestamp": int(time.time() * 1000)}
        )


@pytest.fixture
async def fake_kakao() -> AsyncIterator[FakeKakao]:
    """A running fake Kakao server (callbacks and Event API)."""
    kakao = FakeKakao()
    await kakao.start()
    try:
        yield kakao
    finally:
        await kakao.close()


@dataclass
class OpenBuilder:
    """A fake Open Builder: posts skill requests to the channel as Kakao does.

    ``send`` checks every 200 response against the skill response format;
    ``tap`` sends a quick reply the way KakaoTalk does (its ``messageText`` as
    the utterance, its ``extra`` as ``action.clientExtra``).
    """

    session: aiohttp.ClientSession
    url: str
    secret: Optional[str] = SKILL_SECRET
    header: str = "X-Skill-Secret"

    async def post(
        self, body: Any = None, *, raw: Optional[bytes] = None, secret: Any = ..., header: Optional[str] = None
    ) -> Tuple[int, Any]:
        """POST to the webhook; returns the status and the JSON (or text) body."""
        headers = {"Content-Type": "application/json"}
        secret = self.secret if secret is ... else secret
        if secret is not None:
            headers[header or self.header] = secret
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        async with self.session.post(f"{self.url}/webhooks/kakao/webhook", data=data, headers=headers) as reply:
            try:
                payload = await reply.json(content_type=None)
            except ValueError:
                payload = await reply.text()
            return reply.status, payload

    async def send(
        self,
        utterance: str,
        user: str,
        *,
        callback_url: Optional[str] = None,
        client_extra: Optional[Dict[str, Any]] = None,
        lang: str = "ko",
    ) -> Dict[str, Any]:
        """Send one utterance; returns the (checked) skill response of a 200."""
        request = skill_request(utterance, user, callback_url=callback_url, client_extra=client_extra, lang=lang)
        status, response = await self.post(request)
        assert status == 200, (status, response)
        assert_valid(response)
        return response

    async def tap(self, response: Dict[str, Any], label: str, user: str) -> Dict[str, Any]:
        """Tap the quick reply of ``response`` labelled ``label``."""
        replies = response["template"].get("quickReplies", [])
        chosen = next((reply for reply in replies if reply["label"] == label), None)
        assert chosen is not None, f"no quick reply {label!r} in {[reply['label'] for reply in replies]}"
        return await self.send(chosen["messageText"], user, client_extra=chosen.get("extra"))


@dataclass
class ServedKakao:
    app: Sanic
    port: int
    session: aiohttp.ClientSession
    server: Any
    open_builder: OpenBuilder

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
async def serve_kakao() -> AsyncIterator[Callable[..., Awaitable[ServedKakao]]]:
    """``await serve_kakao(channel, on_new_message)`` serves the channel over HTTP.

    The blueprint is registered with Rasa's own ``register`` under
    ``/webhooks/``; ``on_new_message`` stands in for ``agent.handle_message``.
    ``await serve_kakao(app=rasa_app)`` serves a whole Rasa app instead.
    """
    served: List[ServedKakao] = []

    async def serve(
        channel: Optional[InputChannel] = None, on_new_message: Optional[OnNewMessage] = None, app: Optional[Sanic] = None
    ) -> ServedKakao:
        if app is None:
            assert channel is not None and on_new_message is not None
            app = Sanic(f"kakao_test_{uuid.uuid4().hex}")
            app.ctx.agent = SimpleNamespace(handle_message=on_new_message)
            register([channel], app, route="/webhooks/")
        server, port = await start_sanic(app)
        session = aiohttp.ClientSession()
        entry = ServedKakao(app, port, session, server, OpenBuilder(session, f"http://127.0.0.1:{port}"))
        served.append(entry)
        return entry

    try:
        yield serve
    finally:
        for entry in served:
            await entry.session.close()
            await stop_sanic(entry.server)


class FakeAssistant:
    """An ``on_new_message`` standing in for the agent: records each message and
    answers with ``reply(message)`` (a list of Rasa bot messages), after ``delay`` seconds."""

    def __init__(
        self,
        reply: Optional[Callable[[UserMessage], List[Dict[str, Any]]]] = None,
        delay: float = 0.0,
    ) -> None:
        self.messages: List[UserMessage] = []
        self.finished = asyncio.Event()
        self.delay = delay
        self._reply = reply or (lambda message: [{"text": f"echo: {message.text}"}])

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        for answer in self._reply(message):
            await message.output_channel.send_response(message.sender_id, dict(answer))
        self.finished.set()


@pytest.fixture(autouse=True)
def kakao_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite database of the test's own as ``DATABASE_URL``: the channel's
    default memory (:class:`~channels.kakao.shared_memory.SQLConversationMemory`)
    keeps its rows there, never in the project's var/ database."""
    url = f"sqlite:///{tmp_path / 'kakao.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def kakao_channel() -> KakaoInput:
    """The channel under test, with the test secret and the default budget."""
    return KakaoInput(secret=SKILL_SECRET)
