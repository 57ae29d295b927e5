"""Accounts: argon2 hashes, the users CLI, and a lockout parallel guesses cannot get around."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from console.accounts import (
    AccountError,
    LoginOutcome,
    add_user,
    authenticate,
    load_staff,
    reset_password,
    set_disabled,
)
from console.cli import main as users_main
from console.models import ConsoleUser
from console.roles import Role
from core.db import session_scope
from knowledge.models import AuditLog

from .conftest import PASSWORD

LOCKOUT = timedelta(minutes=15)


def attempt(engine: Engine, login: str, password: str) -> LoginOutcome:
    return authenticate(engine, login, password, max_failures=5, lockout=LOCKOUT).outcome


def test_only_an_argon2_hash_is_stored(console_engine: Engine) -> None:
    with session_scope(console_engine) as session:
        stored = session.scalar(select(ConsoleUser.password_hash).where(ConsoleUser.login == "editor.mofa"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_a_good_login_signs_in_with_role_and_agency(console_engine: Engine) -> None:
    result = authenticate(console_engine, "Editor.Mofa", PASSWORD, max_failures=5, lockout=LOCKOUT)
    assert result.outcome is LoginOutcome.OK
    assert result.staff is not None and result.staff.role is Role.EDITOR and result.staff.agency_id == "mofa"
    assert attempt(console_engine, "nobody", PASSWORD) is LoginOutcome.INVALID
    assert attempt(console_engine, "editor.mofa", "wrong-password-1") is LoginOutcome.INVALID


def test_repeated_failures_lock_the_account_even_for_the_right_password(console_engine: Engine) -> None:
    outcomes = [attempt(console_engine, "clerk.mofa", f"wrong-{i}-password") for i in range(5)]
    assert outcomes == [LoginOutcome.INVALID] * 4 + [LoginOutcome.LOCKED]
    assert attempt(console_engine, "clerk.mofa", PASSWORD) is LoginOutcome.LOCKED
    with session_scope(console_engine) as session:
        actions = list(session.scalars(select(AuditLog.action).where(AuditLog.entity_id == "clerk.mofa")))
    assert "locked" in actions
    reset_password(console_engine, "clerk.mofa", "a-new-password-7")
    assert attempt(console_engine, "clerk.mofa", "a-new-password-7") is LoginOutcome.OK


def test_parallel_guesses_get_no_more_than_the_allowed_attempts(console_engine: Engine) -> None:
    """Twenty guesses at once: at most five passwords are checked before the lock, and the
    right password sent among them cannot slip through after the lock."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda i: attempt(console_engine, "analyst1", f"guess-{i}-wrong"), range(20)))
    assert outcomes.count(LoginOutcome.INVALID) <= 4
    assert outcomes.count(LoginOutcome.LOCKED) >= 16
    assert attempt(console_engine, "analyst1", PASSWORD) is LoginOutcome.LOCKED


def test_disabling_or_resetting_ends_open_sessions(console_engine: Engine) -> None:
    result = authenticate(console_engine, "reviewer1", PASSWORD, max_failures=5, lockout=LOCKOUT)
    assert result.staff is not None
    assert load_staff(console_engine, result.staff.id, result.epoch) is not None
    set_disabled(console_engine, "reviewer1")
    assert load_staff(console_engine, result.staff.id, result.epoch) is None
    assert attempt(console_engine, "reviewer1", PASSWORD) is LoginOutcome.INVALID


@pytest.mark.parametrize(
    ("login", "role", "agency", "message"),
    [
        ("Bad Login", "editor", "mofa", "lower-case"),
        ("newer", "editor", None, "needs --agency"),
        ("newer", "admin", "mofa", "leave out --agency"),
        ("newer", "editor", "atlantis", "no agency 'atlantis'"),
        ("editor.mofa", "editor", "mofa", "already taken"),
    ],
)
def test_bad_accounts_are_refused(console_engine: Engine, login: str, role: str, agency: str | None,
                                  message: str) -> None:
    with pytest.raises(AccountError, match=message):
        add_user(console_engine, login, role, PASSWORD, agency)


def test_the_users_cli_reads_the_password_from_stdin(console_engine: Engine, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("DATABASE_URL", str(console_engine.url))
    out = io.StringIO()
    code = users_main(["users", "add", "kim", "--role", "clerk", "--agency", "mofa", "--password-stdin"],
                      stdin=io.StringIO("kims-password-99\n"), out=out)
    assert code == 0 and "kim created" in out.getvalue()
    assert attempt(console_engine, "kim", "kims-password-99") is LoginOutcome.OK
    assert users_main(["users", "add", "lee", "--role", "editor", "--agency", "mofa", "--password-stdin"],
                      stdin=io.StringIO("short\n"), out=io.StringIO()) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    listing = io.StringIO()
    assert users_main(["users", "list"], out=listing) == 0
    assert "kim" in listing.getvalue() and "argon2" not in listing.getvalue()
    assert users_main(["users", "disable", "kim"], out=io.StringIO()) == 0
    assert attempt(console_engine, "kim", "kims-password-99") is LoginOutcome.INVALID
    assert users_main(["users", "reset-password", "kim", "--password-stdin"],
                      stdin=io.StringIO("another-password-1\n"), out=io.StringIO()) == 0
