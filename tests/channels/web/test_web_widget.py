"""The embeddable widget on a demo host page (another origin) in Chromium."""

from __future__ import annotations

from typing import AsyncIterator, List, Tuple

import pytest
from playwright.async_api import Browser, Page, expect

from .pages import screenshot_path
from .webfakes import DemoHost, FakeRasa, serve

pytestmark = pytest.mark.browser


@pytest.fixture
async def demo_host() -> AsyncIterator[Tuple[DemoHost, str]]:
    """The demo host page served on its own port (a different origin)."""
    host = DemoHost()
    async with serve(host.app()) as url:
        yield host, url


async def open_host(
    browser: Browser, host_url: str, width: int = 1024, height: int = 768
) -> Tuple[Page, List[str]]:
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    console: List[str] = []
    page.on("console", lambda message: console.append(message.text))
    await page.goto(host_url)
    return page, console


async def test_widget_opens_the_chat_and_closes_with_escape(
    browser: Browser, serve_gateway, demo_host
) -> None:
    host, host_url = demo_host
    gateway_url = await serve_gateway(allowed_origins=host_url)
    host.widget_src = f"{gateway_url}/widget.js"
    page, _ = await open_host(browser, host_url)

    launcher = page.get_by_role("button", name="챗봇 상담")
    await expect(launcher).to_have_attribute("aria-expanded", "false")
    await expect(page.locator(".govchat-panel")).to_be_hidden()

    await launcher.focus()
    await page.keyboard.press("Enter")
    await expect(launcher).to_have_attribute("aria-expanded", "true")
    frame_element = page.locator("iframe.govchat-frame")
    await expect(frame_element).to_be_visible()
    await expect(frame_element).to_have_attribute("title", "정부 민원 안내 챗봇")
    chat = page.frame_locator("iframe.govchat-frame")
    await chat.locator("#message-input").fill("여권 재발급 서류 뭐가 필요해요?")
    await chat.locator("#message-input").press("Enter")
    await expect(chat.locator("#log .message--bot").last).to_contain_text("여권 발급 신청서")

    await chat.locator("#message-input").press("Escape")
    await expect(page.locator(".govchat-panel")).to_be_hidden()
    await expect(launcher).to_be_focused()
    await expect(launcher).to_have_attribute("aria-expanded", "false")

    await launcher.click()  # reopening keeps the conversation
    await expect(chat.locator("#log .message--user")).to_have_count(1)


async def test_widget_is_refused_by_sites_that_are_not_allowed(
    browser: Browser, serve_gateway, demo_host
) -> None:
    host, host_url = demo_host
    gateway_url = await serve_gateway(allowed_origins="https://www.gov.kr")
    host.widget_src = f"{gateway_url}/widget.js"
    page, console = await open_host(browser, host_url)
    await page.get_by_role("button", name="챗봇 상담").click()
    for _ in range(50):
        if any("frame-ancestors" in line for line in console):
            break
        await page.wait_for_timeout(100)
    assert any("frame-ancestors" in line for line in console), console
    assert await page.frame_locator("iframe.govchat-frame").locator("#message-input").count() == 0


async def test_widget_fits_a_320px_host_page(browser: Browser, serve_gateway, demo_host) -> None:
    host, host_url = demo_host
    gateway_url = await serve_gateway(allowed_origins=host_url)
    host.widget_src = f"{gateway_url}/widget.js"
    page, _ = await open_host(browser, host_url, width=320, height=640)
    await page.get_by_role("button", name="챗봇 상담").click()
    chat = page.frame_locator("iframe.govchat-frame")
    await expect(chat.locator("#message-input")).to_be_visible()
    box = await page.locator(".govchat-panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
    overflow = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    inner_overflow = await chat.locator("html").evaluate("html => html.scrollWidth - html.clientWidth")
    assert inner_overflow <= 0
    path = screenshot_path("widget-320.png")
    await page.screenshot(path=str(path))
    print(f"screenshot: {path}")


async def test_widget_on_another_site_keeps_its_conversation(
    browser: Browser, serve_gateway, demo_host, fake_rasa: FakeRasa
) -> None:
    # The host (127.0.0.1) and the gateway (localhost) are different sites: the
    # SameSite=Lax cookie is not sent from the iframe, the partitioned one is.
    # Chromium accepts Secure cookies from http://localhost, standing in for HTTPS.
    host, host_url = demo_host
    gateway_url = await serve_gateway(allowed_origins=host_url, cookie_secure=True)
    host.widget_src = gateway_url.replace("127.0.0.1", "localhost") + "/widget.js"
    page, _ = await open_host(browser, host_url)
    await page.get_by_role("button", name="챗봇 상담").click()
    chat = page.frame_locator("iframe.govchat-frame")
    await chat.locator("#message-input").fill("여권 재발급 서류 뭐가 필요해요?")
    await chat.locator("#message-input").press("Enter")
    await chat.get_by_role("button", name="수수료는 얼마예요?").click()
    await expect(chat.locator("#log .message--bot").last).to_contain_text("53,000")
    assert len({request["sender"] for request in fake_rasa.requests}) == 1

    await page.reload()
    await page.get_by_role("button", name="챗봇 상담").click()
    await expect(chat.locator("#log .message--user")).to_have_count(2)
    await expect(chat.locator("#log .message--user").last).to_contain_text("수수료는 얼마예요?")
