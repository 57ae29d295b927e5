"""A citizen on the chat page and an agent in the console, in two browser
contexts, on the real assistant (Rasa + actions + model as `make run` starts
them; agents' hours round the clock so the test does not depend on the time of
day) — issue 18's acceptance run:

the citizen asks for a person and is queued; the agent takes the chat; both
exchange messages that appear live on the other side; the assistant says
nothing meanwhile; the agent ends the chat and the assistant asks for feedback,
which it then answers.

Needs the gateway to serve /api/live/events (channels/web/live.py registered
in channels/web/app.py), the chat page to follow it (chat.js) and the
LIVE_AGENT_HOURS setting (core/settings.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator

import pytest
from playwright.async_api import Browser, Page, expect

from channels.web.app import create_app as create_gateway
from console.accounts import add_user
from console.app import create_app as create_console
from core.db import get_engine
from core.settings import get_settings
from tests.channels.web.pages import open_page, screenshot_path
from tests.channels.web.webfakes import serve
from tests.console.conftest import PASSWORD
from tests.console.test_console_browser import sign_in
from tests.support.stack import Stack, start_stack

pytestmark = [pytest.mark.browser, pytest.mark.stack]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_stack(tmp_path_factory.mktemp("agents-stack"),
                     extra_env={"LIVE_AGENT_HOURS": "연중무휴 24시간"}) as running:
        add_user(get_engine(running.database_url), "agent1", "agent", PASSWORD)
        yield running


def settings_for(stack: Stack, var_dir: Path):  # type: ignore[no-untyped-def]
    return get_settings({"RASA_HOST": "127.0.0.1", "RASA_PORT": str(stack.rasa_port), "RASA_TOKEN": stack.rasa_token,
                         "DATABASE_URL": stack.database_url, "ASSISTANT_VAR_DIR": str(var_dir)})


async def say(page: Page, text: str) -> None:
    await page.locator("#message-input").fill(text)
    await page.locator("#message-input").press("Enter")
    await expect(page.locator("#typing")).to_be_hidden(timeout=60_000)


async def test_a_citizen_and_an_agent_chat_live_and_the_bot_steps_aside(browser: Browser, stack: Stack,
                                                                      tmp_path: Path) -> None:
    settings = settings_for(stack, tmp_path)
    async with serve(create_gateway(settings)) as chat_url, \
            serve(create_console(settings, get_engine(stack.database_url))) as console_url:
        agent_context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
        agent = await agent_context.new_page()
        await sign_in(agent, console_url, "agent1")
        await agent.goto(f"{console_url}/agents")
        await agent.get_by_role("button", name="상담 시작").click()

        citizen, watch = await open_page(browser, chat_url)
        bot = citizen.locator("#log .message--bot")
        await say(citizen, "상담원과 이야기하고 싶어요")
        await expect(bot.last).to_contain_text("대기 순서는 1번째", timeout=60_000)

        # The desk shows the waiting chat by itself; the agent takes it.
        take = agent.get_by_role("button", name="상담 맡기").first
        await expect(take).to_be_visible(timeout=15_000)
        await take.click()
        await expect(agent.locator("#messages")).to_be_visible()
        await expect(bot.last).to_contain_text("상담사가 대화에 참여했어요", timeout=15_000)

        # Agent -> citizen, live.
        await agent.locator("#reply").fill("안녕하세요, 상담사입니다. 무엇을 도와드릴까요?")
        await agent.get_by_role("button", name="보내기").click()
        await expect(bot.last).to_contain_text("안녕하세요, 상담사입니다. 무엇을 도와드릴까요?", timeout=15_000)

        # Citizen -> agent, live; the assistant says nothing.
        answers_before = await bot.count()
        await say(citizen, "여권 재발급 수수료가 얼마인지 알고 싶어요")
        await expect(agent.locator("#messages")).to_contain_text("여권 재발급 수수료가 얼마인지", timeout=15_000)
        await asyncio.sleep(2)
        assert await bot.count() == answers_before, "the assistant answered while the agent held the chat"
        await citizen.screenshot(path=str(screenshot_path("agents-citizen-live-ko.png")))

        # The agent ends it: the assistant is back and asks about the agent.
        await agent.get_by_role("button", name="상담 끝내기").click()
        await expect(bot.last).to_contain_text("상담이 도움이 되셨나요?", timeout=15_000)
        await expect(bot.nth(-2)).to_contain_text("상담사와의 대화가 끝났어요")
        before_rating = await bot.count()
        await citizen.get_by_role("button", name="👍 도움이 됐어요").click()
        await expect(bot).not_to_have_count(before_rating, timeout=60_000)
        assert watch.page_errors == []
        await agent_context.close()
