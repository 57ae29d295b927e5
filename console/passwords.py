"""Password hashing with argon2id (argon2-cffi) and the password rule."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 256


class PasswordRuleError(ValueError):
    """A new password does not follow the rule; the message says why."""


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def check_rule(password: str) -> None:
    """Raise :class:`PasswordRuleError` unless ``password`` has 10 to 256 characters, not all alike."""
    if len(password) < MIN_LENGTH:
        raise PasswordRuleError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordRuleError(f"a password may have at most {MAX_LENGTH} characters")
    if len(set(password)) < 4:
        raise PasswordRuleError("a password needs at least 4 different characters")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (after checking the rule)."""
    check_rule(password)
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; never raises for a wrong one."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: A hash checked when the login is unknown, so both cases take the same time.
_DUMMY: list = []


def verify_dummy(password: str) -> None:
    """Spend the time of one verification (for unknown or disabled logins)."""
    if not _DUMMY:
        _DUMMY.append(_hasher().hash("not-a-real-password-x1"))
    verify_password(_DUMMY[0], password)
