"""A citizen's text, made safe before Rasa sees it.

Every channel hands Rasa the text through :func:`incoming_text` (or
:func:`typed_text` for what a person typed), so a resident registration number
is masked before it reaches the tracker store, the NLU or a log, on every
channel alike. The masking grammar itself lives in :mod:`core.privacy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

from core.language import normalize_language
from core.privacy import mask_resident_numbers

#: Metadata key telling the assistant that the channel masked a resident number.
RESIDENT_NUMBER_MASKED = "resident_number_masked"

#: Metadata key carrying the client's language (``ko``/``en``), used for
#: messages with no words to detect a language from (a button payload, digits).
LANGUAGE_HINT = "language_hint"


@dataclass(frozen=True)
class IncomingText:
    """A message ready for Rasa: resident registration numbers masked."""

    text: str
    resident_number_masked: bool

    def metadata(self) -> Dict[str, Any]:
        """The privacy metadata to send with the message (empty when nothing was masked)."""
        return {RESIDENT_NUMBER_MASKED: True} if self.resident_number_masked else {}


def incoming_text(raw: str) -> IncomingText:
    """``raw`` with every resident registration number masked, and nothing else changed."""
    masked = mask_resident_numbers(raw)
    return IncomingText(masked.text, masked.found_resident_number)


def typed_text(raw: str) -> IncomingText:
    """What a person typed, as :func:`incoming_text`, trimmed and with leading slashes removed.

    Rasa reads ``/intent{"entity": ...}`` as a command, so a person could
    otherwise pick an intent or fill a slot by typing one; only the channel's
    own button payloads may do that.
    """
    return incoming_text(raw.strip().lstrip("/").strip())


def language_hint(language_code: Optional[str]) -> Optional[str]:
    """``"ko"`` or ``"en"`` from a client's language code such as ``"ko-KR"``,
    ``"en_US"`` or KakaoTalk's ``"kr"``; ``None`` for any other language."""
    if not language_code or not isinstance(language_code, str):
        return None
    primary = language_code.replace("_", "-").split("-")[0].strip()
    return normalize_language(primary)
