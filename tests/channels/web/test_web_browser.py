"""The chat page in a real Chromium, against the gateway and a fake Rasa that
answers like the real one."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from core.privacy import RRN_MASK

from .pages import open_page, screenshot_path
from .webfakes import FALLBACK, FEE_ANSWER, PASSPORT_ANSWER, FakeRasa

pytestmark = pytest.mark.browser

PASSPORT_QUESTION = "여권 재발급 서류 뭐가 필요해요?"


async def ask(page: Page, text: str) -> None:
    """Type ``text`` into the composer and press Enter."""
    await page.locator("#message-input").fill(text)
    await page.locator("#message-input").press("Enter")


def bot_messages(page: Page):
    return page.locator("#log .message--bot")


def user_messages(page: Page):
    return page.locator("#log .message--user")


async def assert_no_horizontal_scroll(page: Page) -> None:
    overflow = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


async def test_korean_question_answer_and_bot_button(
    browser: Browser, served_gateway: str, fake_rasa: FakeRasa
) -> None:
    page, watch = await open_page(browser, served_gateway)
    await expect(page.locator("html")).to_have_attribute("lang", "ko")

    await ask(page, PASSPORT_QUESTION)
    answer = bot_messages(page).last
    await expect(answer).to_contain_text("여권 발급 신청서")
    await expect(answer).to_have_attribute("lang", "ko")
    await expect(user_messages(page).last).to_have_text(f"나: {PASSPORT_QUESTION}")
    await expect(page.locator("#message-input")).to_have_value("")

    link = answer.locator("a")
    await expect(link).to_have_count(1)
    await expect(link).to_have_attribute("href", "https://www.passport.go.kr/home/kor/contents.do?menuPos=4")
    await expect(link).to_have_attribute("target", "_blank")
    await expect(link).to_have_attribute("rel", "noopener noreferrer")

    await answer.get_by_role("button", name="수수료는 얼마예요?").click()
    await expect(user_messages(page).last).to_contain_text("수수료는 얼마예요?")
    await expect(bot_messages(page).last).to_have_text(f"상담봇: {FEE_ANSWER['ko']}")
    relayed = fake_rasa.requests[-1]
    assert relayed["message"] == '/ask_service_fee{"service": "여권 재발급"}'
    assert relayed["metadata"]["display_text"] == "수수료는 얼마예요?"
    await expect(page.locator("#message-input")).to_be_focused()

    path = screenshot_path("chat-ko.png")
    await page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    assert watch.dialogs == [] and watch.page_errors == [] and watch.console_errors == []


async def test_language_switch_changes_page_and_bot_language(
    browser: Browser, served_gateway: str, fake_rasa: FakeRasa
) -> None:
    page, watch = await open_page(browser, served_gateway)
    await page.get_by_role("button", name="English").click()

    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    await expect(page.get_by_role("button", name="한국어")).to_have_attribute("aria-pressed", "false")
    await expect(page.locator("#send-button")).to_have_text("Send")
    await expect(page.locator("label[for=message-input]")).to_have_text("Message")
    await expect(page).to_have_title("Government Services Assistant")
    switched = bot_messages(page).last
    await expect(switched).to_contain_text("I will answer in English")
    await expect(switched).to_have_attribute("lang", "en")
    assert fake_rasa.requests[-1]["message"] == '/set_language{"language": "en"}'
    assert fake_rasa.requests[-1]["metadata"]["hidden"] is True
    await expect(user_messages(page)).to_have_count(0)  # the switch is not shown as a message

    await ask(page, "What documents do I need to reissue my passport?")
    answer = bot_messages(page).last
    await expect(answer).to_contain_text(PASSPORT_ANSWER["en"].split("\n")[0])
    await expect(answer).to_have_attribute("lang", "en")
    await answer.get_by_role("button", name="How much is the fee?").click()
    await expect(bot_messages(page).last).to_contain_text("KRW 53,000")

    path = screenshot_path("chat-en.png")
    await page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")

    await page.reload()  # the chosen interface language survives a reload
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#send-button")).to_have_text("Send")
    assert watch.page_errors == [] and watch.console_errors == []


async def test_reload_shows_the_conversation_again(
    browser: Browser, served_gateway: str, fake_rasa: FakeRasa
) -> None:
    page, _ = await open_page(browser, served_gateway)
    await ask(page, PASSPORT_QUESTION)
    await bot_messages(page).last.get_by_role("button", name="수수료는 얼마예요?").click()
    await expect(bot_messages(page).last).to_contain_text("53,000")

    await page.reload()
    await expect(user_messages(page)).to_have_count(2)
    await expect(user_messages(page).nth(0)).to_contain_text(PASSPORT_QUESTION)
    await expect(user_messages(page).nth(1)).to_contain_text("수수료는 얼마예요?")
    await expect(bot_messages(page)).to_have_count(2)
    await expect(page.locator("#log")).not_to_contain_text("안녕하세요")  # no welcome over a history

    # Buttons from the history still work.
    await bot_messages(page).first.get_by_role("button", name="어디서 신청해요?").click()
    await expect(bot_messages(page).last).to_contain_text("시·군·구청")
    assert len({request["sender"] for request in fake_rasa.requests}) == 1

    await page.get_by_role("button", name="새 대화").click()
    await expect(user_messages(page)).to_have_count(0)
    await expect(bot_messages(page).last).to_contain_text("안녕하세요")
    await page.reload()
    await expect(user_messages(page)).to_have_count(0)


async def test_a_message_sent_while_the_history_loads_is_shown_once_after_it(
    browser: Browser, serve_gateway, fake_rasa: FakeRasa
) -> None:
    gateway_url = await serve_gateway(rasa_timeout_seconds=10.0)  # a slow history, not a failed one
    page, watch = await open_page(browser, gateway_url)
    await ask(page, PASSPORT_QUESTION)
    await expect(bot_messages(page).last).to_contain_text("여권 발급 신청서")

    fake_rasa.tracker_delay = 1.0  # the history answers after the next message would have
    await page.reload()
    await ask(page, "수수료는 얼마예요?")
    await expect(page.locator("#message-input")).to_have_value("")

    log = page.locator("#log .message")
    await expect(user_messages(page)).to_have_count(2)
    await expect(log).to_have_count(4)
    await expect(log.nth(0)).to_contain_text(PASSPORT_QUESTION)
    await expect(log.nth(2)).to_contain_text("수수료는 얼마예요?")
    await expect(log.nth(3)).to_contain_text(FALLBACK["ko"])
    await page.wait_for_timeout(500)
    await expect(user_messages(page)).to_have_count(2)
    assert [request["message"] for request in fake_rasa.requests] == [PASSPORT_QUESTION, "수수료는 얼마예요?"]
    assert watch.page_errors == [] and watch.console_errors == []


async def test_markup_is_shown_as_text_and_never_runs(browser: Browser, served_gateway: str) -> None:
    page, watch = await open_page(browser, served_gateway)
    markup = "<img src=x onerror=alert(1)>"
    await ask(page, markup)
    await expect(user_messages(page).last.locator(".bubble")).to_have_text(markup)
    await expect(bot_messages(page).last).to_contain_text("did not understand")

    await ask(page, "markup test")
    answer = bot_messages(page).last
    await expect(answer).to_contain_text("<b>bold</b> <img src=x onerror=alert('bot')>")
    await expect(answer.locator("a")).to_have_count(1)
    # The address ends where markup starts; javascript: never becomes a link.
    await expect(answer.locator("a")).to_have_attribute("href", "https://www.gov.kr/portal/main?a=1&b=")
    await expect(answer).to_contain_text("javascript:alert(1)")
    await page.wait_for_timeout(300)
    assert await page.locator("#log img, #log b, #log script").count() == 0
    assert watch.dialogs == []
    assert watch.page_errors == []


async def test_keyboard_only_conversation_with_visible_focus(browser: Browser, served_gateway: str) -> None:
    page, _ = await open_page(browser, served_gateway)

    async def focused_outline() -> str:
        return await page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return s.outlineStyle + ' ' + s.outlineWidth; }"
        )

    await page.keyboard.press("Tab")
    await expect(page.locator(".skip-link")).to_be_focused()
    assert (await focused_outline()).startswith("solid 3px")
    await page.keyboard.press("Enter")
    await expect(page.locator("#message-input")).to_be_focused()

    await page.keyboard.type(PASSPORT_QUESTION)
    await page.keyboard.press("Enter")
    await expect(bot_messages(page).last).to_contain_text("여권 발급 신청서")

    # Shift+Tab from the composer reaches the newest bot button.
    await page.keyboard.press("Shift+Tab")
    focused = page.locator(":focus")
    await expect(focused).to_have_text("어디서 신청해요?")
    assert (await focused_outline()).startswith("solid 3px")
    await page.keyboard.press("Enter")
    await expect(bot_messages(page).last).to_contain_text("시·군·구청")

    # The language switch works from the keyboard too.
    await page.locator(".skip-link").focus()
    for _ in range(2):
        await page.keyboard.press("Tab")
    await expect(page.locator(":focus")).to_have_text("English")
    await page.keyboard.press("Space")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(bot_messages(page).last).to_contain_text("I will answer in English")


@pytest.mark.parametrize("width,height", [(320, 640), (640, 400)], ids=["320px", "200pct-zoom"])
async def test_narrow_and_zoomed_layouts_do_not_scroll_sideways(
    browser: Browser, served_gateway: str, width: int, height: int
) -> None:
    # 640 x 400 CSS pixels is a 1280 x 800 window at 200 % zoom.
    page, _ = await open_page(browser, served_gateway, width=width, height=height)
    await assert_no_horizontal_scroll(page)
    await ask(page, PASSPORT_QUESTION)
    await expect(bot_messages(page).last).to_contain_text("여권 발급 신청서")
    await ask(page, "markup test")  # a long address must wrap
    await expect(bot_messages(page).last.locator("a")).to_have_count(1)
    await assert_no_horizontal_scroll(page)
    for selector in ("#send-button", "#message-input", ".lang-button >> nth=1", "#new-conversation"):
        box = await page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, selector
    await page.locator("#send-button").scroll_into_view_if_needed()
    await expect(page.locator("#send-button")).to_be_in_viewport()


async def test_unreachable_assistant_shows_message_and_retry(
    browser: Browser, served_gateway: str, fake_rasa: FakeRasa
) -> None:
    page, _ = await open_page(browser, served_gateway)
    fake_rasa.mode = "error"
    await ask(page, PASSPORT_QUESTION)
    error_box = page.locator("#error-box")
    await expect(error_box).to_be_visible()
    await expect(error_box).to_contain_text("지금은 상담봇에 연결할 수 없어요")
    await expect(page.locator("#typing")).to_be_hidden()
    retry = page.get_by_role("button", name="다시 시도")
    await expect(retry).to_be_visible()

    fake_rasa.mode = "normal"
    await retry.click()
    await expect(bot_messages(page).last).to_contain_text("여권 발급 신청서")
    await expect(error_box).to_be_hidden()
    await expect(user_messages(page)).to_have_count(1)  # retried, not sent twice


async def test_gateway_down_shows_network_error(browser: Browser, serve_gateway) -> None:
    page, _ = await open_page(browser, await serve_gateway())
    await page.context.set_offline(True)
    await ask(page, PASSPORT_QUESTION)
    await expect(page.locator("#error-box")).to_contain_text("인터넷 연결을 확인한 뒤")
    await page.context.set_offline(False)
    await page.get_by_role("button", name="다시 시도").click()
    await expect(bot_messages(page).last).to_contain_text("여권 발급 신청서")


async def test_typing_indicator_while_waiting(
    browser: Browser, served_gateway: str, fake_rasa: FakeRasa
) -> None:
    page, _ = await open_page(browser, served_gateway)
    fake_rasa.delay = 1.0
    await ask(page, PASSPORT_QUESTION)
    await expect(page.locator("#typing")).to_be_visible()
    await expect(page.locator("#typing")).to_contain_text("답변을 준비하고 있어요")
    await expect(bot_messages(page).last).to_contain_text("여권 발급 신청서")
    await expect(page.locator("#typing")).to_be_hidden()


async def test_limits_are_explained_on_the_page(browser: Browser, serve_gateway, fake_rasa: FakeRasa) -> None:
    # Refused messages count against the rate limit too: 1 refused + 2 answered.
    url = await serve_gateway(max_message_chars=10, messages_per_minute=3)
    page, _ = await open_page(browser, url)

    await ask(page, "여권 재발급 서류를 알려 주세요 꼭요")  # 19 characters
    await expect(page.locator("#error-box")).to_contain_text("10자 이내로")
    await expect(user_messages(page)).to_have_count(0)  # refused message taken back for editing
    await expect(page.locator("#message-input")).to_have_value("여권 재발급 서류를 알려 주세요 꼭요")

    await ask(page, "여권")
    await expect(bot_messages(page).last).to_contain_text("여권 발급 신청서")
    await ask(page, "passport")
    await expect(bot_messages(page).last).to_contain_text("passport photo")
    await ask(page, "여권")
    await expect(page.locator("#error-box")).to_contain_text("너무 빠르게")
    await expect(page.get_by_role("button", name="다시 시도")).to_be_hidden()


async def test_empty_emoji_and_resident_number_input(
    browser: Browser, served_gateway: str, fake_rasa: FakeRasa
) -> None:
    page, watch = await open_page(browser, served_gateway)
    await page.locator("#message-input").press("Enter")
    await expect(page.locator("#error-box")).to_contain_text("메시지를 입력해 주세요")
    assert fake_rasa.requests == []

    await ask(page, "🙂🙂")
    await expect(bot_messages(page).last).to_contain_text("이해하지 못했어요")
    await expect(page.locator("#error-box")).to_be_hidden()

    await ask(page, "제 주민번호는 850312-1234567 이에요")
    await expect(user_messages(page).last).to_contain_text(RRN_MASK)
    await expect(user_messages(page).last).not_to_contain_text("1234567")
    await expect(page.locator("#log")).to_contain_text("주민등록번호는 입력하지 마세요")
    assert "1234567" not in fake_rasa.requests[-1]["message"]
    assert watch.page_errors == []
