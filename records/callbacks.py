"""Call-back requests (issue 18, item 1): check a phone number, store a
consented request sealed and masked, list an agency's open requests, mark one
done, and purge them after the stated retention period.

The action server, the console and the purge job use it. The key derivation
is imported from :mod:`core.tracker_store` (which imports Rasa); moving
``derive_seal_key`` to a Rasa-free module is left to the lead.

Privacy:

- The phone number is kept only sealed (Fernet, authenticated encryption).
  The key is :func:`core.tracker_store.derive_seal_key` (the tracker store's
  one derivation) applied to an HMAC of the birth-date pepper with a purpose
  label, so the database alone never opens a number and the call-back key is
  separate from the tracker store's key.
- A resident registration number typed where a phone number is asked is
  refused by :func:`check_phone` (never normalised, stored or logged).
- The optional message is masked with :func:`core.privacy.mask_citizen_text` and
  cut to :data:`MESSAGE_MAX_CHARS`.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from core.db import session_scope
from core.identifiers import resident_number_spans
from core.phone_numbers import read_phone_number
from core.privacy import mask_citizen_text
from core.tracker_store import derive_seal_key
from records.callback_models import CallbackRequest

#: How long a call-back request is kept (the period the consent notice states).
RETENTION_DAYS = 30
#: The longest message kept (characters, after masking).
MESSAGE_MAX_CHARS = 300
#: Why the citizen was offered a call-back.
REASONS = ("out_of_hours", "no_agent", "timed_out")

_PURPOSE = b"assistant call-back requests: phone numbers v1"


@dataclass(frozen=True)
class PhoneCheck:
    """What :func:`check_phone` found: ``number`` (digits only) when valid;
    otherwise ``problem`` is ``"resident_number"`` or ``"invalid"``."""

    number: Optional[str]
    problem: Optional[str] = None


def check_phone(text: str) -> PhoneCheck:
    """Read a Korean phone number typed in any width, with spaces, dots,
    dashes or brackets, and with or without +82 (:mod:`core.phone_numbers`).
    A resident registration number is refused as ``resident_number`` and
    nothing of it is returned."""
    if resident_number_spans(text or ""):
        return PhoneCheck(None, "resident_number")
    number = read_phone_number(text or "")
    return PhoneCheck(number) if number else PhoneCheck(None, "invalid")


def display_phone(number: str) -> str:
    """``01012345678`` as ``010-1234-5678`` (for the agent who calls back)."""
    if number.startswith("02"):
        head, rest = number[:2], number[2:]
    elif number.startswith("1") and len(number) == 8:
        return f"{number[:4]}-{number[4:]}"
    else:
        head, rest = number[:3], number[3:]
    return f"{head}-{rest[:-4]}-{rest[-4:]}"


def clean_message(text: Optional[str]) -> str:
    """The citizen's message, masked and cut to :data:`MESSAGE_MAX_CHARS`."""
    masked = mask_citizen_text((text or "").strip())
    return masked[:MESSAGE_MAX_CHARS]


_fernet_lock = threading.Lock()
_fernets: dict = {}


def phone_seal(secret: Optional[bytes] = None) -> Fernet:
    """The Fernet of sealed phone numbers, keyed from ``secret`` (default:
    the birth-date pepper, :func:`applications.hashing.load_pepper`)."""
    if secret is None:
        from applications.hashing import load_pepper

        secret = load_pepper()
    with _fernet_lock:
        fernet = _fernets.get(secret)
        if fernet is None:
            purpose_secret = hmac.new(secret, _PURPOSE, hashlib.sha256).digest()
            fernet = _fernets[secret] = Fernet(derive_seal_key(purpose_secret))
        return fernet


def utc_now() -> datetime:
    """Now, as the naive UTC time the tables store."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class CallbackView:
    """An open or done request as the console shows it (number opened)."""

    id: int
    channel: str
    language: str
    agency_id: Optional[str]
    reason: str
    phone: str  # displayed form, e.g. 010-1234-5678; "?" if it cannot be opened
    message: str
    created_at: datetime
    state: str
    done_by: Optional[str]


def create_request(engine: Engine, *, phone: str, message: Optional[str], language: str, channel: str,
                   agency_id: Optional[str], reason: str, consent: bool,
                   secret: Optional[bytes] = None, now: Optional[datetime] = None) -> Optional[int]:
    """Store a call-back request and return its id; without ``consent`` or
    with a number :func:`check_phone` refuses, nothing is stored (None)."""
    if not consent:
        return None
    checked = check_phone(phone)
    if checked.number is None:
        return None
    now = now or utc_now()
    token = phone_seal(secret).encrypt(checked.number.encode("ascii")).decode("ascii")
    row = CallbackRequest(
        channel=channel, language=language if language in ("ko", "en") else "ko",
        agency_id=agency_id, reason=reason if reason in REASONS else "no_agent",
        phone_sealed=token, message=clean_message(message), consent_at=now, created_at=now, state="open",
    )
    with session_scope(engine) as session:
        session.add(row)
        session.flush()
        return int(row.id)


def _serves(staff_agency: Optional[str], request_agency: Optional[str]) -> bool:
    return staff_agency is None or request_agency is None or staff_agency == request_agency


def _view(row: CallbackRequest, fernet: Fernet) -> CallbackView:
    try:
        phone = display_phone(fernet.decrypt(row.phone_sealed.encode("ascii")).decode("ascii"))
    except (InvalidToken, ValueError):
        phone = "?"
    return CallbackView(row.id, row.channel, row.language, row.agency_id, row.reason, phone, row.message,
                        row.created_at, row.state, row.done_by)


def open_requests(engine: Engine, staff_agency: Optional[str], secret: Optional[bytes] = None) -> List[CallbackView]:
    """Open requests a staff member of ``staff_agency`` may see (their agency's
    and the general pool's; None = the general pool, who see all), oldest first."""
    fernet = phone_seal(secret)
    with session_scope(engine) as session:
        rows = session.execute(
            select(CallbackRequest).where(CallbackRequest.state == "open").order_by(CallbackRequest.created_at)
        ).scalars().all()
        return [_view(row, fernet) for row in rows if _serves(staff_agency, row.agency_id)]


def mark_done(engine: Engine, request_id: int, login: str, staff_agency: Optional[str],
              now: Optional[datetime] = None) -> bool:
    """Mark an open request this staff member may see as done; False when it
    is not theirs to close, already done, or missing."""
    with session_scope(engine) as session:
        row = session.get(CallbackRequest, request_id)
        if row is None or row.state != "open" or not _serves(staff_agency, row.agency_id):
            return False
        result = session.execute(
            update(CallbackRequest)
            .where(CallbackRequest.id == request_id, CallbackRequest.state == "open")
            .values(state="done", done_at=now or utc_now(), done_by=login)
        )
        return result.rowcount == 1


def purge_callbacks(engine: Engine, now: Optional[datetime] = None, days: int = RETENTION_DAYS,
                    dry_run: bool = False) -> int:
    """Delete every request older than ``days`` (open or done); returns how many."""
    cutoff = (now or utc_now()) - timedelta(days=days)
    with session_scope(engine) as session:
        if dry_run:
            return len(session.execute(
                select(CallbackRequest.id).where(CallbackRequest.created_at < cutoff)).all())
        return int(session.execute(delete(CallbackRequest).where(CallbackRequest.created_at < cutoff)).rowcount)
