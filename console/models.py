"""Tables of the staff console: accounts and the service changes waiting for review."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, Text

from core.db import Base
from knowledge.models import utc_now


class ConsoleUser(Base):
    """A staff account. Only an argon2 hash of the password is kept.

    ``failed_logins`` is only ever changed by one atomic UPDATE, so parallel
    guesses cannot get past the lockout; ``session_epoch`` grows when the
    account is disabled or its password reset, which ends every open session.
    """

    __tablename__ = "console_user"

    id = Column(Integer, primary_key=True, autoincrement=True)
    login = Column(String(64), nullable=False, unique=True, index=True)
    role = Column(String(16), nullable=False)
    agency_id = Column(String(64))
    password_hash = Column(String(255), nullable=False)
    disabled = Column(Boolean, nullable=False, default=False)
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime(timezone=True))
    session_epoch = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    last_login_at = Column(DateTime(timezone=True))


class ServiceChange(Base):
    """A proposed change to one service: the whole entry as the editor left it.

    ``status`` moves draft -> pending (submitted for review) -> published, or
    to rejected; ``base_revision`` is the service revision the editor started
    from, so a publish over a newer change is refused and nothing is lost.
    """

    __tablename__ = "console_service_change"

    id = Column(Integer, primary_key=True, autoincrement=True)
    service_id = Column(String(64), nullable=False, index=True)
    agency_id = Column(String(64), nullable=False)
    status = Column(String(16), nullable=False, index=True)
    entry = Column(JSON, nullable=False)
    base_revision = Column(Integer, nullable=False)
    author = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    reviewer = Column(String(64))
    reviewed_at = Column(DateTime(timezone=True))
    note = Column(Text)
    published_revision = Column(Integer)
