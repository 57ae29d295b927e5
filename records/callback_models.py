"""SQLAlchemy model of call-back requests (issue 18, item 1).

A citizen who got "today's answer" (out of hours, nobody on duty, or nobody
took the chat in time) may ask an agency to call them back. The phone number
is personal data: only its sealed (Fernet) form is stored, never the digits;
the short message is masked like every stored text. :mod:`records.callbacks`
writes and reads these rows.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from core.db import Base

#: CallbackRequest.state values: open -> done.
CALLBACK_STATES = ("open", "done")


class CallbackRequest(Base):
    """One consented request for a call-back, for an agency's queue (None = the general pool)."""

    __tablename__ = "callback_requests"
    __table_args__ = (Index("ix_callback_requests_queue", "state", "agency_id", "created_at"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    channel = Column(String(16), nullable=False, default="web")
    language = Column(String(2), nullable=False, default="ko")
    agency_id = Column(String(64))
    reason = Column(String(32), nullable=False)  # out_of_hours | no_agent | timed_out
    phone_sealed = Column(Text, nullable=False)  # Fernet token of the normalised number
    message = Column(Text, nullable=False, default="")  # masked, length-bounded
    consent_at = Column(DateTime, nullable=False)  # when the citizen agreed to the notice
    created_at = Column(DateTime, nullable=False, index=True)
    state = Column(String(8), nullable=False, default="open")
    done_at = Column(DateTime)
    done_by = Column(String(64))  # the login of the staff member who called back
