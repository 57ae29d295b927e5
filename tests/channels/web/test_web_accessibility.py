"""Automated WCAG 2.1 AA check of the chat page with axe-core, in Korean and in
English, with a conversation on screen (bot buttons, links, an error box).

axe-core comes from npm, outside the tracked files:
``npm install --prefix build/node axe-core@4`` (or set AXE_CORE_PATH).
"""

from __future__ import annotations

import json

import pytest
from playwright.async_api import Browser, Page, expect

from .pages import AXE_CORE_PATH, open_page
from .webfakes import FakeRasa

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


async def run_axe(page: Page) -> dict:
    """Load axe-core into ``page`` (through DevTools, so the page's CSP stays
    in force) and return its results for the whole document."""
    if not AXE_CORE_PATH.exists():
        pytest.fail(f"axe-core not found at {AXE_CORE_PATH}: npm install --prefix build/node axe-core@4")
    await page.evaluate(AXE_CORE_PATH.read_text(encoding="utf-8"))
    return await page.evaluate(
        "async (tags) => await axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )


def serious(results: dict) -> list:
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("language", ["ko", "en"])
async def test_no_serious_accessibility_violations(
    browser: Browser, served_gateway: str, fake_rasa: FakeRasa, language: str
) -> None:
    page, watch = await open_page(browser, served_gateway)
    if language == "en":
        await page.get_by_role("button", name="English").click()
        await expect(page.locator("html")).to_have_attribute("lang", "en")
    question = (
        "여권 재발급 서류 뭐가 필요해요?" if language == "ko" else "Which documents do I need for a passport?"
    )
    await page.locator("#message-input").fill(question)
    await page.locator("#message-input").press("Enter")
    await expect(page.locator("#log .message--bot").last.locator(".choice-button")).to_have_count(2)
    await expect(page.locator("#log .message--bot a").first).to_be_visible()
    fake_rasa.mode = "error"  # an error box with its retry button on screen as well
    await page.locator("#message-input").fill(question)
    await page.locator("#message-input").press("Enter")
    await expect(page.locator("#retry-button")).to_be_visible()

    results = await run_axe(page)
    assert serious(results) == [], json.dumps(serious(results), ensure_ascii=False, indent=1)
    assert [error for error in watch.console_errors if "Content Security Policy" in error] == []


async def test_axe_harness_reports_a_planted_violation(browser: Browser, served_gateway: str) -> None:
    # Guards the check above against passing because axe did not run.
    page, _ = await open_page(browser, served_gateway)
    await page.evaluate("() => document.querySelector('#log').append(document.createElement('button'))")
    assert "button-name" in [violation["id"] for violation in serious(await run_axe(page))]


async def test_every_message_has_a_language_and_the_log_is_live(
    browser: Browser, served_gateway: str
) -> None:
    page, _ = await open_page(browser, served_gateway)
    await page.locator("#message-input").fill("여권 재발급 서류 뭐가 필요해요?")
    await page.locator("#message-input").press("Enter")
    await page.locator("#message-input").fill("And in English please, passport?")
    await page.locator("#message-input").press("Enter")
    await expect(page.locator("#log .message")).to_have_count(5)
    log = page.locator("#log")
    await expect(log).to_have_attribute("role", "log")
    await expect(log).to_have_attribute("aria-live", "polite")
    languages = await page.locator("#log .message").evaluate_all("items => items.map(item => item.lang)")
    assert languages == ["ko", "ko", "ko", "en", "en"]
    await expect(page.get_by_label("메시지")).to_be_visible()  # the textarea has a label
