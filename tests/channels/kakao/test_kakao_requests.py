"""Reading skill requests, and what the channel remembers between them."""

from __future__ import annotations

import json

import pytest

from channels.kakao.memory import ConversationMemory
from channels.kakao.requests import MalformedSkillRequest, parse_skill_request, usable_callback_url
from channels.shared.buttons import ButtonChoice
from channels.shared.incoming import language_hint, typed_text
from tests.channels.kakao.conftest import skill_request


def encode(request) -> bytes:
    return json.dumps(request, ensure_ascii=False).encode("utf-8")


def test_a_full_request_is_read():
    request = skill_request("여권 재발급 수수료 얼마예요?", "botuser-1", callback_url="https://bot-api.kakao.com/cb/abc",
                            client_extra={"payload": "/help"})

    parsed = parse_skill_request(encode(request))

    assert parsed.user_key == "botuser-1"
    assert parsed.utterance == "여권 재발급 수수료 얼마예요?"
    assert parsed.callback_url == "https://bot-api.kakao.com/cb/abc"
    assert parsed.lang == "ko"
    assert parsed.client_extra == {"payload": "/help"}
    assert parsed.block_name == "폴백 블록"


def test_optional_parts_may_be_missing_or_null():
    body = {"userRequest": {"user": {"id": "u-7", "type": "botUserKey"}}, "action": {"clientExtra": None}}

    parsed = parse_skill_request(encode(body))

    assert (parsed.user_key, parsed.utterance, parsed.callback_url, parsed.client_extra) == ("u-7", "", None, {})


@pytest.mark.parametrize(
    ("url", "usable"),
    [
        ("https://bot-api.kakao.com/v1/bots/x/callback/y", True),
        ("http://127.0.0.1:8000/callback", True),
        ("http://localhost:8000/callback", True),
        ("http://[::1]:8000/callback", True),
        ("http://bot-api.kakao.com/callback", False),
        ("ftp://bot-api.kakao.com/callback", False),
        ("https:///nohost", False),
        ("not a url", False),
    ],
)
def test_only_https_or_loopback_callback_urls_are_used(url, usable):
    assert usable_callback_url(url) is usable
    request = skill_request("hi", "u1", callback_url=url)
    assert (parse_skill_request(encode(request)).callback_url == url) is usable


def test_a_user_key_with_spaces_or_too_long_is_refused():
    for key in ("two words", "k" * 300):
        with pytest.raises(MalformedSkillRequest):
            parse_skill_request(encode(skill_request("hi", key)))


@pytest.mark.parametrize(("code", "language"), [("kr", "ko"), ("ko", "ko"), ("ko-KR", "ko"), ("en_US", "en"),
                                                ("ja", None), (None, None), ("", None)])
def test_language_codes(code, language):
    assert language_hint(code) == language


def test_typed_text_masks_and_neutralises_commands():
    typed = typed_text(" //greet 제 번호 900101-1234567 ")

    assert typed.text.startswith("greet") and "1234567" not in typed.text
    assert typed.metadata() == {"resident_number_masked": True}


def test_memory_pages_a_pending_answer_and_forgets_it_after_the_ttl():
    clock = [100.0]
    memory = ConversationMemory(ttl=600, clock=lambda: clock[0])
    outputs = [{"simpleText": {"text": str(n)}} for n in range(5)]
    memory.remember_answer("u1", outputs, [ButtonChoice("도움말", "/help")], "ko")

    first = memory.next_page("u1", 3)
    assert first is not None and [o["simpleText"]["text"] for o in first.outputs] == ["0", "1", "2"] and first.more
    clock[0] += 599
    second = memory.next_page("u1", 3)
    assert second is not None and len(second.outputs) == 2 and not second.more
    assert memory.next_page("u1", 3) is None
    assert memory.payload_for("u1", title="도움말") == "/help"
    clock[0] += 601
    assert memory.payload_for("u1", title="도움말") is None and len(memory) == 0


def test_memory_keeps_at_most_capacity_users():
    memory = ConversationMemory(capacity=2)
    for user in ("a", "b", "c"):
        memory.offer(user, [ButtonChoice("x", "/help")], "en")

    assert len(memory) == 2
    assert memory.language("a") is None and memory.language("c") == "en"


def test_memory_trusts_only_offered_payloads():
    memory = ConversationMemory()
    memory.offer("u1", [ButtonChoice("English", '/set_language{"language": "en"}')], "ko")

    assert memory.payload_for("u1", payload='/set_language{"language": "en"}') == '/set_language{"language": "en"}'
    assert memory.payload_for("u1", payload="/restart") is None
    assert memory.payload_for("u2", payload='/set_language{"language": "en"}') is None
