import pytest

from core.language import detect_language, normalize_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("안녕하세요", "ko"),
        ("hello", "en"),
        ("여권 renewal 얼마예요", "ko"),
        ("ㄱㅅ", "ko"),
        ("Café", "en"),
        ("😀😀", None),
        ("2026-0012345", None),
        ("", None),
        ("\x00\x01", None),
    ],
)
def test_detect_language(text: str, expected: object) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("English", "en"), ("영어", "en"), ("한국어", "ko"), ("KO", "ko"), ("french", None), (None, None)],
)
def test_normalize_language(value: object, expected: object) -> None:
    assert normalize_language(value) == expected
