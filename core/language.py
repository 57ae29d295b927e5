"""Which language a message is written in: Korean (Hangul) or English."""

from __future__ import annotations

import unicodedata
from typing import Optional

SUPPORTED_LANGUAGES = ("ko", "en")


def _is_hangul(char: str) -> bool:
    code = ord(char)
    return (
        0xAC00 <= code <= 0xD7A3  # syllables
        or 0x1100 <= code <= 0x11FF  # jamo
        or 0x3130 <= code <= 0x318F  # compatibility jamo (ㄱㅅ)
    )


def detect_language(text: str) -> Optional[str]:
    """Return ``"ko"`` when the message has Hangul, ``"en"`` when it has Latin
    letters and no Hangul, and ``None`` when it has neither (digits, emoji,
    punctuation), so the caller keeps the language it had."""
    hangul = latin = 0
    for char in text:
        if _is_hangul(char):
            hangul += 1
        elif char.isalpha() and (char.isascii() or unicodedata.name(char, "").startswith("LATIN")):
            latin += 1
    if hangul:
        return "ko"
    if latin:
        return "en"
    return None


def normalize_language(value: object) -> Optional[str]:
    """Map an entity or slot value such as ``"Korean"``, ``"한국어"`` or ``"EN"``
    to ``"ko"``/``"en"``; ``None`` when it names neither."""
    if not isinstance(value, str):
        return None
    key = value.strip().lower()
    if key in {"ko", "kr", "kor", "korean", "한국어", "한국말", "한글", "국어"}:
        return "ko"
    if key in {"en", "eng", "english", "영어", "잉글리시", "english language"}:
        return "en"
    return None
