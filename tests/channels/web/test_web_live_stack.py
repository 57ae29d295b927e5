"""The chat page against the real assistant: trained model, action server and
catalogue (the ``live_stack`` fixture from tests/conftest.py starts them).

Passes only once the model is trained and the catalogue holds the passport
reissue service; every other web test runs against a fake Rasa.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, expect

from channels.web.app import create_app
from core.settings import get_settings

from .pages import open_page, screenshot_path
from .webfakes import serve

pytestmark = [pytest.mark.browser, pytest.mark.stack]

# What the assistant says when it did not understand; a real answer is neither.
FALLBACK_MARKERS = ("이해하지 못", "다시 말씀", "did not understand", "didn't understand", "rephrase")


async def ask_and_read_answer(page: Page, question: str) -> str:
    before = await page.locator("#log .message--bot").count()
    await page.locator("#message-input").fill(question)
    await page.locator("#message-input").press("Enter")
    await expect(page.locator("#log .message--bot")).not_to_have_count(before, timeout=60_000)
    await expect(page.locator("#typing")).to_be_hidden(timeout=60_000)
    await expect(page.locator("#error-box")).to_be_hidden()
    answers = await page.locator("#log .message--bot").all()
    return "\n".join([await answer.inner_text() for answer in answers[before:]])


async def test_passport_documents_in_korean_and_english_on_the_real_stack(
    browser: Browser, live_stack, tmp_path: Path
) -> None:
    rasa = urlsplit(live_stack.rasa_url)
    settings = get_settings(
        {
            "RASA_HOST": rasa.hostname or "127.0.0.1",
            "RASA_PORT": str(rasa.port),
            "RASA_TOKEN": live_stack.rasa_token or "",
            "DATABASE_URL": live_stack.database_url,
            "ASSISTANT_VAR_DIR": str(tmp_path),
        }
    )
    async with serve(create_app(settings)) as gateway_url:
        page, watch = await open_page(browser, gateway_url)

        korean = await ask_and_read_answer(page, "여권 재발급 서류 뭐가 필요해요?")
        assert "여권" in korean
        assert not any(marker in korean for marker in FALLBACK_MARKERS), korean
        await expect(page.locator("#log .message--bot").last).to_have_attribute("lang", "ko")
        await page.screenshot(path=str(screenshot_path("chat-ko-live.png")))

        await page.get_by_role("button", name="English").click()
        await expect(page.locator("#log .message--bot").last).to_have_attribute("lang", "en", timeout=60_000)
        english = await ask_and_read_answer(page, "What documents do I need to reissue my passport?")
        assert "passport" in english.lower()
        assert not any(marker in english for marker in FALLBACK_MARKERS), english
        await expect(page.locator("#log .message--bot").last).to_have_attribute("lang", "en")
        await page.screenshot(path=str(screenshot_path("chat-en-live.png")))

        await page.reload()  # the real tracker gives the history back
        await expect(page.locator("#log .message--user")).to_have_count(2)
        assert watch.page_errors == []
