"""Browser helpers for the web channel tests: Debian's Chromium driven by
Playwright (never ``playwright install``), pages watched for dialogs, script
errors and CSP violations, and where screenshots go."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List

from playwright.async_api import Browser, Page

from core.settings import PROJECT_ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_CORE_PATH = Path(
    os.environ.get("AXE_CORE_PATH", PROJECT_ROOT / "build/node/node_modules/axe-core/axe.min.js")
)
SCREENSHOT_DIR = PROJECT_ROOT / "reports" / "screenshots"


@dataclass
class PageWatch:
    """What a page did that a test may want to forbid: dialogs (alert from
    injected markup), uncaught script errors and CSP violations."""

    dialogs: List[str] = field(default_factory=list)
    page_errors: List[str] = field(default_factory=list)
    console_errors: List[str] = field(default_factory=list)


async def open_page(
    browser: Browser, url: str, *, width: int = 1024, height: int = 768
) -> tuple[Page, PageWatch]:
    """A fresh browser context (own cookies) with ``url`` loaded and watched."""
    context = await browser.new_context(viewport={"width": width, "height": height}, locale="ko-KR")
    page = await context.new_page()
    watch = PageWatch()

    async def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.on("console", lambda msg: watch.console_errors.append(msg.text) if msg.type == "error" else None)
    await page.goto(url)
    await page.locator("#log .message").first.wait_for()
    return page, watch


def screenshot_path(name: str) -> Path:
    """Where a test saves a screenshot (reports/ is git-ignored)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR / name
