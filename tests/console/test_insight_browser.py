"""The insight dashboard and the review inbox in Debian's Chromium (issue 17).

An analyst reads the figures (charts load, each beside its table); a trainer
labels a failed question with the keyboard only and downloads the export;
axe-core finds no serious or critical violation on either page in Korean or
English. Screenshots go under reports/screenshots/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from playwright.async_api import Browser, Page, expect
from sqlalchemy.engine import Engine

from console.app import create_app
from tests.channels.web.pages import screenshot_path
from tests.channels.web.webfakes import serve
from tests.records.insight_support import fill_store

from .conftest import PASSWORD, console_settings
from .test_console_browser import run_axe

pytestmark = [pytest.mark.browser]


async def signed_in(browser: Browser, base: str, login: str, language: str = "ko") -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR",
                                        accept_downloads=True)
    page = await context.new_page()
    await page.goto(f"{base}/lang/{language}?next=/login")
    await page.locator("#login").fill(login)
    await page.locator("#password").fill(PASSWORD)
    await page.locator("button.primary").click()
    await expect(page.locator("main")).to_be_visible()
    return page


@pytest.mark.parametrize("language", ["ko", "en"])
async def test_dashboard_and_inbox_work_by_keyboard_and_pass_axe(
    browser: Browser, console_engine: Engine, tmp_path: Path, language: str
) -> None:
    await fill_store(tmp_path / "console.db", console_engine)
    found = {}
    async with serve(create_app(console_settings(tmp_path), console_engine)) as base:
        analyst = await signed_in(browser, base, "analyst1", language)
        await analyst.goto(f"{base}/insight")
        await expect(analyst.locator("#fig-conversations")).to_have_text("5")
        for chart in ("volume", "rates"):
            image = analyst.locator(f"#chart-{chart}")
            await expect(image).to_be_visible()
            assert await image.evaluate("img => img.complete && img.naturalWidth > 0"), chart
            await expect(analyst.locator(f"#table-{chart} tbody tr")).to_have_count(3)
        await expect(analyst.locator("#question-groups > li").first).to_contain_text("how do I renew my licence")
        await analyst.screenshot(path=str(screenshot_path(f"insight-dashboard-{language}.png")), full_page=True)
        found["dashboard"] = await run_axe(analyst)
        await analyst.select_option("#f-channel", "telegram")
        await analyst.locator("form[role=search] button").press("Enter")
        await expect(analyst.locator("#fig-conversations")).to_have_text("1")

        trainer = await signed_in(browser, base, "reviewer1", language)
        await trainer.goto(f"{base}/review?source=nlu_fallback")
        item = trainer.locator(".review-item", has_text="how do I renew my licence")
        await expect(item).to_have_count(1)
        select = item.locator("select")
        await select.focus()
        await select.select_option("ask_service_how_to_apply")
        await trainer.keyboard.press("Tab")
        await trainer.keyboard.type("licence")
        await trainer.keyboard.press("Tab")
        await trainer.keyboard.press("Enter")  # the accept button, reached by Tab
        await expect(trainer.locator("#flash")).to_be_visible()
        await trainer.goto(f"{base}/review?state=accepted")
        await expect(trainer.locator(".review-item")).to_contain_text("[licence]")
        await trainer.screenshot(path=str(screenshot_path(f"insight-review-{language}.png")), full_page=True)
        found["review"] = await run_axe(trainer)
        async with trainer.expect_download() as download_info:
            await trainer.locator("#review-export").click()
        download = await download_info.value
        exported = Path(await download.path()).read_text(encoding="utf-8")
        assert yaml.safe_load(exported)["nlu"][0]["examples"] == "- how do I renew my [licence](service)\n"
    assert {name: problems for name, problems in found.items() if problems} == {}, json.dumps(found, indent=1)
