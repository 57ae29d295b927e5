import logging

import pytest

from core.privacy import (
    BIRTH_DATE_MASK,
    PHONE_MASK,
    RRN_MASK,
    MaskingLogFilter,
    contains_resident_number_mask,
    mask_for_log,
    mask_resident_numbers,
    mask_value,
)


@pytest.mark.parametrize(
    "text",
    [
        "제 주민번호는 900101-1234567이에요",
        "주민등록번호 9001011234567 입니다",
        "900101 - 2234567",
        "my number is 851231-1234567, check it",
    ],
)
def test_resident_numbers_are_masked(text: str) -> None:
    result = mask_resident_numbers(text)
    assert result.found_resident_number
    assert RRN_MASK in result.text
    assert not any(part in result.text for part in ("1234567", "2234567", "900101", "851231"))


@pytest.mark.parametrize(
    "text",
    ["2026-0012345 처리 상태", "20260012345", "1985년 3월 12일", "전화 02-2100-2114", "수수료 53000원"],
)
def test_other_numbers_are_not_resident_numbers(text: str) -> None:
    result = mask_resident_numbers(text)
    assert not result.found_resident_number
    assert result.text == text


def test_mask_detection() -> None:
    assert contains_resident_number_mask(mask_resident_numbers("900101-1234567").text)
    assert not contains_resident_number_mask("여권 재발급")


def test_log_masking_hides_application_numbers_and_birth_dates() -> None:
    masked = mask_for_log("번호 2026-0012345, 생일 1985-03-12, 또 850312, 주민 900101-1234567")
    for secret in ("0012345", "1985-03-12", "850312", "1234567"):
        assert secret not in masked
    assert "번호" in masked and "생일" in masked


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("born 12 March 1985", "12 March 1985"),
        ("my birthday is March 12, 1985", "March 12, 1985"),
        ("생일은 85년 3월 12일이에요", "85년 3월 12일"),
        ("85.03.12 생", "85.03.12"),
        ("생년월일 1985-02-30", "1985-02-30"),  # a mistyped date is still personal data
        ("접수번호 2026 001 2347", "2026 001 2347"),
    ],
)
def test_log_masking_hides_every_form_the_assistant_understands(text: str, secret: str) -> None:
    assert secret not in mask_for_log(text)


@pytest.mark.parametrize("text", ["수수료 53,000원", "530000원", "전화 02-2100-2114", "10년 복수여권 58면"])
def test_log_masking_keeps_amounts_and_phone_numbers(text: str) -> None:
    assert mask_for_log(text) == text


def test_log_filter_masks_message_and_args(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.privacy")
    caplog.handler.addFilter(MaskingLogFilter())
    with caplog.at_level(logging.INFO, logger="test.privacy"):
        logger.info("lookup %s for %s", "2026-0012345", {"birth": "1985-03-12"})
        logger.info("raw 900101-1234567")
    assert "0012345" not in caplog.text
    assert "1985-03-12" not in caplog.text
    assert "1234567" not in caplog.text


def test_installed_masking_covers_handlers_added_later() -> None:
    import io

    from core.privacy import install_log_masking

    install_log_masking()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("test.privacy.later")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("number %s", "2026-0012345")
    finally:
        logger.removeHandler(handler)
    assert "0012345" not in stream.getvalue()
    assert "****-*******" in stream.getvalue()


# Forms the parsers accept (applications/numbers.py and birthdates.py fold
# width with NFKC), which the masking must hide just as well.
@pytest.mark.parametrize(
    "text, secret",
    [
        ("주민번호 ９００１０１－１２３４５６７ 입니다", "１２３４５６７"),
        ("my id 900101−1234567", "1234567"),  # U+2212 minus sign
        ("900101\u30001234567", "1234567"),  # ideographic space
    ],
)
def test_resident_numbers_in_any_width_are_masked(text: str, secret: str) -> None:
    result = mask_resident_numbers(text)
    assert result.found_resident_number
    assert secret not in result.text and secret not in mask_for_log(text)
    assert RRN_MASK in result.text


@pytest.mark.parametrize(
    "text, secret",
    [
        ("접수번호 ２０２６－００１２３４７ 확인", "００１２３４７"),
        ("생일은 1985 3 12 이에요", "1985 3 12"),
        ("born on the 12th of March, 1985", "12th of March, 1985"),
        ("85년 3월 12", "85년 3월 12"),
        ("생년월일 １９８５－０３－１２", "１９８５－０３－１２"),
    ],
)
def test_application_numbers_and_birth_dates_in_accepted_forms_are_masked(text: str, secret: str) -> None:
    masked = mask_for_log(text)
    assert secret not in masked
    for digits in ("0012347", "１２", "12"):
        if digits in secret:
            assert digits not in masked


@pytest.mark.parametrize(
    "text",
    ["연락처 010-9876-5432 입니다", "call me on 01098765432", "０１０ ９８７６ ５４３２", "011.987.5432로 주세요"],
)
def test_mobile_phone_numbers_are_masked(text: str) -> None:
    masked = mask_for_log(text)
    assert PHONE_MASK in masked
    assert "5432" not in masked and "５４３２" not in masked


@pytest.mark.parametrize(
    "text", ["110 콜센터", "대표번호 02-2100-2114", "접수번호 2026-0012347", "신청 수수료 15000원"]
)
def test_what_is_not_a_mobile_number_is_not_taken_for_one(text: str) -> None:
    assert PHONE_MASK not in mask_for_log(text)


def test_mask_value_masks_strings_inside_containers_and_keeps_the_rest() -> None:
    value = {"what": "010-9876-5432", "when": ["1985-03-12", 3, None], "nested": ({"rrn": "900101-1234567"},)}
    assert mask_value(value) == {
        "what": PHONE_MASK,
        "when": [BIRTH_DATE_MASK, 3, None],
        "nested": ({"rrn": RRN_MASK},),
    }
