"""Fixtures for the Telegram channel tests: a fake Telegram Bot API server, a
factory for realistic updates, and the channel served by Sanic the way Rasa
serves it (``rasa.core.channels.channel.register`` on a real HTTP port).

Everything listens on 127.0.0.1 on a port the OS picks; nothing reaches the
network. This folder has no ``__init__.py`` on purpose: a package named
``telegram`` here would shadow python-telegram-bot.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Awaitable, Callable, Dict, List, Tuple

import aiohttp
import pytest
from aiohttp import web
from rasa.core.channels.channel import InputChannel, UserMessage, register
from sanic import Sanic

from tests.channels.serving import start_sanic, stop_sanic

BOT_TOKEN = "123456:TEST-token_for-the-fake-api"
WEBHOOK_SECRET = "test-secret_0123456789"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Gov Assistant",
    "username": "gov_assistant_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

# Parameters python-telegram-bot sends JSON-encoded inside a form.
_JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "scope", "link_preview_options"}
_INT_FIELDS = {"chat_id", "offset", "limit", "timeout", "message_id", "max_connections"}
_BOOL_FIELDS = {"drop_pending_updates", "show_alert", "disable_notification", "protect_content"}


@dataclass
class ApiCall:
    method: str
    params: Dict[str, Any]
    result: Any = None


@dataclass
class FakeBotApi:
    """A Telegram Bot API stand-in that records every call.

    ``failures[method]`` makes the next calls of ``method`` fail with the given
    ``(error_code, description, parameters)``, one entry used per call.
    """

    token: str = BOT_TOKEN
    calls: List[ApiCall] = field(default_factory=list)
    failures: Dict[str, List[Tuple[int, str, Dict[str, Any] | None]]] = field(default_factory=dict)
    webhook: Dict[str, Any] = field(default_factory=dict)
    long_poll_cap: float = 0.5
    _updates: List[Dict[str, Any]] = field(default_factory=list)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def base_url(self) -> str:
        """The ``base_url`` for python-telegram-bot (the token is appended to it)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def calls_to(self, method: str) -> List[Dict[str, Any]]:
        return [call.params for call in self.calls if call.method == method]

    def results_of(self, method: str) -> List[Any]:
        """What the fake answered to each successful call of ``method``."""
        return [call.result for call in self.calls if call.method == method and call.result is not None]

    def sent_texts(self, chat_id: int | None = None) -> List[str]:
        return [
            params["text"] for params in self.calls_to("sendMessage") if chat_id is None or params["chat_id"] == chat_id
        ]

    async def queue_update(self, update: Dict[str, Any]) -> None:
        """Make ``update`` the next thing getUpdates returns."""
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> List[Dict[str, Any]]:
        """Wait until ``method`` was called ``count`` times; returns those calls."""
        deadline = time.monotonic() + timeout
        while len(self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} called {len(self.calls_to(method))} times, expected {count}")
            await asyncio.sleep(0.02)
        return self.calls_to(method)

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        call = ApiCall(method, await _read_params(request))
        self.calls.append(call)
        queued = self.failures.get(method)
        if queued:
            code, description, parameters = queued.pop(0)
            body: Dict[str, Any] = {"ok": False, "error_code": code, "description": description}
            if parameters:
                body["parameters"] = parameters
            return web.json_response(body, status=code)
        call.result = await self._result(method, call.params)
        return web.json_response({"ok": True, "result": call.result})

    async def _result(self, method: str, params: Dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method in ("sendMessage", "sendPhoto"):
            return self._sent_message(params)
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "setWebhook":
            self.webhook = {
                "url": params["url"],
                "secret_token": params.get("secret_token"),
                "allowed_updates": params.get("allowed_updates"),
            }
            return True
        if method == "deleteWebhook":
            self.webhook = {}
            return True
        if method == "getWebhookInfo":
            info = {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
            return info
        # answerCallbackQuery, setMyCommands and the like
        return True

    def _sent_message(self, params: Dict[str, Any]) -> Dict[str, Any]:
        chat_id = params["chat_id"]
        message: Dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT_USER,
        }
        if "text" in params:
            message["text"] = params["text"]
        if "photo" in params:
            message["photo"] = [{"file_id": "ph", "file_unique_id": "ph", "width": 1, "height": 1}]
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _get_updates(self, params: Dict[str, Any]) -> List[Dict[str, Any]]:
        offset = params.get("offset")
        limit = params.get("limit", 100)
        wait = min(float(params.get("timeout", 0)), self.long_poll_cap)
        async with self._changed:
            if offset is not None:
                # Telegram forgets every update before the offset: it is confirmed.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and wait > 0:
                with _suppress_timeout():
                    await asyncio.wait_for(self._changed.wait(), timeout=wait)
            return list(self._updates[:limit])


class _suppress_timeout:
    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, *_: Any) -> bool:
        return exc_type is asyncio.TimeoutError


async def _read_params(request: web.Request) -> Dict[str, Any]:
    if request.content_type == "application/json":
        raw: Dict[str, Any] = await request.json()
    else:
        raw = {key: value for key, value in (await request.post()).items() if isinstance(value, str)}
    params: Dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and (key in _JSON_FIELDS or key in _BOOL_FIELDS):
            value = json.loads(value)
        elif isinstance(value, str) and key in _INT_FIELDS:
            value = int(value)
        params[key] = value
    return params


@pytest.fixture
async def fake_api():
    """A running fake Bot API server."""
    api = FakeBotApi()
    await api.start()
    try:
        yield api
    finally:
        await api.close()


class Updates:
    """Builds Telegram updates shaped like the real ones, with fresh ids."""

    def __init__(self) -> None:
        self._ids = itertools.count(int(time.time()) % 100_000 * 10)

    def _message(
        self, chat_id: int, language_code: str | None, chat_type: str | None = None, **content: Any
    ) -> Dict[str, Any]:
        user: Dict[str, Any] = {"id": abs(chat_id) % 10**9 + 1, "is_bot": False, "first_name": "Minji"}
        if language_code:
            user["language_code"] = language_code
        chat_type = chat_type or ("private" if chat_id > 0 else "supergroup")
        chat: Dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Minji"
        else:
            chat["title"] = "민원 상담방"
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            **content,
        }

    def text(self, chat_id: int, text: str, language_code: str | None = "ko") -> Dict[str, Any]:
        message = self._message(chat_id, language_code, text=text)
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._ids), "message": message}

    def photo(self, chat_id: int) -> Dict[str, Any]:
        sizes = [{"file_id": "AgAD1", "file_unique_id": "u1", "width": 90, "height": 67, "file_size": 1200}]
        return {"update_id": next(self._ids), "message": self._message(chat_id, "ko", photo=sizes)}

    def sticker(self, chat_id: int) -> Dict[str, Any]:
        sticker = {
            "file_id": "CAAD2",
            "file_unique_id": "u2",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return {"update_id": next(self._ids), "message": self._message(chat_id, "en", sticker=sticker)}

    def voice(self, chat_id: int) -> Dict[str, Any]:
        voice = {"file_id": "AwAD3", "file_unique_id": "u3", "duration": 4, "mime_type": "audio/ogg"}
        return {"update_id": next(self._ids), "message": self._message(chat_id, "ko", voice=voice)}

    def document(self, chat_id: int) -> Dict[str, Any]:
        document = {"file_id": "BQAD4", "file_unique_id": "u4", "file_name": "신청서.pdf"}
        return {"update_id": next(self._ids), "message": self._message(chat_id, "ko", document=document)}

    def edited(self, chat_id: int, text: str) -> Dict[str, Any]:
        message = self._message(chat_id, "ko", text=text, edit_date=int(time.time()))
        return {"update_id": next(self._ids), "edited_message": message}

    def member_joined(self, chat_id: int) -> Dict[str, Any]:
        newcomer = {"id": 777, "is_bot": False, "first_name": "Jisoo"}
        message = self._message(chat_id, "ko", new_chat_members=[newcomer])
        return {"update_id": next(self._ids), "message": message}

    def callback(self, bot_message: Dict[str, Any], data: str, language_code: str | None = "ko") -> Dict[str, Any]:
        """A tap on a button of ``bot_message`` (a message the fake API returned)."""
        user: Dict[str, Any] = {"id": 4242, "is_bot": False, "first_name": "Minji"}
        if language_code:
            user["language_code"] = language_code
        query = {
            "id": f"cbq-{next(self._ids)}",
            "from": user,
            "chat_instance": "-987654321",
            "data": data,
            "message": bot_message,
        }
        return {"update_id": next(self._ids), "callback_query": query}


@pytest.fixture
def updates() -> Updates:
    return Updates()


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass
class ServedChannel:
    """A Sanic app serving input channels on 127.0.0.1, as ``rasa run`` does."""

    app: Sanic
    port: int
    session: aiohttp.ClientSession
    server: Any

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/webhooks/telegram/webhook"

    async def post_update(
        self, update: Any, secret: str | None = WEBHOOK_SECRET, raw: bytes | None = None
    ) -> Tuple[int, Any]:
        """POST an update to the webhook; returns the status and the JSON body."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = raw if raw is not None else json.dumps(update).encode("utf-8")
        async with self.session.post(self.webhook_url, data=body, headers=headers) as reply:
            try:
                payload = await reply.json(content_type=None)
            except ValueError:
                payload = await reply.text()
            return reply.status, payload


@pytest.fixture(scope="session", autouse=True)
def sanic_test_mode() -> None:
    """Let Sanic start more than one app in this process.

    Sanic 21.12 rewrites some of its own methods ("touch-up") when an app starts
    and cannot do it twice unless ``Sanic.test_mode`` is on from the first start
    on. It is left on for the rest of the session for that reason (Rasa's own
    test suite does the same).
    """
    Sanic.test_mode = True


@pytest.fixture
async def serve_app():
    """``await serve_app(app)`` serves a Sanic app on 127.0.0.1 until the test ends."""
    served: List[ServedChannel] = []

    async def serve(app: Sanic) -> ServedChannel:
        server, port = await start_sanic(app)
        entry = ServedChannel(app, port, aiohttp.ClientSession(), server)
        served.append(entry)
        return entry

    try:
        yield serve
    finally:
        for entry in served:
            await entry.session.close()
            await stop_sanic(entry.server)


@pytest.fixture
def serve_channel(serve_app):
    """``await serve_channel(channel, on_new_message)`` serves ``channel`` over HTTP.

    The blueprint is registered with Rasa's own ``register`` under ``/webhooks/``;
    ``on_new_message`` stands in for ``agent.handle_message``.
    """

    async def serve(channel: InputChannel, on_new_message: OnNewMessage) -> ServedChannel:
        app = Sanic(f"telegram_test_{uuid.uuid4().hex}")
        app.ctx.agent = SimpleNamespace(handle_message=on_new_message)
        register([channel], app, route="/webhooks/")
        return await serve_app(app)

    return serve


class Recorder:
    """An ``on_new_message`` that records messages and answers through their
    output channel with ``reply(message)`` (a text, a dict for ``send_response``,
    or ``None`` for no answer)."""

    def __init__(self, reply: Callable[[UserMessage], Any] | None = None) -> None:
        self.messages: List[UserMessage] = []
        self._reply = reply or (lambda message: f"echo: {message.text}")

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)
        answer = self._reply(message)
        if answer is None:
            return
        if isinstance(answer, str):
            answer = {"text": answer}
        await message.output_channel.send_response(message.sender_id, dict(answer))


@pytest.fixture
def recorder() -> Recorder:
    """An ``on_new_message`` that records every message and echoes it."""
    return Recorder()


@pytest.fixture
def make_recorder() -> Callable[..., Recorder]:
    """``make_recorder(reply)`` builds a :class:`Recorder` answering with ``reply(message)``."""
    return Recorder


@pytest.fixture
def webhook_secret() -> str:
    return WEBHOOK_SECRET


@pytest.fixture
async def telegram_channel(fake_api: FakeBotApi):
    """The channel under test, configured for the fake Bot API."""
    from channels.telegram import TelegramInput

    channel = TelegramInput(fake_api.token, WEBHOOK_SECRET, fake_api.base_url)
    try:
        yield channel
    finally:
        await channel.aclose()
