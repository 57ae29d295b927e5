"""The console in Debian's Chromium against the running assistant (Rasa + actions as `make run` starts them).

An editor changes a fee, previews the answers in Korean and English and
submits; a reviewer publishes; the bot's REST channel answers with the new
fee at once. Also: 403 across agencies, a form without its CSRF token, a
locked account, keyboard-only sign-in, axe-core on the main pages in both
languages, and screenshots under reports/screenshots/.
"""

from __future__ import annotations

import json
import time
import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from console.app import create_app
from core.db import get_engine, session_scope
from core.settings import get_settings
from knowledge.models import Service
from tests.channels.web.pages import AXE_CORE_PATH, screenshot_path
from tests.channels.web.webfakes import serve
from tests.support.conversation import post_rest
from tests.support.stack import Stack, start_stack

from .conftest import ACCOUNTS, APPLICATION_NUMBER, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.stack]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
NEW_FEE_KO = "53,500원"
NEW_FEE_EN = "KRW 53,500"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Rasa and the action server on a seeded database, with the console's test accounts and application."""
    from datetime import date, datetime, timezone

    from applications.hashing import BirthDateHasher
    from applications.repository import add_application, default_handling
    from console.accounts import add_user
    from knowledge.importer import set_service_field

    with start_stack(tmp_path_factory.mktemp("console-stack")) as running:
        engine = get_engine(running.database_url)
        for login, (role, agency) in ACCOUNTS.items():
            add_user(engine, login, role, PASSWORD, agency)
        with session_scope(engine) as session:
            add_application(
                session, service_id="passport_reissue", birth_date=date(1988, 4, 2),
                handling=default_handling("passport_reissue"), hasher=BirthDateHasher(b"console-browser-pepper-01"),
                now=datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc), created_by="seed", number=APPLICATION_NUMBER,
            )
        # One service overdue for review, so the list shows the flag.
        set_service_field(engine, "child_allowance", "last_reviewed", "2024-01-15", actor="seed")
        yield running


@asynccontextmanager
async def serve_console(stack: Stack, **env: str) -> AsyncIterator[str]:
    """The console on a free loopback port, on the stack's database."""
    settings = get_settings({"DATABASE_URL": stack.database_url, "ASSISTANT_VAR_DIR": str(stack.workdir), **env})
    async with serve(create_app(settings, get_engine(stack.database_url))) as url:
        yield url


async def new_page(browser: Browser) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    return await context.new_page()


async def sign_in(page: Page, base: str, login: str, password: str = PASSWORD) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("아이디").fill(login)
    await page.get_by_label("비밀번호").fill(password)
    await page.get_by_role("button", name="로그인").click()


async def run_axe(page: Page) -> list:
    """Serious and critical axe-core violations of the page."""
    if not AXE_CORE_PATH.exists():
        pytest.fail(f"axe-core not found at {AXE_CORE_PATH}: make build/node/node_modules/axe-core/axe.min.js")
    await page.evaluate(AXE_CORE_PATH.read_text(encoding="utf-8"))
    results = await page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def rest_text(stack: Stack, message: str) -> str:
    status, reply = post_rest(stack.rasa_url, f"console-{uuid.uuid4().hex[:8]}", message)
    assert status == 200, reply
    return "\n".join(item.get("text") or "" for item in reply or [])


async def test_edit_preview_submit_publish_and_the_bot_answers_the_new_fee(browser: Browser, stack: Stack) -> None:
    async with serve_console(stack) as base:
        editor = await new_page(browser)
        await sign_in(editor, base, "editor.mofa")
        await expect(editor.locator("#service-list")).to_be_visible()
        await expect(editor.locator("#service-list tr.stale")).to_contain_text("child_allowance")
        await editor.screenshot(path=str(screenshot_path("console-service-list.png")), full_page=True)
        await editor.get_by_role("link", name="passport_reissue").click()
        await editor.get_by_label("수수료 문구 (한국어)").fill(NEW_FEE_KO)
        await editor.get_by_label("수수료 문구 (영어)").fill(NEW_FEE_EN)
        await editor.get_by_role("button", name="미리 보기").click()
        await expect(editor.locator("#preview-ko [data-topic=fee]")).to_contain_text(f"여권 재발급 수수료: {NEW_FEE_KO}")
        await expect(editor.locator("#preview-en [data-topic=fee]")).to_contain_text(
            f"Fee for Passport reissuance: {NEW_FEE_EN}"
        )
        await editor.locator("#preview").screenshot(path=str(screenshot_path("console-preview.png")))
        assert NEW_FEE_KO not in rest_text(stack, "여권 재발급 수수료 얼마예요?")  # a preview saves nothing
        await editor.get_by_role("button", name="검토 요청").click()
        await expect(editor.locator("#flash")).to_contain_text("검토를 요청했습니다")

        reviewer = await new_page(browser)
        await sign_in(reviewer, base, "reviewer1")
        await reviewer.get_by_role("link", name="검토 대기").click()
        await reviewer.locator("a[href^='/changes/']").first.click()
        await expect(reviewer.locator("#preview-en")).to_contain_text(NEW_FEE_EN)
        await reviewer.get_by_role("button", name="승인하고 게시").click()
        await expect(reviewer.locator("#flash")).to_contain_text("게시했습니다")
        published = time.monotonic()
        korean = rest_text(stack, "여권 재발급 수수료 얼마예요?")
        elapsed = time.monotonic() - published
        english = rest_text(stack, "How much is the fee for a passport reissue?")
    assert NEW_FEE_KO in korean, korean
    assert NEW_FEE_EN in english, english
    assert elapsed < 2.0, f"the first answer after publishing took {elapsed:.2f} s"


async def test_an_editor_of_another_agency_gets_403(browser: Browser, stack: Stack) -> None:
    async with serve_console(stack) as base:
        page = await new_page(browser)
        await sign_in(page, base, "editor.mois")
        response = await page.goto(f"{base}/services/passport_reissue")
        assert response is not None and response.status == 403
        await expect(page.locator("h1")).to_have_text("권한이 없습니다")


async def test_a_form_posted_without_its_csrf_token_is_refused(browser: Browser, stack: Stack) -> None:
    async with serve_console(stack) as base:
        page = await new_page(browser)
        await sign_in(page, base, "reviewer1")
        await page.goto(f"{base}/services/passport_reissue")
        before = service_fee(stack)
        await page.get_by_label("수수료 문구 (한국어)").fill("1원")
        await page.evaluate("() => document.querySelector('#service-form input[name=csrf_token]').remove()")
        async with page.expect_response(lambda r: r.request.method == "POST") as posted:
            await page.get_by_role("button", name="게시").click()
        assert (await posted.value).status == 403
        await expect(page.locator(".error-text")).to_contain_text("CSRF")
        assert service_fee(stack) == before


def service_fee(stack: Stack) -> str:
    with session_scope(get_engine(stack.database_url)) as session:
        return session.scalar(select(Service.fee_ko).where(Service.id == "passport_reissue")) or ""


async def test_a_locked_account_cannot_sign_in_and_sign_in_works_by_keyboard(browser: Browser, stack: Stack) -> None:
    async with serve_console(stack, CONSOLE_MAX_FAILED_LOGINS="3") as base:
        page = await new_page(browser)
        for _ in range(3):
            await sign_in(page, base, "clerk.mois", "not-the-password")
        await expect(page.locator("#login-error")).to_contain_text("계정이 잠겼습니다")
        await sign_in(page, base, "clerk.mois")
        await expect(page.locator("#login-error")).to_contain_text("계정이 잠겼습니다")
        assert "/login" in page.url

        keyboard = await new_page(browser)
        await keyboard.goto(f"{base}/login")
        await keyboard.keyboard.press("Tab")
        await expect(keyboard.locator(".skip")).to_be_focused()
        await keyboard.keyboard.press("Enter")
        for _ in range(10):  # move to the login field from wherever the skip link left the focus
            if await keyboard.evaluate("() => document.activeElement.id") == "login":
                break
            await keyboard.keyboard.press("Tab")
        await keyboard.keyboard.type("clerk.mofa")
        await keyboard.keyboard.press("Tab")
        await keyboard.keyboard.type(PASSWORD)
        await keyboard.keyboard.press("Enter")
        await expect(keyboard.get_by_role("heading", name="신청 건 조회")).to_be_visible()


@pytest.mark.parametrize("language", ["ko", "en"])
async def test_main_pages_have_no_serious_accessibility_violations(
    browser: Browser, stack: Stack, language: str
) -> None:
    async with serve_console(stack) as base:
        page = await new_page(browser)
        await page.goto(f"{base}/lang/{language}?next=/login")
        await expect(page.locator("html")).to_have_attribute("lang", language)
        found = {"login": await run_axe(page)}
        await page.locator("#login").fill("admin1")
        await page.locator("#password").fill(PASSWORD)
        await page.locator("button.primary").click()
        await expect(page.locator("#service-list")).to_be_visible()
        found["services"] = await run_axe(page)
        await page.goto(f"{base}/services/passport_reissue")
        await page.locator("#f-source").fill("not a web address")
        await page.locator("#f-last_reviewed").fill("2026-02-30")
        await page.locator("#f-overview-en").fill("<b>bold</b>")
        await page.locator("button[value=preview]").click()
        await expect(page.locator("#f-source-error")).to_be_visible()
        await expect(page.locator("#f-overview-en")).to_have_value("<b>bold</b>")  # input kept
        if language == "ko":
            await page.screenshot(path=str(screenshot_path("console-editor-validation-error.png")), full_page=True)
        found["editor with errors"] = await run_axe(page)
        await page.goto(f"{base}/services/passport_reissue")
        await page.locator("button[value=preview]").click()
        await expect(page.locator("#preview")).to_be_visible()
        found["preview"] = await run_axe(page)
        for name, path in [("history", "/services/passport_reissue/history"), ("review queue", "/changes"),
                           ("application", f"/applications?number={APPLICATION_NUMBER}"), ("audit", "/audit"),
                           ("catalogue", "/catalogue"), ("accounts", "/users"), ("notices", "/notices")]:
            await page.goto(base + path)
            found[name] = await run_axe(page)
        # Guards the check against passing because axe did not run.
        await page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
        assert "button-name" in [problem["id"] for problem in await run_axe(page)]
    assert {name: problems for name, problems in found.items() if problems} == {}, json.dumps(found, indent=1)
