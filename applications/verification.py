"""Proving an application is yours, with lockouts against guessing.

The rules:

* An unknown number and a wrong birth date are the same outcome
  (:attr:`Outcome.NOT_VERIFIED`), and both are recorded as a failure for the
  sender and for the number typed, whether or not that number exists.
* 5 failures from one sender within 30 minutes lock that sender out of every
  lookup for 30 minutes; 10 failures on one number, from any senders, lock that
  number for 30 minutes for every sender that has not proved it owns it.
* While a lockout holds nothing is looked up, so even the right birth date gets
  no status (:attr:`Outcome.LOCKED_OUT`); a wrong one is still recorded as a
  failed attempt.
* A stranger must not be able to lock the owner out (ten wrong guesses from
  fresh conversations would otherwise do it). A client that verified the
  number within the last 30 days (a Telegram or KakaoTalk account, a web
  conversation) is remembered, as an HMAC of its sender id, and the number's
  lockout does not apply to it; its own lockout still does. Someone checking
  for the first time while the number is locked is told to wait or to call the
  agency or 110, where staff verify them and can lift the lockout
  (``python -m applications unlock``). The per-number lockout stays: without
  it, guesses spread over many fresh conversations would have no limit.
* Checking, counting and locking happen in one transaction that holds a write
  lock from its first statement (SQLite ``BEGIN IMMEDIATE``; PostgreSQL
  advisory locks on the number and the sender), so parallel guesses are
  counted one after another and none passes the check before the others are
  recorded.

Lockouts are rows in the database, so they survive restarts. The birth date is
compared in constant time, and a dummy comparison is made for unknown numbers
so the two failures also take about the same time.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from applications.hashing import BirthDateHasher
from applications.models import LockoutKind, VerificationFailure, VerificationLockout, VerifiedClient
from applications.repository import ApplicationView, find_application
from core.db import session_scope, take_write_lock

# A well-formed salt and digest that match no birth date: compared against when
# the number is unknown so that path costs one HMAC too.
_DUMMY_SALT = "00" * 16
_DUMMY_DIGEST = "0" * 64


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures lock whom out, and for how long."""

    max_failures_per_sender: int = 5
    max_failures_per_number: int = 10
    window: timedelta = timedelta(minutes=30)
    duration: timedelta = timedelta(minutes=30)
    remember_owner_for: timedelta = timedelta(days=30)


DEFAULT_POLICY = LockoutPolicy()


class Outcome(str, Enum):
    """The result of an ownership check."""

    VERIFIED = "verified"
    NOT_VERIFIED = "not_verified"  # unknown number or wrong birth date: never told apart
    LOCKED_OUT = "locked_out"


@dataclass(frozen=True)
class VerificationResult:
    """The outcome, and the application only when it is :attr:`Outcome.VERIFIED`."""

    outcome: Outcome
    application: ApplicationView | None = None


def _active_lockout(session: Session, kind: str, key: str, now: datetime) -> VerificationLockout | None:
    query = (
        select(VerificationLockout)
        .where(
            VerificationLockout.kind == kind,
            VerificationLockout.key == key,
            VerificationLockout.locked_until > now,
        )
        .order_by(VerificationLockout.locked_until.desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def client_digest(hasher: BirthDateHasher, sender_id: str) -> str:
    """The HMAC under which a verified client is remembered (never the sender id)."""
    return hmac.new(hasher.pepper, b"verified-client|" + sender_id.encode("utf-8"), hashlib.sha256).hexdigest()


def _is_remembered_owner(
    session: Session, *, number: str, digest: str, now: datetime, policy: LockoutPolicy
) -> bool:
    found = session.execute(
        select(VerifiedClient.id).where(
            VerifiedClient.application_number == number,
            VerifiedClient.client_digest == digest,
            VerifiedClient.verified_at > now - policy.remember_owner_for,
        )
    ).first()
    return found is not None


def _remember_owner(session: Session, *, number: str, digest: str, now: datetime) -> None:
    same_client = (VerifiedClient.application_number == number, VerifiedClient.client_digest == digest)
    row = session.execute(select(VerifiedClient).where(*same_client)).scalar_one_or_none()
    if row is None:
        session.add(VerifiedClient(application_number=number, client_digest=digest, verified_at=now))
    else:
        row.verified_at = now


def is_locked_out(
    session: Session, *, sender_id: str, number: str, now: datetime, remembered_owner: bool = False
) -> bool:
    """True while ``sender_id`` is locked out, or ``number`` is and the sender
    is not a ``remembered_owner`` of it."""
    if _active_lockout(session, LockoutKind.SENDER, sender_id, now) is not None:
        return True
    return not remembered_owner and _active_lockout(session, LockoutKind.APPLICATION_NUMBER, number, now) is not None


def _failures_since_last_lock(session: Session, kind: str, key: str, now: datetime, window: timedelta) -> int:
    last_lock = session.execute(
        select(func.max(VerificationLockout.locked_at)).where(
            VerificationLockout.kind == kind, VerificationLockout.key == key
        )
    ).scalar_one_or_none()
    since = now - window
    if last_lock is not None and last_lock > since:
        # Failures that caused the previous lockout do not count again.
        since = last_lock
    column = (
        VerificationFailure.sender_id
        if kind == LockoutKind.SENDER
        else VerificationFailure.application_number
    )
    return int(
        session.execute(
            select(func.count(VerificationFailure.id)).where(
                column == key, VerificationFailure.failed_at > since
            )
        ).scalar_one()
    )


def record_failure(
    session: Session, *, sender_id: str, number: str, now: datetime, policy: LockoutPolicy = DEFAULT_POLICY
) -> bool:
    """Record a failed check and lock out whoever reached the limit; True when a lockout began."""
    session.add(VerificationFailure(sender_id=sender_id, application_number=number, failed_at=now))
    session.flush()
    locked = False
    limits = (
        (LockoutKind.SENDER, sender_id, policy.max_failures_per_sender),
        (LockoutKind.APPLICATION_NUMBER, number, policy.max_failures_per_number),
    )
    for kind, key, limit in limits:
        if _failures_since_last_lock(session, kind, key, now, policy.window) >= limit:
            session.add(
                VerificationLockout(kind=kind, key=key, locked_at=now, locked_until=now + policy.duration)
            )
            locked = True
    return locked


def verify_applicant(
    session: Session,
    *,
    number: str,
    birth_date: date,
    sender_id: str,
    hasher: BirthDateHasher,
    now: datetime,
    policy: LockoutPolicy = DEFAULT_POLICY,
) -> VerificationResult:
    """Check that ``birth_date`` belongs to application ``number`` for ``sender_id``.

    ``number`` must already have a valid check digit (a typo is not a guess and
    is not counted). Returns the application only when verified.
    """
    digest = client_digest(hasher, sender_id)
    remembered = _is_remembered_owner(session, number=number, digest=digest, now=now, policy=policy)
    if is_locked_out(session, sender_id=sender_id, number=number, now=now, remembered_owner=remembered):
        if not _is_right_birth_date(session, number, birth_date, hasher):
            record_failure(session, sender_id=sender_id, number=number, now=now, policy=policy)
        return VerificationResult(Outcome.LOCKED_OUT)
    application = find_application(session, number)
    if application is None:
        hasher.matches(birth_date, _DUMMY_SALT, _DUMMY_DIGEST)
        verified = False
    else:
        verified = hasher.matches(birth_date, application.birth_date_salt, application.birth_date_hash)
    if verified and application is not None:
        _remember_owner(session, number=number, digest=digest, now=now)
        return VerificationResult(Outcome.VERIFIED, ApplicationView.of(application))
    if record_failure(session, sender_id=sender_id, number=number, now=now, policy=policy):
        return VerificationResult(Outcome.LOCKED_OUT)
    return VerificationResult(Outcome.NOT_VERIFIED)


def _is_right_birth_date(session: Session, number: str, birth_date: date, hasher: BirthDateHasher) -> bool:
    """Whether ``birth_date`` is the applicant's (one HMAC either way)."""
    application = find_application(session, number)
    if application is None:
        hasher.matches(birth_date, _DUMMY_SALT, _DUMMY_DIGEST)
        return False
    return hasher.matches(birth_date, application.birth_date_salt, application.birth_date_hash)


def _serialise_checks(session: Session, *, number: str, sender_id: str) -> None:
    """Take the write lock that makes concurrent checks of the same number or
    sender run one after another, before anything is read."""
    connection = session.connection()
    take_write_lock(connection)  # SQLite: the whole database, before anything is read
    if connection.dialect.name == "postgresql":
        for key in sorted({f"number:{number}", f"sender:{sender_id}"}):  # one order: no deadlock
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def check_application(
    engine: Engine,
    *,
    number: str,
    birth_date: date,
    sender_id: str,
    hasher: BirthDateHasher,
    now: datetime,
    policy: LockoutPolicy = DEFAULT_POLICY,
) -> VerificationResult:
    """:func:`verify_applicant` in its own serialised transaction (blocking: run it in a thread)."""
    with session_scope(engine) as session:
        _serialise_checks(session, number=number, sender_id=sender_id)
        return verify_applicant(
            session,
            number=number,
            birth_date=birth_date,
            sender_id=sender_id,
            hasher=hasher,
            now=now,
            policy=policy,
        )
