"""A citizen on Telegram and an agent at the console desk, on the real
assistant (Rasa + actions + model as `make run` starts them, the Telegram
webhook answering through the local fake Bot API; agents' hours round the
clock) — issue 18's "the same through Telegram":

the citizen asks for a person and is queued; the agent takes the chat over the
console's HTTP interface; the agent's messages reach the fake Bot API; the
citizen's Telegram messages appear in the desk's pane; the assistant says
nothing meanwhile; the agent ends the chat and the assistant asks for feedback
on Telegram.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any, Dict

import aiohttp
import pytest

from console.accounts import add_user
from console.app import create_app as create_console
from core.db import get_engine
from core.settings import get_settings
from records.live_agents import open_chat
from tests.channels.telegram.conftest import BOT_TOKEN, FakeBotApi, Updates
from tests.channels.web.webfakes import serve
from tests.console.conftest import PASSWORD
from tests.support.stack import start_stack

pytestmark = [pytest.mark.stack]

SECRET = "stack-telegram-secret_0123456789"  # noqa: S105 - a test webhook secret
CHAT = 5550777
SENDER = f"telegram:{CHAT}"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def csrf(session: aiohttp.ClientSession, url: str) -> str:
    async with session.get(url) as page:
        assert page.status == 200, (url, page.status)
        match = CSRF.search(await page.text())
        assert match, url
        return match.group(1)


async def post(session: aiohttp.ClientSession, url: str, page: str, data: Dict[str, str] | None = None,
               **kwargs: Any) -> aiohttp.ClientResponse:
    token = await csrf(session, page)
    async with session.post(url, data={"csrf_token": token, **(data or {})}, allow_redirects=False,
                            **kwargs) as response:
        await response.read()
        return response


async def wait_until(check: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_a_telegram_citizen_and_an_agent_through_the_real_assistant(tmp_path: Path) -> None:
    bot_api = FakeBotApi()
    await bot_api.start()
    updates = Updates()
    env = {"TELEGRAM_TOKEN": BOT_TOKEN, "TELEGRAM_SECRET": SECRET, "TELEGRAM_BASE_URL": bot_api.base_url,
           "LIVE_AGENT_HOURS": "연중무휴 24시간"}
    try:
        with start_stack(tmp_path / "stack", extra_env=env) as stack:
            engine = get_engine(stack.database_url)
            add_user(engine, "agent1", "agent", PASSWORD)
            settings = get_settings({"RASA_HOST": "127.0.0.1", "RASA_PORT": str(stack.rasa_port),
                                     "RASA_TOKEN": stack.rasa_token, "DATABASE_URL": stack.database_url,
                                     "ASSISTANT_VAR_DIR": str(tmp_path), **env})
            webhook = f"{stack.rasa_url}/webhooks/telegram/webhook"
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with serve(create_console(settings, engine)) as console, \
                    aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent, \
                    aiohttp.ClientSession() as telegram:

                async def citizen_says(text: str) -> None:
                    async with telegram.post(webhook, json=updates.text(CHAT, text), headers=headers) as reply:
                        assert reply.status == 200, await reply.text()

                # The agent signs in and goes on duty.
                login = await post(agent, f"{console}/login", f"{console}/login",
                                   {"login": "agent1", "password": PASSWORD})
                assert login.status in (302, 303)
                assert (await post(agent, f"{console}/agents/duty", f"{console}/agents", {"on": "1"})).status == 303

                # The citizen asks for a person on Telegram and is queued.
                await citizen_says("상담원과 이야기하고 싶어요")
                await wait_until(lambda: any("대기 순서는 1번째" in t for t in bot_api.sent_texts(CHAT)), 60)
                chat = open_chat(engine, SENDER)
                assert chat is not None and chat.channel == "telegram"

                # The agent takes it; the citizen hears a person joined.
                page = f"{console}/agents/chats/{chat.id}"
                taken = await post(agent, f"{page}/take", f"{console}/agents")
                assert taken.status == 303 and taken.headers["Location"] == f"/agents/chats/{chat.id}"
                await wait_until(lambda: any("상담사가 대화에 참여했어요" in t for t in bot_api.sent_texts(CHAT)))

                # Agent -> citizen through the Bot API.
                sent = await post(agent, f"{page}/send", page, {"text": "안녕하세요, 상담사입니다."},
                                  headers={"Accept": "application/json"})
                assert sent.status == 200
                assert bot_api.sent_texts(CHAT)[-1] == "안녕하세요, 상담사입니다."

                # Citizen -> the desk's pane; the assistant says nothing meanwhile.
                said_before = len(bot_api.sent_texts(CHAT))
                await citizen_says("여권 재발급 수수료가 얼마인지 알고 싶어요")

                async def pane() -> Dict[str, Any]:
                    async with agent.get(f"{page}/messages.json") as reply:
                        return await reply.json()

                deadline = time.monotonic() + 30
                while True:
                    data = await pane()
                    if any("여권 재발급 수수료" in m["text"] for m in data["messages"] if m["who"] == "citizen"):
                        break
                    assert time.monotonic() < deadline, data
                    await asyncio.sleep(0.3)
                await asyncio.sleep(2)
                assert len(bot_api.sent_texts(CHAT)) == said_before, bot_api.sent_texts(CHAT)[said_before:]

                # The agent ends it: the assistant is back and asks for feedback on Telegram.
                ended = await post(agent, f"{page}/end", page)
                assert ended.status == 303
                await wait_until(lambda: bot_api.sent_texts(CHAT)[-1] == "상담이 도움이 되셨나요?")
                assert "상담사와의 대화가 끝났어요" in bot_api.sent_texts(CHAT)[-2]
                assert open_chat(engine, SENDER) is None
    finally:
        await bot_api.close()
