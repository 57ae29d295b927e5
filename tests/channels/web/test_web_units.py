"""The gateway's building blocks, tested directly: input cleaning, rate
limiting, the transcript, origins and security headers."""

from __future__ import annotations

from typing import Any

import pytest

from channels.web.errors import ERROR_MESSAGES, error_body
from channels.web.message_input import MessageRejected, clean_message
from channels.web.options import GatewayOptions, parse_origins
from channels.web.ratelimit import Limit, MemoryBuckets, RateLimiter
from channels.web.security import content_security_policy, security_headers
from channels.web.transcript import replies_for_page, transcript_from_events
from core.privacy import RRN_MASK
from core.settings import get_settings

# ---- message input -----------------------------------------------------------


def test_clean_message_keeps_korean_and_newlines_and_trims() -> None:
    cleaned = clean_message("  여권 재발급\n서류 알려 주세요  ", max_chars=2000)
    assert cleaned.text == "여권 재발급\n서류 알려 주세요"
    assert cleaned.resident_number_masked is False


def test_clean_message_composes_decomposed_hangul() -> None:
    decomposed = "\u1100\u1161\u11ab"  # 간 as three jamo
    assert clean_message(decomposed, max_chars=10).text == "간"


def test_clean_message_drops_control_characters_and_lone_surrogates() -> None:
    cleaned = clean_message("여권\x00\x07\x1b[31m 신청\ud800", max_chars=2000)
    assert cleaned.text == "여권[31m 신청"
    cleaned.text.encode("utf-8")  # would raise on a lone surrogate


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x01\x02", "\u200b\u200d", "\n\t\n", "\ud83d"])
def test_clean_message_rejects_invisible_input(raw: str) -> None:
    with pytest.raises(MessageRejected) as rejected:
        clean_message(raw, max_chars=2000)
    assert rejected.value.code == "empty_message"


@pytest.mark.parametrize("raw", [None, 42, ["여권"], {"text": "여권"}, b"bytes"])
def test_clean_message_rejects_non_text(raw: object) -> None:
    with pytest.raises(MessageRejected) as rejected:
        clean_message(raw, max_chars=2000)
    assert rejected.value.code == "invalid_request"


def test_clean_message_keeps_emoji_only_messages() -> None:
    assert clean_message("👍🏽🇰🇷", max_chars=2000).text == "👍🏽🇰🇷"


def test_clean_message_limits_length_after_cleaning() -> None:
    assert clean_message("가" * 2000 + "\x00" * 50, max_chars=2000).text == "가" * 2000
    with pytest.raises(MessageRejected) as rejected:
        clean_message("가" * 2001, max_chars=2000)
    assert rejected.value.code == "message_too_long"


def test_clean_message_masks_resident_registration_numbers() -> None:
    cleaned = clean_message("제 주민번호는 850312-1234567 이에요", max_chars=2000)
    assert "1234567" not in cleaned.text
    assert RRN_MASK in cleaned.text
    assert cleaned.resident_number_masked is True


# ---- rate limiter --------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _limiter(capacity: int, clock: FakeClock, max_keys: int = 100_000) -> tuple[RateLimiter, MemoryBuckets]:
    store = MemoryBuckets(clock=clock, max_keys=max_keys)
    return RateLimiter("test", Limit(capacity, 60.0), store), store


async def test_rate_limiter_allows_capacity_then_refuses_with_retry_after() -> None:
    limiter, _ = _limiter(20, FakeClock())
    assert all([(await limiter.take("a")).allowed for _ in range(20)])
    refused = await limiter.take("a")
    assert not refused.allowed
    assert refused.retry_after == 3  # one token every 3 s
    assert (await limiter.take("b")).allowed  # other keys are independent


async def test_rate_limiters_with_one_store_keep_separate_buckets() -> None:
    store = MemoryBuckets(clock=FakeClock())
    one, other = RateLimiter("one", Limit(1), store), RateLimiter("other", Limit(1), store)
    assert (await one.take("a")).allowed
    assert (await other.take("a")).allowed
    assert not (await one.take("a")).allowed


async def test_rate_limiter_refills_over_time() -> None:
    clock = FakeClock()
    limiter, _ = _limiter(20, clock)
    for _ in range(20):
        await limiter.take("a")
    clock.now += 3.0
    assert (await limiter.take("a")).allowed
    assert not (await limiter.take("a")).allowed
    clock.now += 60.0
    assert sum([(await limiter.take("a")).allowed for _ in range(30)]) == 20  # never above capacity


async def test_rate_limiter_peek_does_not_take() -> None:
    limiter, _ = _limiter(1, FakeClock())
    assert (await limiter.peek("a")).allowed
    assert (await limiter.peek("a")).allowed
    assert (await limiter.take("a")).allowed
    assert not (await limiter.peek("a")).allowed


async def test_rate_limiter_forgets_idle_clients() -> None:
    clock = FakeClock()
    limiter, store = _limiter(5, clock, max_keys=1000)
    for client in range(100):
        await limiter.take(client)
    clock.now += 61.0
    await limiter.take("late")
    assert len(store) == 1


async def test_rate_limiter_memory_is_bounded_under_a_flood_of_keys() -> None:
    limiter, store = _limiter(5, FakeClock(), max_keys=100)
    for client in range(1000):
        await limiter.take(client)
    assert len(store) <= 100


def test_rate_limits_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        Limit(0)
    with pytest.raises(ValueError):
        Limit(5, 0)


# ---- transcript ------------------------------------------------------------------


def _user(text: str, **metadata: object) -> dict:
    return {"event": "user", "text": text, "metadata": metadata, "parse_data": {"intent": {"name": "x"}}}


def _bot(text: str | None, buttons: list | None = None) -> dict:
    return {"event": "bot", "text": text, "data": {"buttons": buttons, "custom": {"secret": 1}}}


def test_transcript_keeps_current_session_messages_with_buttons() -> None:
    buttons = [{"title": "수수료", "payload": "/ask_service_fee"}]
    events = [
        _user("지난 세션 질문"),
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        _user("여권 재발급"),
        {"event": "slot", "name": "service", "value": "passport"},
        _bot("서류는 ...", buttons),
    ]
    assert transcript_from_events(events, limit=100) == [
        {"sender": "user", "text": "여권 재발급", "buttons": []},
        {"sender": "bot", "text": "서류는 ...", "buttons": buttons},
    ]


def test_transcript_shows_button_titles_and_hides_language_switches() -> None:
    events = [
        _user('/ask_service_fee{"service": "여권"}', display_text="수수료는 얼마예요?"),
        _user('/set_language{"language": "en"}', hidden=True),
        _bot("I will answer in English."),
    ]
    assert [message["text"] for message in transcript_from_events(events, limit=100)] == [
        "수수료는 얼마예요?",
        "I will answer in English.",
    ]


def test_transcript_masks_resident_numbers_and_skips_empty_and_malformed_events() -> None:
    events = [
        _user("주민번호 900101-1234567"),
        _bot(None),
        _bot("   "),
        {"event": "user", "text": None, "metadata": None},
        {"event": "bot", "text": "ok", "data": "not a mapping"},
    ]
    messages = transcript_from_events(events, limit=100)
    assert [message["text"] for message in messages] == [f"주민번호 {RRN_MASK}", "ok"]


def test_transcript_returns_only_the_last_messages() -> None:
    events = [_user(f"질문 {number}") for number in range(10)]
    assert [m["text"] for m in transcript_from_events(events, limit=3)] == ["질문 7", "질문 8", "질문 9"]


def test_replies_keep_text_and_buttons_only() -> None:
    replies: list[dict[str, Any]] = [
        {"recipient_id": "web-x", "text": "안내", "buttons": [{"title": "예", "payload": "/affirm"}, "junk"]},
        {"recipient_id": "web-x", "custom": {"handoff": True}},
        {"recipient_id": "web-x", "image": "javascript:alert(1)"},
        {"recipient_id": "web-x", "image": "https://www.gov.kr/map.png"},
    ]
    assert replies_for_page(replies) == [
        {"sender": "bot", "text": "안내", "buttons": [{"title": "예", "payload": "/affirm"}]},
        {"sender": "bot", "text": "https://www.gov.kr/map.png", "buttons": []},
    ]


# ---- options, origins, headers -------------------------------------------------------


def test_parse_origins_normalises_and_drops_invalid_entries() -> None:
    assert parse_origins(
        " https://www.gov.kr , https://WWW.Mois.go.kr:8443/,*,ftp://x, /path, https://a.kr/x "
    ) == (
        "https://www.gov.kr",
        "https://www.mois.go.kr:8443",
    )
    assert parse_origins(None) == ()


def test_options_read_allowed_origins_from_settings_when_present() -> None:
    class WithOrigins:
        web_allowed_origins = ("https://www.gov.kr",)

    assert GatewayOptions.from_settings(WithOrigins()).allowed_origins == ("https://www.gov.kr",)  # type: ignore[arg-type]
    assert GatewayOptions.from_settings(get_settings({})).allowed_origins == ()
    overridden = GatewayOptions.from_settings(
        get_settings({}), allowed_origins="https://a.go.kr", max_message_chars=5
    )
    assert overridden.allowed_origins == ("https://a.go.kr",)
    assert overridden.max_message_chars == 5


def test_content_security_policy_is_strict() -> None:
    policy = dict(
        directive.split(" ", 1) for directive in content_security_policy(["https://www.gov.kr"]).split("; ")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'self' https://www.gov.kr"
    assert "unsafe" not in content_security_policy(["https://www.gov.kr"])


def test_x_frame_options_only_without_widget_origins() -> None:
    assert security_headers([])["X-Frame-Options"] == "SAMEORIGIN"
    assert "X-Frame-Options" not in security_headers(["https://www.gov.kr"])


def test_every_error_has_both_languages() -> None:
    for code in ERROR_MESSAGES:
        body = error_body(code, limit=2000, retry_after=3)
        assert body["error"] == code
        assert body["message"]["ko"] and body["message"]["en"]
        assert "{" not in body["message"]["ko"] + body["message"]["en"]
