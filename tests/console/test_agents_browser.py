"""The live-agent desk in Debian's Chromium (issue 18): an agent signs in, goes
on duty, takes a Telegram citizen's chat from the queue, and chats live: the
citizen's messages (logged by Rasa while the assistant is paused; a stand-in
for Rasa's HTTP API here) appear without a reload, a canned reply goes out to
the fake Telegram Bot API at once, and ending the chat resumes the assistant,
which asks for feedback. Two agents in two browser contexts: only one gets the
chat. axe-core checks both pages; screenshots go to reports/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy.engine import Engine

from console.accounts import add_user
from console.app import create_app
from records.live_agents import get_chat, join_queue
from tests.channels.telegram.conftest import BOT_TOKEN, FakeBotApi
from tests.channels.web.pages import screenshot_path
from tests.channels.web.webfakes import serve
from tests.console.agent_support import RASA_TOKEN, FakeRasaApi
from tests.console.conftest import PASSWORD, console_settings
from tests.console.test_console_browser import run_axe, sign_in

pytestmark = [pytest.mark.browser]

CITIZEN = "telegram:7770001"


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[tuple]:
    rasa, bot = FakeRasaApi(), FakeBotApi()
    await rasa.start()
    await bot.start()
    yield rasa, bot
    await rasa.close()
    await bot.close()


async def agent_page(browser: Browser, base: str, login: str) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = await context.new_page()
    await sign_in(page, base, login)
    await page.goto(f"{base}/agents")
    return page


async def test_an_agent_takes_and_answers_a_telegram_chat_live(browser: Browser, console_engine: Engine,
                                                               services: Any, tmp_path: Path) -> None:
    rasa, bot = services
    for name in ("agent1", "agent2"):
        add_user(console_engine, name, "agent", PASSWORD)
    settings = console_settings(tmp_path, RASA_HOST="127.0.0.1", RASA_PORT=str(rasa.port), RASA_TOKEN=RASA_TOKEN,
                                TELEGRAM_TOKEN=BOT_TOKEN, TELEGRAM_BASE_URL=bot.base_url)
    async with serve(create_app(settings, console_engine)) as base:
        first = await agent_page(browser, base, "agent1")
        second = await agent_page(browser, base, "agent2")
        await first.get_by_role("button", name="상담 시작").click()
        await expect(first.locator("#duty-state")).to_have_text("지금 상담을 받고 있습니다.")
        chat_id = join_queue(console_engine, sender_id=CITIZEN, language="ko", reason="repeated_fallback",
                             agency_id=None, transcript=[{"who": "user", "text": "2026-0012347 어떻게 됐어요"}]).chat_id
        # The desk notices the new chat by itself.
        row = first.locator(f"#chat-{chat_id}")
        await expect(row).to_be_visible(timeout=10_000)
        await expect(row).to_contain_text("이해 실패 반복")
        await row.locator("summary").click()
        await expect(row).to_contain_text("****-*******")
        assert await run_axe(first) == []
        await first.screenshot(path=str(screenshot_path("agents-queue-ko.png")))
        # Both agents press "take" on the same chat: one gets it.
        await second.reload()
        await second.get_by_role("button", name=f"상담 맡기 #{chat_id}").click()
        await first.get_by_role("button", name=f"상담 맡기 #{chat_id}").click()
        await expect(second).to_have_url(f"{base}/agents/chats/{chat_id}")
        await expect(first.locator("#flash")).to_contain_text("다른 상담사가 먼저 맡았거나")
        assert get_chat(console_engine, chat_id).agent_login == "agent2"
        page = second
        assert rasa.paused(CITIZEN)
        # The citizen writes on Telegram; the pane shows it without a reload.
        rasa.citizen_says(CITIZEN, "여권 재발급 신청 상태가 궁금해요")
        await expect(page.locator("#messages")).to_contain_text("여권 재발급 신청 상태가 궁금해요", timeout=10_000)
        # A canned reply, in Korean, goes out at once.
        await page.get_by_role("button", name="확인해 드릴게요. 잠시만 기다려 주세요.").click()
        await page.get_by_role("button", name="보내기").click()
        await expect(page.locator("#messages .msg--agent")).to_have_text(
            "상담사: 확인해 드릴게요. 잠시만 기다려 주세요.", timeout=10_000)
        await expect(page.locator("#reply")).to_have_value("")
        assert bot.sent_texts(7770001)[-1] == "확인해 드릴게요. 잠시만 기다려 주세요."
        assert await run_axe(page) == []
        await page.screenshot(path=str(screenshot_path("agents-chat-ko.png")))
        await page.get_by_role("button", name="상담 끝내기").click()
        await expect(page.locator("#flash")).to_contain_text("상담을 끝냈습니다")
        assert not rasa.paused(CITIZEN)
        assert bot.sent_texts(7770001)[-1] == "상담이 도움이 되셨나요?"
        assert get_chat(console_engine, chat_id).outcome == "resolved"
