"""Reading and writing handoff and feedback records (blocking: run in a thread).

Texts are masked here, once, so no caller can store a citizen's identifiers by
mistake. Rasa's own tracker store (table ``events``, when it lives in the same
database) is read for the messages the assistant did not understand.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, List, Optional, Sequence

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine

from core.db import session_scope
from core.privacy import mask_citizen_text, mask_for_log, mask_line
from records.models import Feedback, Handoff, utc_now

HANDOFF_REASONS = ("requested", "repeated_fallback", "thumbs_down")
TRACKER_EVENTS_TABLE = "events"


def _mask(value: Optional[str]) -> Optional[str]:
    return mask_for_log(value) if isinstance(value, str) else None


def record_handoff(
    engine: Engine,
    *,
    sender_id: str,
    reason: str,
    language: str,
    service_id: Optional[str],
    agency_id: Optional[str],
    open_now: bool,
    transcript: Sequence[Dict[str, str]],
    at: Optional[datetime] = None,
) -> int:
    """Store one handoff; the transcript texts are masked again. Returns its id."""
    if reason not in HANDOFF_REASONS:
        raise ValueError(f"unknown handoff reason {reason!r}")
    masked = [{"who": line.get("who", ""), "text": mask_line(line.get("who", ""), line.get("text", ""))}
              for line in transcript]
    with session_scope(engine) as session:
        row = Handoff(
            at=at or utc_now(),
            sender_id=sender_id,
            reason=reason,
            language=language,
            service_id=service_id,
            agency_id=agency_id,
            open_now=open_now,
            transcript=masked,
        )
        session.add(row)
        session.flush()
        return int(row.id)


def record_feedback(
    engine: Engine,
    *,
    sender_id: str,
    helpful: bool,
    language: str,
    intent: Optional[str],
    service_id: Optional[str],
    question: Optional[str],
    at: Optional[datetime] = None,
) -> int:
    """Store one rating with the (masked) question it was about. Returns its id."""
    with session_scope(engine) as session:
        row = Feedback(
            at=at or utc_now(),
            sender_id=sender_id,
            helpful=helpful,
            language=language,
            intent=intent,
            service_id=service_id,
            question=_mask(question),
        )
        session.add(row)
        session.flush()
        return int(row.id)


def add_comment(engine: Engine, sender_id: str, comment: str) -> bool:
    """Attach a (masked) comment to this sender's latest thumbs-down; False if there is none."""
    with session_scope(engine) as session:
        row = session.execute(
            select(Feedback)
            .where(Feedback.sender_id == sender_id, Feedback.helpful.is_(False))
            .order_by(Feedback.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            return False
        row.comment = mask_citizen_text(comment.strip())
        return True


@dataclass(frozen=True)
class HandoffRow:
    """A handoff as plain values, for the staff command."""

    at: datetime
    sender_id: str
    reason: str
    service_id: Optional[str]
    agency_id: Optional[str]
    language: str
    open_now: bool
    transcript: List[Dict[str, str]]


def list_handoffs(engine: Engine, since: Optional[datetime] = None) -> List[HandoffRow]:
    """Handoffs (oldest first), only those at or after ``since`` (naive UTC) if given."""
    with session_scope(engine) as session:
        query = select(Handoff).order_by(Handoff.at, Handoff.id)
        if since is not None:
            query = query.where(Handoff.at >= since)
        return [
            HandoffRow(
                at=row.at,
                sender_id=row.sender_id,
                reason=row.reason,
                service_id=row.service_id,
                agency_id=row.agency_id,
                language=row.language,
                open_now=bool(row.open_now),
                transcript=list(row.transcript or []),
            )
            for row in session.execute(query).scalars()
        ]


@dataclass(frozen=True)
class Rate:
    """How many ratings a group got and how many were helpful."""

    key: str
    total: int
    helpful: int

    @property
    def percent(self) -> float:
        """The helpful share in percent (0 when there is no rating)."""
        return 100.0 * self.helpful / self.total if self.total else 0.0


def helpful_rates(engine: Engine) -> List[Rate]:
    """One rate per service (``-`` for ratings given with no service), most rated first."""
    counts: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    with session_scope(engine) as session:
        for service_id, helpful in session.execute(select(Feedback.service_id, Feedback.helpful)):
            entry = counts[service_id or "-"]
            entry[0] += 1
            entry[1] += 1 if helpful else 0
    rates = [Rate(key, total, helpful) for key, (total, helpful) in counts.items()]
    return sorted(rates, key=lambda rate: (-rate.total, rate.key))


def overall_rate(engine: Engine) -> Rate:
    """The helpful rate over every rating."""
    rates = helpful_rates(engine)
    return Rate("all", sum(r.total for r in rates), sum(r.helpful for r in rates))


@dataclass(frozen=True)
class FailedQuestion:
    """A question the assistant did not answer well."""

    at: datetime
    source: str  # thumbs_down | nlu_fallback
    text: str
    service_id: Optional[str] = None
    comment: Optional[str] = None


def _thumbs_down_questions(engine: Engine) -> List[FailedQuestion]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(Feedback).where(Feedback.helpful.is_(False)).order_by(Feedback.at, Feedback.id)
        ).scalars()
        return [
            FailedQuestion(row.at, "thumbs_down", row.question or "-", row.service_id, row.comment)
            for row in rows
        ]


def _not_understood_messages(engine: Engine) -> List[FailedQuestion]:
    """User messages Rasa classified as ``nlu_fallback``, from its tracker store if present."""
    if TRACKER_EVENTS_TABLE not in inspect(engine).get_table_names():
        return []
    query = text(
        "SELECT timestamp, data FROM events WHERE type_name = 'user' AND intent_name = 'nlu_fallback' "
        "ORDER BY timestamp"
    )
    found: List[FailedQuestion] = []
    with engine.connect() as connection:
        for timestamp, data in connection.execute(query):
            try:
                message = json.loads(data or "{}").get("text") or ""
            except ValueError:
                continue
            if message.strip():
                at = datetime.utcfromtimestamp(float(timestamp or 0))
                found.append(FailedQuestion(at, "nlu_fallback", mask_citizen_text(message.strip())))
    return found


def failed_questions(engine: Engine) -> List[FailedQuestion]:
    """Questions before a thumbs-down and messages not understood, oldest first, masked."""
    merged = _thumbs_down_questions(engine) + _not_understood_messages(engine)
    return sorted(merged, key=lambda question: question.at)

