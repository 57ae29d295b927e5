"""Cleaning a citizen's message before it is relayed.

Browsers can send anything: control characters pasted from a PDF, lone UTF-16
surrogates that cannot be encoded, thousands of characters. :func:`clean_message`
turns that into text Rasa can take, or says precisely why it cannot.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from channels.shared.incoming import incoming_text

_KEPT_CONTROLS = {"\n", "\t"}


class MessageRejected(ValueError):
    """The message cannot be relayed; ``code`` names the bilingual error."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CleanMessage:
    """A relayable message: resident numbers masked, invisible junk removed."""

    text: str
    resident_number_masked: bool


def _is_dropped(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cc":
        return char not in _KEPT_CONTROLS
    # Cs: lone surrogates (cannot be encoded); Co/Cn: private-use and unassigned.
    return category in ("Cs", "Co", "Cn")


def clean_message(raw: Any, *, max_chars: int) -> CleanMessage:
    """Return ``raw`` as a relayable message.

    Normalises to NFC (so a decomposed "한" counts and matches as one
    character), drops control characters other than newline and tab, lone
    surrogates and unassigned code points, trims surrounding whitespace and masks
    resident registration numbers.

    Raises :class:`MessageRejected` with code ``invalid_request`` when ``raw`` is
    not a string, ``empty_message`` when nothing visible is left, and
    ``message_too_long`` when more than ``max_chars`` characters remain.
    """
    if not isinstance(raw, str):
        raise MessageRejected("invalid_request")
    text = "".join(char for char in unicodedata.normalize("NFC", raw) if not _is_dropped(char)).strip()
    if not text or all(unicodedata.category(char).startswith(("Z", "Cf")) or char in "\n\t" for char in text):
        raise MessageRejected("empty_message")
    if len(text) > max_chars:
        raise MessageRejected("message_too_long")
    masked = incoming_text(text)
    return CleanMessage(masked.text, masked.resident_number_masked)


def clean_display_text(raw: Any, *, max_chars: int = 200) -> str | None:
    """A button title the page shows for a payload message (kept in the
    conversation's metadata for the history), or ``None`` when unusable."""
    try:
        return clean_message(raw, max_chars=max_chars).text
    except MessageRejected:
        return None
