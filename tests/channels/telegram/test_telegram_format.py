"""Splitting long replies, building keyboards and reading commands: the pure
parts of the Telegram channel."""

from __future__ import annotations

import pytest

from channels.telegram.format import (
    MAX_CALLBACK_DATA_BYTES,
    CallbackPayloads,
    chat_id_from_sender,
    inline_keyboard,
    sender_id_for_chat,
    split_message,
    telegram_length,
)
from channels.telegram.updates import command_payload, language_hint


def test_a_short_reply_is_one_message():
    assert split_message("  안녕하세요!  ") == ["안녕하세요!"]
    assert split_message(" \n ") == []


def test_paragraphs_are_kept_together_when_they_fit():
    first, second, third = "가" * 30, "나" * 30, "다" * 30
    parts = split_message(f"{first}\n\n{second}\n\n{third}", limit=70)
    assert parts == [f"{first}\n\n{second}", third]


def test_a_long_paragraph_is_split_after_a_sentence():
    text = "첫 문장입니다. 둘째 문장이에요. 셋째 문장이에요?"
    assert split_message(text, limit=20) == ["첫 문장입니다. 둘째 문장이에요.", "셋째 문장이에요?"]


def test_emoji_count_twice_as_telegram_counts_utf16():
    text = "🙂" * 10
    assert telegram_length(text) == 20
    parts = split_message(text, limit=8)
    assert parts == ["🙂" * 4, "🙂" * 4, "🙂" * 2]


def test_a_word_longer_than_the_limit_is_cut():
    url = "https://www.gov.kr/" + "a" * 50
    parts = split_message(f"링크: {url}", limit=20)
    assert all(telegram_length(p) <= 20 for p in parts)
    assert "".join(parts[1:]) == url


@pytest.mark.parametrize("size", [4096, 4097, 10_000, 25_000])
def test_no_part_is_over_4096_and_nothing_is_lost(size):
    text = ("여권 발급 안내입니다.\n" + "세부 사항 " * 30 + "\n\n") * (size // 150 + 1)
    text = text[:size]
    parts = split_message(text)
    assert all(0 < telegram_length(part) <= 4096 for part in parts)
    assert " ".join(parts).split() == text.split()


def test_short_payloads_are_sent_as_they_are_and_long_ones_as_tokens():
    payloads = CallbackPayloads()
    short = '/set_language{"language": "en"}'
    long = '/inform{"service": "가족관계증명서 발급 신청", "region": "부산광역시 해운대구"}'
    assert payloads.encode(short) == short
    token = payloads.encode(long)
    assert token != long and len(token.encode()) <= MAX_CALLBACK_DATA_BYTES
    assert payloads.decode(token) == long
    assert payloads.decode(short) == short


def test_forgotten_tokens_decode_to_none_and_the_store_stays_bounded():
    payloads = CallbackPayloads(capacity=2)
    tokens = [payloads.encode(f'/inform{{"service": "{"민원" * 20} {n}"}}') for n in range(3)]
    assert payloads.decode(tokens[0]) is None
    assert payloads.decode(tokens[2]) is not None


def test_keyboard_has_one_button_per_row_and_url_buttons_open_links():
    markup = inline_keyboard(
        [
            {"title": "정부24 바로가기", "url": "https://www.gov.kr"},
            {"title": "도움말", "payload": "/help"},
            {"title": "", "payload": ""},
        ],
        CallbackPayloads(),
    )
    rows = markup.inline_keyboard
    assert len(rows) == 2
    assert rows[0][0].url == "https://www.gov.kr" and rows[0][0].callback_data is None
    assert rows[1][0].text == "도움말" and rows[1][0].callback_data == "/help"


@pytest.mark.parametrize("chat_id", [42, -1001234567890])
def test_sender_ids_round_trip(chat_id):
    assert chat_id_from_sender(sender_id_for_chat(chat_id)) == chat_id


def test_a_conversation_that_is_not_a_telegram_chat_has_no_chat_id():
    assert chat_id_from_sender("web-3f2a") is None


def test_text_that_is_not_a_command_is_left_alone():
    assert command_payload("여권 발급") is None
    assert command_payload("/lang english") == '/set_language{"language": "en"}'


def test_stop_turns_notices_off_and_unknown_commands_show_the_menu():
    assert command_payload("/stop") == "/unsubscribe_notices"
    assert command_payload("/stop@gov_assistant_test_bot") == "/unsubscribe_notices"
    assert command_payload("/whatever") == "/help"


@pytest.mark.parametrize(
    ("code", "hint"), [("ko", "ko"), ("ko-KR", "ko"), ("EN-gb", "en"), ("ja", None), ("", None), (None, None)]
)
def test_language_hint(code, hint):
    assert language_hint(code) == hint
