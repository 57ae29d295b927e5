"""SQLAlchemy models of the records staff follow up on.

Handoffs and feedback, and the proactive notices (subscriptions, the outbox
and its delivery log). The tables live in the project's one database
(:data:`core.db.Base`). Every citizen text stored here (transcripts, comments, failed questions) is masked
with :func:`core.privacy.mask_for_log` by :mod:`records.repository` before it
is written.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from core.db import Base


def utc_now() -> datetime:
    """The current time as naive UTC, the form SQLite keeps."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Handoff(Base):
    """One time a citizen was sent to a person (a call centre or an agency)."""

    __tablename__ = "records_handoff"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False, default=utc_now, index=True)
    sender_id = Column(String(255), nullable=False, index=True)
    # requested | repeated_fallback | thumbs_down
    reason = Column(String(32), nullable=False)
    service_id = Column(String(64))
    agency_id = Column(String(64))
    language = Column(String(2), nullable=False, default="ko")
    open_now = Column(Boolean, nullable=False, default=False)
    # [{"who": "user"|"bot", "text": masked text}, ...], oldest first.
    transcript = Column(JSON, nullable=False, default=list)


class Feedback(Base):
    """One thumbs-up or thumbs-down, with what it was about."""

    __tablename__ = "records_feedback"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime, nullable=False, default=utc_now, index=True)
    sender_id = Column(String(255), nullable=False, index=True)
    helpful = Column(Boolean, nullable=False)
    # The intent of the question that was answered (e.g. ask_service_fee).
    intent = Column(String(64))
    service_id = Column(String(64), index=True)
    language = Column(String(2), nullable=False, default="ko")
    # The citizen's question before the rating, masked.
    question = Column(Text)
    # An optional free-text comment after a thumbs-down, masked.
    comment = Column(Text)


class NoticeSubscription(Base):
    """A citizen's consent to be told when one application moves (issue 20).

    Only what delivery needs: the application, the messenger, the conversation
    id on it (``telegram:<chat id>`` or ``kakao:<botUserKey>``), the language
    and when consent was given. No name, birth date or resident number.
    """

    __tablename__ = "notice_subscriptions"
    __table_args__ = (
        UniqueConstraint("application_id", "channel", "recipient", name="uq_notice_subscriptions_target"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    application_id = Column(
        Integer, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    channel = Column(String(16), nullable=False)  # telegram | kakao
    recipient = Column(String(255), nullable=False, index=True)
    language = Column(String(2), nullable=False, default="ko")
    consented_at = Column(DateTime, nullable=False)
    # False: the citizen allows pushes during quiet hours (21:00-08:00 Korea time).
    quiet_hours = Column(Boolean, nullable=False, default=True)
    ended_at = Column(DateTime)
    # cancelled (the citizen) | final (a final status) | blocked (the messenger refused)
    end_reason = Column(String(16))


class Notice(Base):
    """One message to push: a status change or a deadline reminder (the outbox).

    Written in the transaction of the change itself; the notifier claims due
    rows, sends them and records each attempt in :class:`NoticeDelivery`. The
    text is rendered at delivery time from the kind and values here, so no
    personal detail is stored with it.
    """

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_state_due", "state", "due_at"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    subscription_id = Column(
        Integer, ForeignKey("notice_subscriptions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(16), nullable=False)  # status | reminder
    status = Column(String(32), nullable=False)  # the application status the notice is about
    deadline = Column(Date)  # reminders: the supplement deadline
    days_before = Column(Integer)  # reminders: 3 or 1
    # One notice per change and subscription, one reminder per deadline and day.
    dedupe_key = Column(String(120), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)
    due_at = Column(DateTime, nullable=False)
    # pending | claimed | sending | sent | failed | unconfirmed | cancelled
    state = Column(String(12), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    claimed_by = Column(String(64))
    lease_until = Column(DateTime)
    sent_at = Column(DateTime)
    last_error = Column(String(200))


class NoticeDelivery(Base):
    """The delivery log: one row per attempt or decision about a notice."""

    __tablename__ = "notice_deliveries"

    id = Column(Integer, primary_key=True, autoincrement=True)
    notice_id = Column(Integer, ForeignKey("notices.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime, nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    # sent | retry | rate_limited | held | failed | unconfirmed | cancelled
    outcome = Column(String(16), nullable=False)
    detail = Column(String(200))
