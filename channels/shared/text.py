"""Splitting long replies and shortening labels, for any channel's limits.

Every messenger limits a message's length (Telegram 4096 UTF-16 units, a
KakaoTalk ``simpleText`` 1000 characters) and a button label's. A reply is split
at the best boundary available, so no word and no link (which never contains
whitespace) is cut unless a single one is longer than the whole limit.
"""

from __future__ import annotations

import re
from typing import Callable, List, Tuple

Measure = Callable[[str], int]

#: Marks a shortened label.
ELLIPSIS = "…"

# Boundaries to split at, best first, with the text that rejoins the pieces.
_BOUNDARIES: Tuple[Tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\n[ \t]*\n\s*"), "\n\n"),
    (re.compile(r"\n\s*"), "\n"),
    (re.compile(r"(?<=[.!?。？！…])\s+"), " "),
    (re.compile(r"\s+"), " "),
)


def split_text(text: str, limit: int, measure: Measure = len) -> List[str]:
    """Split ``text`` into pieces of at most ``limit``, as ``measure`` counts.

    Splits at the best boundary available (blank line, line break, end of a
    sentence, space) and cuts inside a word only when a single word is longer
    than the limit (never inside a character). Returns no piece for blank
    text; every piece returned is non-blank, and joined together they hold all
    of the text's words in order.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    text = text.strip()
    if not text:
        return []
    return [chunk for chunk in _split(text, limit, 0, measure) if chunk.strip()]


def _split(text: str, limit: int, level: int, measure: Measure) -> List[str]:
    if measure(text) <= limit:
        return [text]
    if level == len(_BOUNDARIES):
        return _cut(text, limit, measure)
    pattern, joiner = _BOUNDARIES[level]
    chunks: List[str] = []
    current = ""
    for part in pattern.split(text):
        part = part.strip()
        if not part:
            continue
        for piece in _split(part, limit, level + 1, measure):
            candidate = f"{current}{joiner}{piece}" if current else piece
            if measure(candidate) <= limit:
                current = candidate
            else:
                if current:
                    chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def _cut(text: str, limit: int, measure: Measure) -> List[str]:
    """Cut a text with no usable boundary, never inside a character."""
    chunks: List[str] = []
    current: List[str] = []
    size = 0
    for char in text:
        width = measure(char)
        if size + width > limit and current:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        chunks.append("".join(current))
    return chunks


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters.

    A longer text is cut after its last whole word that fits (or, when that
    would keep less than half, inside the word) and ends with "…".
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    room = limit - len(ELLIPSIS)
    head = flat[:room]
    space = head.rfind(" ")
    if space >= room // 2:
        head = head[:space]
    return head.rstrip(" ,.;:·-") + ELLIPSIS
