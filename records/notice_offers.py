"""The offer to be told about an application, carried in the conversation.

After a verified status check the assistant offers notices; the application
number and birth date are already gone from the slots by then (they are not
kept), so the offer carries a signed token instead: the application's row id,
an expiry, and an HMAC binding both to the conversation and the messenger. A
token copied to another conversation or channel, altered or expired, opens
nothing. The token is made of the letters a-p and x only, so the tracker
store's masking of digit patterns (numbers, dates, phone numbers) never
touches it, and it says nothing to whoever reads the conversation.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

#: How long a citizen has to say yes after the offer.
OFFER_TTL = timedelta(minutes=30)

_DIGITS_TO_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
_LETTERS_TO_DIGITS = str.maketrans("abcdefghij", "0123456789")
_SEPARATOR = "x"
_MAC_LETTERS = 32


def offer_key(pepper: bytes) -> bytes:
    """The signing key for offers, derived from the project's secret (not the secret itself)."""
    return hmac.new(pepper, b"notice-offer-v1", hashlib.sha256).digest()


def _letters(value: int) -> str:
    return str(value).translate(_DIGITS_TO_LETTERS)


def _number(letters: str) -> int:
    if not letters or any(ch not in "abcdefghij" for ch in letters):
        raise ValueError("not an encoded number")
    return int(letters.translate(_LETTERS_TO_DIGITS))


def _mac(key: bytes, application_id: int, expires: int, sender_id: str, channel: str) -> str:
    message = f"{application_id}|{expires}|{channel}|{sender_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:_MAC_LETTERS].translate(_DIGITS_TO_LETTERS)


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def make_offer(key: bytes, *, application_id: int, sender_id: str, channel: str, now: datetime) -> str:
    """A token for ``application_id`` valid for :data:`OFFER_TTL` from ``now`` (naive UTC),
    in this conversation (``sender_id``) on this ``channel`` only."""
    expires = _epoch(now + OFFER_TTL)
    mac = _mac(key, application_id, expires, sender_id, channel)
    return _SEPARATOR.join((_letters(application_id), _letters(expires), mac))


@dataclass(frozen=True)
class Offer:
    """What a valid token stands for."""

    application_id: int
    expires_at: datetime


def read_offer(key: bytes, token: Optional[str], *, sender_id: str, channel: str, now: datetime) -> Optional[Offer]:
    """The offer behind ``token`` when it is intact, unexpired and was made for
    this conversation and channel; ``None`` otherwise."""
    if not isinstance(token, str):
        return None
    parts = token.split(_SEPARATOR)
    if len(parts) != 3:
        return None
    try:
        application_id, expires = _number(parts[0]), _number(parts[1])
    except ValueError:
        return None
    expected = _mac(key, application_id, expires, sender_id, channel)
    if not hmac.compare_digest(expected, parts[2]):
        return None
    if expires < _epoch(now):
        return None
    return Offer(application_id, datetime.fromtimestamp(expires, timezone.utc).replace(tzinfo=None))
