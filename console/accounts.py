"""Staff accounts: create, list, disable, reset, and the throttled login check.

Blocking (SQLAlchemy): handlers call these through ``asyncio.to_thread``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import List

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from console.models import ConsoleUser
from console.passwords import hash_password, verify_dummy, verify_password
from console.roles import AGENCY_ROLES, Role, Staff
from core.db import session_scope
from knowledge.models import Agency, record_audit, utc_now

LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")


class AccountError(ValueError):
    """An account operation that cannot be done; the message says why."""


class LoginOutcome(Enum):
    """What a login attempt came to."""

    OK = "ok"
    INVALID = "invalid"  # unknown login, wrong password or disabled account: one answer for all
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    """The outcome and, when it succeeded, who signed in and their session epoch."""

    outcome: LoginOutcome
    staff: Staff | None = None
    epoch: int = 0


@dataclass(frozen=True)
class AccountView:
    """An account without its password hash (for listings)."""

    login: str
    role: str
    agency_id: str | None
    disabled: bool
    locked_until: datetime | None
    last_login_at: datetime | None


def as_utc(value: datetime | None) -> datetime | None:
    """``value`` as an aware UTC time (SQLite gives back naive ones)."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _staff(user: ConsoleUser) -> Staff:
    return Staff(id=user.id, login=user.login, role=Role(user.role), agency_id=user.agency_id)


def add_user(
    engine: Engine,
    login: str,
    role: str,
    password: str,
    agency_id: str | None = None,
    actor: str = "cli",
    source: str = "cli",
) -> None:
    """Create an account; ``AccountError`` for a bad login, role, agency or a taken login.

    Editors and clerks need the agency they work for; other roles have none.
    """
    login = login.strip().lower()
    if not LOGIN_PATTERN.match(login):
        raise AccountError("a login is 2-64 lower-case letters, digits, '.', '_' or '-', starting with a letter")
    parsed = Role.parse(role)
    if parsed in AGENCY_ROLES and not agency_id:
        raise AccountError(f"role {parsed.value} needs --agency (the agency it works for)")
    if parsed not in AGENCY_ROLES and parsed is not Role.AGENT and agency_id:
        raise AccountError(f"role {parsed.value} works for every agency; leave out --agency")
    password_hash = hash_password(password)
    with session_scope(engine) as session:
        if agency_id and session.get(Agency, agency_id) is None:
            known = ", ".join(session.scalars(select(Agency.id).order_by(Agency.id)))
            raise AccountError(f"there is no agency {agency_id!r}; agencies: {known}")
        if session.scalar(select(ConsoleUser.id).where(ConsoleUser.login == login)) is not None:
            raise AccountError(f"the login {login!r} is already taken")
        session.add(
            ConsoleUser(
                login=login,
                role=parsed.value,
                agency_id=agency_id,
                password_hash=password_hash,
                disabled=False,
                failed_logins=0,
                session_epoch=0,
                created_at=utc_now(),
            )
        )
        record_audit(
            session, actor=actor, action="create", entity_type="user", entity_id=login,
            field="role", new_value=f"{parsed.value} {agency_id or ''}".strip(), source=source,
        )


def list_users(engine: Engine) -> List[AccountView]:
    """Every account, by login."""
    with session_scope(engine) as session:
        return [
            AccountView(u.login, u.role, u.agency_id, bool(u.disabled), as_utc(u.locked_until), as_utc(u.last_login_at))
            for u in session.scalars(select(ConsoleUser).order_by(ConsoleUser.login))
        ]


def _require(session: Session, login: str) -> ConsoleUser:
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.login == login.strip().lower()))
    if user is None:
        raise AccountError(f"there is no account {login!r}")
    return user


def set_disabled(
    engine: Engine, login: str, disabled: bool = True, actor: str = "cli", source: str = "cli"
) -> None:
    """Disable (or enable) an account; disabling ends its open sessions."""
    with session_scope(engine) as session:
        user = _require(session, login)
        user.disabled = disabled
        user.session_epoch = (user.session_epoch or 0) + 1
        record_audit(
            session, actor=actor, action="disable" if disabled else "enable", entity_type="user",
            entity_id=user.login, source=source,
        )


def reset_password(engine: Engine, login: str, password: str, actor: str = "cli", source: str = "cli") -> None:
    """Set a new password, lift any lockout and end the account's open sessions."""
    password_hash = hash_password(password)
    with session_scope(engine) as session:
        user = _require(session, login)
        user.password_hash = password_hash
        user.failed_logins = 0
        user.locked_until = None
        user.session_epoch = (user.session_epoch or 0) + 1
        record_audit(
            session, actor=actor, action="reset_password", entity_type="user", entity_id=user.login, source=source
        )


def authenticate(
    engine: Engine,
    login: str,
    password: str,
    *,
    max_failures: int,
    lockout: timedelta,
    now: datetime | None = None,
) -> LoginResult:
    """Check a login; after ``max_failures`` wrong passwords the account is locked for ``lockout``.

    Race-free: each attempt first takes one of the allowed attempts with a
    single conditional UPDATE (so parallel guesses cannot all slip in before
    the counter moves), and only then checks the password. A locked account
    is refused without checking the password at all.
    """
    now = now or utc_now()
    login = login.strip().lower()[:64]
    with session_scope(engine) as session:
        user = session.scalar(select(ConsoleUser).where(ConsoleUser.login == login))
        if user is None or user.disabled:
            verify_dummy(password)
            return LoginResult(LoginOutcome.INVALID)
        user_id, stored_hash = user.id, user.password_hash
        taken = session.execute(
            update(ConsoleUser)
            .where(
                ConsoleUser.id == user_id,
                or_(ConsoleUser.locked_until.is_(None), ConsoleUser.locked_until <= now),
                ConsoleUser.failed_logins < max_failures,
            )
            .values(failed_logins=ConsoleUser.failed_logins + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    if not taken:
        _lock_if_exhausted(engine, user_id, max_failures, now + lockout)
        return LoginResult(LoginOutcome.LOCKED)
    if verify_password(stored_hash, password):
        with session_scope(engine) as session:
            session.execute(
                update(ConsoleUser)
                .where(ConsoleUser.id == user_id)
                .values(failed_logins=0, locked_until=None, last_login_at=now)
                .execution_options(synchronize_session=False)
            )
            user = session.get(ConsoleUser, user_id)
            record_audit(session, actor=user.login, action="login", entity_type="user", entity_id=user.login,
                         source="console")
            return LoginResult(LoginOutcome.OK, _staff(user), int(user.session_epoch or 0))
    locked = _lock_if_exhausted(engine, user_id, max_failures, now + lockout)
    return LoginResult(LoginOutcome.LOCKED if locked else LoginOutcome.INVALID)


def _lock_if_exhausted(engine: Engine, user_id: int, max_failures: int, until: datetime) -> bool:
    """Lock the account when its allowed attempts are used up; True when it is locked now."""
    with session_scope(engine) as session:
        session.execute(
            update(ConsoleUser)
            .where(ConsoleUser.id == user_id, ConsoleUser.failed_logins >= max_failures)
            .values(failed_logins=0, locked_until=until)
            .execution_options(synchronize_session=False)
        )
        locked_until = as_utc(session.scalar(select(ConsoleUser.locked_until).where(ConsoleUser.id == user_id)))
        if locked_until is None or locked_until <= utc_now():
            return False
        login = session.scalar(select(ConsoleUser.login).where(ConsoleUser.id == user_id)) or "?"
        record_audit(
            session, actor=login, action="locked", entity_type="user", entity_id=login,
            new_value=locked_until.isoformat(), source="console",
        )
        return True


def unlock_user(engine: Engine, login: str, actor: str = "cli", source: str = "cli") -> None:
    """Lift a login lockout and forget the failed attempts."""
    with session_scope(engine) as session:
        user = _require(session, login)
        user.failed_logins = 0
        user.locked_until = None
        record_audit(session, actor=actor, action="unlock", entity_type="user", entity_id=user.login, source=source)


def load_staff(engine: Engine, user_id: int, epoch: int) -> Staff | None:
    """The account behind a session, or None when it was disabled or its sessions were ended."""
    with session_scope(engine) as session:
        user = session.scalar(
            select(ConsoleUser).where(
                and_(ConsoleUser.id == user_id, ConsoleUser.session_epoch == epoch, ConsoleUser.disabled.is_(False))
            )
        )
        return _staff(user) if user is not None else None
