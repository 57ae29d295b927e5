"""The one grammar of Korean phone numbers (core/phone_numbers.py) and the
masking built on it: every number a citizen writes is hidden at rest, an
agency's number in a reply stays readable."""

from __future__ import annotations

from typing import Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.phone_numbers import LANDLINE, MOBILE, REPRESENTATIVE, phone_number_spans, read_phone_number
from core.privacy import PHONE_MASK, mask_citizen_text, mask_for_log, mask_line
from core.tracker_store import mask_event_data


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("010-9876-5432", "01098765432"),
        ("01098765432", "01098765432"),
        ("０１０－９８７６－５４３２", "01098765432"),
        ("011.987.5432", "0119875432"),
        ("02-2100-2114", "0221002114"),
        ("(02) 2100-2114", "0221002114"),
        ("031 123 4567", "0311234567"),
        ("070-1234-5678", "07012345678"),
        ("1588-1234", "15881234"),
        ("+82 10-1234-5678", "01012345678"),
        ("+82-2-2100-2114", "0221002114"),
        ("  010 1234 5678 ", "01012345678"),
    ],
)
def test_every_kind_of_number_is_read_in_any_writing(typed: str, digits: str) -> None:
    assert read_phone_number(typed) == digits


@pytest.mark.parametrize(
    "typed",
    ["2026-0012347", "2026-001-2345", "1985-03-12", "900101-1234567", "110", "12345678", "010-123", "15000원",
     "010-9876-5432 입니다", "099-123-4567"],
)
def test_what_is_not_one_whole_number_is_not_read(typed: str) -> None:
    assert read_phone_number(typed) is None


def test_spans_find_numbers_inside_a_message_by_kind() -> None:
    text = "제 번호는 02-123-4567이고 휴대폰은 010-9876-5432, 대표번호 1588-1234예요. 접수번호 2026-0012347"
    found = {text[start:end] for start, end in phone_number_spans(text)}
    assert found == {"02-123-4567", "010-9876-5432", "1588-1234"}
    assert [text[s:e] for s, e in phone_number_spans(text, (MOBILE,))] == ["010-9876-5432"]
    assert [text[s:e] for s, e in phone_number_spans(text, (LANDLINE, REPRESENTATIVE))] == ["02-123-4567", "1588-1234"]


_SEPARATOR = st.sampled_from(["", "-", " ", ".", "－"])


@st.composite
def written_numbers(draw: st.DrawFn) -> tuple:
    """(digits, as written): a valid number of any kind with random separators."""
    head = draw(st.sampled_from(["010", "011", "016", "02", "031", "044", "055", "064", "070"]))
    middle_length = 4 if head in ("010", "070") else draw(st.sampled_from([3, 4]))
    middle = draw(st.text("0123456789", min_size=middle_length, max_size=middle_length))
    last = draw(st.text("0123456789", min_size=4, max_size=4))
    gap = draw(_SEPARATOR)
    return head + middle + last, f"{head}{gap}{middle}{gap}{last}"


@given(written_numbers(), st.sampled_from(["연락처는 {}입니다", "call me on {} please", "{}", "번호: {} (낮에만)"]))
def test_a_written_number_is_read_found_and_masked_whole(number: tuple, sentence: str) -> None:
    digits, written = number
    assert read_phone_number(written) == digits
    text = sentence.format(written)
    assert [text[s:e] for s, e in phone_number_spans(text)] == [written]
    masked = mask_citizen_text(text)
    assert PHONE_MASK in masked and digits[-4:] not in masked.replace(PHONE_MASK, "")


@given(st.integers(min_value=2000, max_value=2099), st.integers(min_value=0, max_value=9_999_999), _SEPARATOR)
def test_application_numbers_are_never_taken_for_phone_numbers(year: int, serial: int, gap: str) -> None:
    text = f"접수번호 {year}{gap}{serial:07d} 조회"
    assert phone_number_spans(text) == []


@pytest.mark.parametrize("number", ["02-123-4567", "031-987-6543", "070-1234-5678", "1588-1234"])
def test_a_citizens_landline_is_masked_and_an_agencys_number_in_a_reply_is_kept(number: str) -> None:
    said = f"제 집 전화 {number}로 연락 주세요"
    assert number not in mask_citizen_text(said) and PHONE_MASK in mask_citizen_text(said)
    assert mask_for_log(f"대표번호 {number}로 문의하세요") == f"대표번호 {number}로 문의하세요"
    assert number not in mask_line("user", said) and number in mask_line("bot", said)

    user = mask_event_data({"event": "user", "text": said, "parse_data": {"text": said, "entities": []}})
    bot = mask_event_data({"event": "bot", "text": f"대표번호 {number}로 문의하세요"})
    assert number not in user["text"] and number not in user["parse_data"]["text"]
    assert number in bot["text"]


def _only_digits(text: Optional[str]) -> str:
    return "".join(c for c in text or "" if c.isdigit())


def test_the_call_back_form_and_the_masking_read_the_same_numbers() -> None:
    from records.callbacks import check_phone

    for written in ("02-2100-2114", "+82 10-1234-5678", "1588-1234", "０７０－１２３４－５６７８"):
        assert check_phone(written).number == read_phone_number(written)
        assert _only_digits(mask_citizen_text(written)) == ""
