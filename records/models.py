"""SQLAlchemy models of the records staff follow up on.

Both tables live in the project's one database (:data:`core.db.Base`). Every
citizen text stored here (transcripts, comments, failed questions) is masked
with :func:`core.privacy.mask_for_log` by :mod:`records.repository` before it
is written.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, Text

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
