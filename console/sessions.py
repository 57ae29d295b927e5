"""Signed session cookies and CSRF tokens.

A session is a small JSON payload (account id, session epoch, expiry and a
random nonce) signed with HMAC-SHA256 under the console secret; nothing is
stored server-side, and an account's sessions end when its epoch moves
(disable, password reset). The CSRF token of a form is an HMAC of the
session's nonce, so it is bound to the session and cannot be guessed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

COOKIE_NAME = "console_session"


@dataclass(frozen=True)
class SessionData:
    """What the cookie carries. ``user_id`` is None before login."""

    nonce: str
    expires: int
    user_id: int | None = None
    epoch: int = 0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    """Signs and checks session cookies and derives CSRF tokens with one secret."""

    def __init__(self, secret: bytes, lifetime_seconds: int) -> None:
        if len(secret) < 16:
            raise ValueError("the console secret needs at least 16 bytes")
        self._key = hashlib.sha256(b"console-session:" + secret).digest()
        self._csrf_key = hashlib.sha256(b"console-csrf:" + secret).digest()
        self.lifetime = lifetime_seconds

    def new(self, user_id: int | None = None, epoch: int = 0, now: float | None = None) -> SessionData:
        """A fresh session (new nonce, full lifetime)."""
        now = time.time() if now is None else now
        return SessionData(secrets.token_urlsafe(18), int(now) + self.lifetime, user_id, epoch)

    def dumps(self, session: SessionData) -> str:
        """The cookie value for ``session``."""
        payload = _b64(
            json.dumps({"n": session.nonce, "x": session.expires, "u": session.user_id, "e": session.epoch}).encode()
        )
        signature = _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())
        return f"{payload}.{signature}"

    def loads(self, value: str | None, now: float | None = None) -> SessionData | None:
        """The session in a cookie value, or None when it is missing, forged, malformed or expired."""
        if not value or len(value) > 1024 or "." not in value:
            return None
        payload, signature = value.rsplit(".", 1)
        expected = _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected, signature):
            return None
        try:
            data = json.loads(_unb64(payload))
            session = SessionData(str(data["n"]), int(data["x"]), data["u"], int(data["e"]))
        except (ValueError, KeyError, TypeError):
            return None
        if session.user_id is not None and not isinstance(session.user_id, int):
            return None
        if session.expires < (time.time() if now is None else now):
            return None
        return session

    def csrf_token(self, session: SessionData) -> str:
        """The CSRF token every form of ``session`` carries."""
        return _b64(hmac.new(self._csrf_key, session.nonce.encode(), hashlib.sha256).digest())

    def check_csrf(self, session: SessionData | None, token: str | None) -> bool:
        """True when ``token`` is the CSRF token of ``session``."""
        if session is None or not token:
            return False
        return hmac.compare_digest(self.csrf_token(session), token)


def load_secret(configured: str | None, var_dir: Path) -> bytes:
    """The signing secret: ``CONSOLE_SECRET``, else one made once and kept in
    ``var/console_secret`` (readable only by its owner), so restarts keep sessions."""
    if configured:
        return configured.encode()
    path = var_dir / "console_secret"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()  # another process made it first
    with os.fdopen(fd, "wb") as handle:
        handle.write(secret)
    return secret
