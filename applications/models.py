"""Tables for applications, their history and failed ownership checks.

The applicant's birth date is never stored: only a per-row salt and an HMAC
(see :mod:`applications.hashing`). Failed verifications and lockouts are rows
too, so a lockout holds across restarts of the action server.
"""

from __future__ import annotations

from typing import List

from sqlalchemy import (
    JSON,
    CheckConstraint,
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
from sqlalchemy.orm import relationship

from applications.statuses import ApplicationStatus
from core.db import Base

_STATUS_VALUES = ", ".join(f"'{status.value}'" for status in ApplicationStatus)


class Application(Base):
    """One citizen's application for one service."""

    __tablename__ = "applications"
    __table_args__ = (CheckConstraint(f"status IN ({_STATUS_VALUES})", name="ck_applications_status"),)

    id = Column(Integer, primary_key=True)
    number = Column(String(12), nullable=False, unique=True, index=True)  # "2026-0012347"
    # A catalogue service id kept as a plain string: the catalogue tables are
    # maintained separately and an application outlives catalogue edits.
    service_id = Column(String(80), nullable=False, index=True)
    service_name_ko = Column(String(200), nullable=False)
    service_name_en = Column(String(200), nullable=False)
    birth_date_salt = Column(String(64), nullable=False)
    birth_date_hash = Column(String(64), nullable=False)
    status = Column(String(32), nullable=False, default=ApplicationStatus.RECEIVED.value)
    submitted_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)
    expected_completion = Column(Date)
    agency_ko = Column(String(200), nullable=False)
    agency_en = Column(String(200), nullable=False)
    office_ko = Column(String(200), nullable=False)
    office_en = Column(String(200), nullable=False)
    contact_phone = Column(String(40), nullable=False)
    supplement_documents_ko = Column(JSON)  # list of str
    supplement_documents_en = Column(JSON)  # list of str
    supplement_deadline = Column(Date)
    rejection_reason_ko = Column(Text)
    rejection_reason_en = Column(Text)

    history = relationship(
        "StatusHistory",
        back_populates="application",
        order_by="StatusHistory.changed_at, StatusHistory.id",
        cascade="all, delete-orphan",
    )

    @property
    def status_enum(self) -> ApplicationStatus:
        """The status as an :class:`ApplicationStatus`."""
        return ApplicationStatus(self.status)

    def documents(self, language: str) -> List[str]:
        """The supplement documents in ``language``, falling back to Korean."""
        english = self.supplement_documents_en if language == "en" else None
        return list(english or self.supplement_documents_ko or [])

    def rejection_reason(self, language: str) -> str | None:
        """The rejection reason in ``language``, falling back to Korean."""
        if language == "en" and self.rejection_reason_en:
            return self.rejection_reason_en
        return self.rejection_reason_ko


class StatusHistory(Base):
    """One status change: who moved the application where, when and why."""

    __tablename__ = "application_status_history"

    id = Column(Integer, primary_key=True)
    application_id = Column(
        Integer, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status = Column(String(32), nullable=False)
    changed_at = Column(DateTime, nullable=False)
    changed_by = Column(String(120), nullable=False)
    note = Column(Text)

    application = relationship("Application", back_populates="history")


class VerificationFailure(Base):
    """A failed ownership check: an unknown number or a wrong birth date.

    The number is recorded whether or not it exists, so unknown and real
    numbers lock out alike and the lockout reveals nothing.
    """

    __tablename__ = "application_verification_failures"
    __table_args__ = (
        Index("ix_verification_failures_sender_time", "sender_id", "failed_at"),
        Index("ix_verification_failures_number_time", "application_number", "failed_at"),
    )

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False)
    application_number = Column(String(12), nullable=False)
    failed_at = Column(DateTime, nullable=False)


class LockoutKind:
    """What a lockout applies to."""

    SENDER = "sender"
    APPLICATION_NUMBER = "application_number"


class VerificationLockout(Base):
    """A sender or an application number that may not be looked up until ``locked_until``."""

    __tablename__ = "application_verification_lockouts"
    __table_args__ = (
        Index("ix_verification_lockouts_key", "kind", "key", "locked_until"),
        CheckConstraint("kind IN ('sender', 'application_number')", name="ck_lockouts_kind"),
    )

    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)
    key = Column(String(255), nullable=False)
    locked_at = Column(DateTime, nullable=False)
    locked_until = Column(DateTime, nullable=False)


class VerifiedClient(Base):
    """A client (a messenger account, a web conversation) that proved it owns an
    application: a lockout of that application's number does not stop it.

    The client is kept as an HMAC of its sender id, never the id itself.
    """

    __tablename__ = "application_verified_clients"
    __table_args__ = (
        UniqueConstraint("application_number", "client_digest", name="uq_verified_clients_number_client"),
    )

    id = Column(Integer, primary_key=True)
    application_number = Column(String(12), nullable=False)
    client_digest = Column(String(64), nullable=False)
    verified_at = Column(DateTime, nullable=False)


__all__ = [
    "Application",
    "VerifiedClient",
    "LockoutKind",
    "StatusHistory",
    "VerificationFailure",
    "VerificationLockout",
]
