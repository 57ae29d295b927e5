"""Retention: personal data is kept only as long as its purpose needs (PIPA).

The Personal Information Protection Act (개인정보 보호법, Article 21) asks that
personal information be destroyed without delay once its retention period has
passed or its purpose is achieved. This module is that destruction; ``python -m
records purge`` runs it (once, or in a loop with ``--every 24h``).

Periods, read from the environment (whole days, 1 to 3650):

``ASSISTANT_CONVERSATION_RETENTION_DAYS`` (default 90)
    Rasa's conversations (table ``events``). A conversation whose last event is
    older than the period is deleted whole. A citizen who keeps coming back (a
    messenger user keeps one sender id) keeps only the sessions that are newer
    than the period, and always the current one. 90 days covers a follow-up
    question on a reply (processing times are mostly under 30 days) and a
    quarter of quality review, and no more.
``ASSISTANT_RECORD_RETENTION_DAYS`` (default 365)
    The records staff follow up on (``records_handoff``, ``records_feedback``;
    texts in them are already masked), the trainers' review inbox
    (``review_items``, masked questions), and proactive notices: subscriptions
    that ended, and notices delivered or given up, with their delivery logs. One year: a handoff can be followed by a
    complaint about its handling, and the helpful rates are compared over one
    yearly service review cycle; after that the rows serve no purpose that the
    aggregated figures do not.

``ASSISTANT_SECURITY_RETENTION_DAYS`` (default 30)
    The status-check guard's own rows (``application_verification_failures``:
    which conversation tried which application number and when;
    ``application_verification_lockouts`` once they have ended;
    ``application_verified_clients``, the hashed clients that proved they own
    an application, which a lockout of its number does not stop). A lockout
    needs only the last half hour; 30 days lets staff look into a reported
    attack and lets a returning owner through, then the rows go.

Call-back requests (phone numbers, sealed) are kept
:data:`records.callbacks.RETENTION_DAYS` (30) days, the period the consent
notice states to the citizen; it is not configurable, since changing it would
break what the citizen agreed to.

Sealed pending values (an application number or birth date of a form that was
left open, see :mod:`core.tracker_store`) can no longer be opened after
:data:`core.tracker_store.PENDING_SECONDS`; the purge also removes their
ciphertext from disk.

Nothing here logs or prints a conversation or a record: only counts.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, Mapping, Optional, Tuple

from sqlalchemy import bindparam, delete, inspect, text
from sqlalchemy.engine import Connection, Engine

from applications.models import VerificationFailure, VerificationLockout, VerifiedClient
from core.db import session_scope
from core.tracker_store import PENDING_SECONDS, SEALED_KEY, SENSITIVE_SLOTS
from records.callbacks import RETENTION_DAYS as CALLBACK_RETENTION_DAYS
from records.callbacks import purge_callbacks
from records.models import Feedback, Handoff
from records.notices import purge_notices
from records.review_models import ReviewItem

CONVERSATION_RETENTION_ENV = "ASSISTANT_CONVERSATION_RETENTION_DAYS"
RECORD_RETENTION_ENV = "ASSISTANT_RECORD_RETENTION_DAYS"
SECURITY_RETENTION_ENV = "ASSISTANT_SECURITY_RETENTION_DAYS"
DEFAULT_CONVERSATION_DAYS = 90
DEFAULT_RECORD_DAYS = 365
DEFAULT_SECURITY_DAYS = 30
MAX_DAYS = 3650
EVENTS_TABLE = "events"


@dataclass(frozen=True)
class RetentionPolicy:
    """How many days conversations, records and status-check guard rows are kept."""

    conversation_days: int = DEFAULT_CONVERSATION_DAYS
    record_days: int = DEFAULT_RECORD_DAYS
    security_days: int = DEFAULT_SECURITY_DAYS

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "RetentionPolicy":
        """The periods from the environment (defaults 90, 365 and 30 days).

        Raises ``ValueError`` naming the variable when a value is not a whole
        number of days between 1 and 3650.
        """
        env = os.environ if env is None else env
        return cls(
            conversation_days=_days(env, CONVERSATION_RETENTION_ENV, DEFAULT_CONVERSATION_DAYS),
            record_days=_days(env, RECORD_RETENTION_ENV, DEFAULT_RECORD_DAYS),
            security_days=_days(env, SECURITY_RETENTION_ENV, DEFAULT_SECURITY_DAYS),
        )


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        days = int(raw)
    except ValueError as error:
        raise ValueError(f"environment variable {name} must be a whole number of days, got {raw!r}") from error
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"environment variable {name} must be between 1 and {MAX_DAYS} days, got {raw!r}")
    return days


@dataclass(frozen=True)
class PurgeReport:
    """What one purge deleted (or, in a dry run, would delete): counts only."""

    conversations: int = 0
    conversation_events: int = 0
    old_session_events: int = 0
    expired_seals: int = 0
    handoffs: int = 0
    feedback: int = 0
    verification_failures: int = 0
    lockouts: int = 0
    verified_clients: int = 0
    notice_subscriptions: int = 0
    notices: int = 0
    review_items: int = 0
    callback_requests: int = 0
    dry_run: bool = False


def _epoch(moment: datetime) -> float:
    """A naive-UTC time as seconds since the epoch (Rasa's event timestamps)."""
    return (moment - datetime(1970, 1, 1)).total_seconds()


# Rasa's table is named literally: no query here is built from input.
_STALE_SENDERS = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"
_IN_STALE = "FROM events WHERE sender_id IN (" + _STALE_SENDERS + ")"
# Events older than the cutoff from sessions before the sender's latest one.
_OLD_SESSIONS = (
    "FROM events WHERE timestamp < :cutoff AND timestamp < ("
    "SELECT MAX(latest.timestamp) FROM events AS latest "
    "WHERE latest.sender_id = events.sender_id AND latest.type_name = 'session_started')"
)
COUNT_STALE_SENDERS = text("SELECT COUNT(*) FROM (" + _STALE_SENDERS + ") AS stale")  # noqa: S608 - constants only
COUNT_STALE_EVENTS = text("SELECT COUNT(*) " + _IN_STALE)
DELETE_STALE_EVENTS = text("DELETE " + _IN_STALE)
COUNT_OLD_SESSION_EVENTS = text("SELECT COUNT(*) " + _OLD_SESSIONS)
DELETE_OLD_SESSION_EVENTS = text("DELETE " + _OLD_SESSIONS)
SEALED_SLOT_ROWS = text(
    "SELECT id, data FROM events WHERE type_name = 'slot' "
    "AND action_name IN :slots AND timestamp < :before AND data LIKE :sealed"
).bindparams(bindparam("slots", expanding=True))
UPDATE_EVENT_DATA = text("UPDATE events SET data = :data WHERE id = :id")


def _count(connection: Connection, query: Any, params: Dict[str, Any]) -> int:
    return int(connection.execute(query, params).scalar() or 0)


def _purge_conversations(connection: Connection, cutoff: float, dry_run: bool) -> Tuple[int, int, int]:
    """(conversations, their events, events of old sessions) deleted from ``events``."""
    params = {"cutoff": cutoff}
    conversations = _count(connection, COUNT_STALE_SENDERS, params)
    stale_events = _count(connection, COUNT_STALE_EVENTS, params) if conversations else 0
    if stale_events and not dry_run:
        connection.execute(DELETE_STALE_EVENTS, params)
    old_events = _count(connection, COUNT_OLD_SESSION_EVENTS, params)
    if old_events and not dry_run:
        connection.execute(DELETE_OLD_SESSION_EVENTS, params)
    return conversations, stale_events, old_events


def _purge_seals(connection: Connection, expired_before: float, dry_run: bool) -> int:
    """Drop the ciphertext of sensitive slot values that can no longer be opened."""
    rows = connection.execute(
        SEALED_SLOT_ROWS, {"slots": list(SENSITIVE_SLOTS), "before": expired_before, "sealed": f'%"{SEALED_KEY}"%'}
    ).all()
    expired = 0
    for row_id, raw in rows:
        data = json.loads(raw)
        if data.pop(SEALED_KEY, None) is None:
            continue
        expired += 1
        if not dry_run:
            connection.execute(UPDATE_EVENT_DATA, {"data": json.dumps(data), "id": row_id})
    return expired


def _purge_records(engine: Engine, cutoff: datetime, dry_run: bool) -> Tuple[int, int, int]:
    """(handoffs, feedback rows, review inbox items) older than ``cutoff`` deleted."""
    conditions = (
        (Handoff, Handoff.at < cutoff),
        (Feedback, Feedback.at < cutoff),
        (ReviewItem, ReviewItem.asked_at < cutoff),
    )
    counts = []
    with session_scope(engine) as session:
        for model, condition in conditions:
            counts.append(session.query(model).filter(condition).count())
            if not dry_run:
                session.execute(delete(model).where(condition))
    return counts[0], counts[1], counts[2]


def _purge_guard_rows(engine: Engine, cutoff: datetime, dry_run: bool) -> Tuple[int, int, int]:
    """(failed checks, ended lockouts, remembered owners) older than ``cutoff`` deleted."""
    conditions = (
        (VerificationFailure, VerificationFailure.failed_at < cutoff),
        (VerificationLockout, VerificationLockout.locked_until < cutoff),
        (VerifiedClient, VerifiedClient.verified_at < cutoff),
    )
    with session_scope(engine) as session:
        counts = tuple(session.query(model).filter(condition).count() for model, condition in conditions)
        if not dry_run:
            for model, condition in conditions:
                session.execute(delete(model).where(condition))
    return counts  # type: ignore[return-value]


def purge(
    engine: Engine,
    now: datetime,
    policy: Optional[RetentionPolicy] = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Delete what has outlived its period at ``now`` (naive UTC); with
    ``dry_run`` change nothing and report what would go.

    Blocking: run it from the command line or in a worker thread. Each part
    commits on its own, so a run that fails half way can simply run again.
    """
    policy = policy or RetentionPolicy.from_env()
    conversations = stale_events = old_events = seals = 0
    if EVENTS_TABLE in inspect(engine).get_table_names():
        with engine.begin() as connection:
            conversations, stale_events, old_events = _purge_conversations(
                connection, _epoch(now - timedelta(days=policy.conversation_days)), dry_run
            )
        with engine.begin() as connection:
            seals = _purge_seals(connection, _epoch(now) - PENDING_SECONDS, dry_run)
    handoffs, feedback, review_items = _purge_records(engine, now - timedelta(days=policy.record_days), dry_run)
    failures, lockouts, owners = _purge_guard_rows(engine, now - timedelta(days=policy.security_days), dry_run)
    notices = purge_notices(engine, now - timedelta(days=policy.record_days), dry_run=dry_run)
    callbacks = purge_callbacks(engine, now, dry_run=dry_run)
    return PurgeReport(
        conversations, stale_events, old_events, seals, handoffs, feedback, failures, lockouts, owners,
        notices["subscriptions"], notices["notices"], review_items, callbacks, dry_run,
    )


def describe(report: PurgeReport, policy: RetentionPolicy) -> str:
    """The report for a clerk, in Korean and English: counts only."""
    verb_ko, verb_en = ("삭제 예정", "would be deleted") if report.dry_run else ("삭제", "deleted")
    lines = [
        f"대화 보관 기간 {policy.conversation_days}일, 기록 보관 기간 {policy.record_days}일"
        f" (conversations kept {policy.conversation_days} days, records {policy.record_days} days)",
        f"대화 {report.conversations}건(이벤트 {report.conversation_events}개) {verb_ko}"
        f" / conversations {verb_en}: {report.conversations} ({report.conversation_events} events)",
        f"지난 세션 이벤트 {report.old_session_events}개 {verb_ko}"
        f" / events of old sessions {verb_en}: {report.old_session_events}",
        f"만료된 임시 보관 값 {report.expired_seals}개 {verb_ko}"
        f" / expired pending values {verb_en}: {report.expired_seals}",
        f"상담 연결 기록 {report.handoffs}건 {verb_ko} / handoff records {verb_en}: {report.handoffs}",
        f"피드백 기록 {report.feedback}건 {verb_ko} / feedback records {verb_en}: {report.feedback}",
        f"조회 실패 기록 {report.verification_failures}건, 끝난 조회 제한 {report.lockouts}건,"
        f" 본인 확인 기록 {report.verified_clients}건 {verb_ko} (보관 기간 {policy.security_days}일)"
        f" / failed status checks, ended lockouts and remembered owners {verb_en}:"
        f" {report.verification_failures}, {report.lockouts}, {report.verified_clients}"
        f" (kept {policy.security_days} days)",
        f"끝난 알림 신청 {report.notice_subscriptions}건, 지난 알림 {report.notices}건 {verb_ko}"
        f" / ended notice subscriptions and past notices {verb_en}: {report.notice_subscriptions}, {report.notices}",
        f"학습 검토함 질문 {report.review_items}건 {verb_ko}"
        f" / training inbox questions {verb_en}: {report.review_items}",
        f"전화 상담 예약 {report.callback_requests}건 {verb_ko} (보관 기간 {CALLBACK_RETENTION_DAYS}일)"
        f" / call-back requests {verb_en}: {report.callback_requests} (kept {CALLBACK_RETENTION_DAYS} days)",
    ]
    if report.dry_run:
        lines.append("시험 실행이라 아무것도 삭제하지 않았습니다. (dry run: nothing was deleted)")
    return "\n".join(lines) + "\n"
