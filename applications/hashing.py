"""Birth dates are stored only as a salted, peppered HMAC.

Each application row has its own random 16-byte salt; the HMAC key (the
"pepper") is shared and kept outside the database, so a copy of the database
alone does not allow the roughly 40,000 plausible birth dates to be tried
against a row.

Where the pepper comes from (the choice, documented):

1. ``ASSISTANT_HASH_SALT`` (read by :mod:`core.settings`) when it is set. Use
   this in production and keep it in the secret store; every process (bot,
   action server, staff CLI) must see the same value.
2. Otherwise a random 32-byte pepper generated once and kept in
   ``var/birth_date_pepper`` (file mode 0600), created atomically so two
   processes starting together agree. This keeps the embedded set-up working
   with no configuration and still keeps the key out of the database.

Changing the pepper makes every stored hash unverifiable: citizens would get
the "not found" answer. Re-seed or re-register the birth dates after a change.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Tuple

from core.settings import Settings, get_settings

PEPPER_FILE_NAME = "birth_date_pepper"
_SALT_BYTES = 16


def _read_or_create_pepper_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        pepper = path.read_text(encoding="ascii").strip()
        if not pepper:
            raise RuntimeError(f"{path} is empty; delete it to generate a new pepper") from None
        return pepper.encode("ascii")
    pepper = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(pepper + "\n")
    return pepper.encode("ascii")


def load_pepper(settings: Settings | None = None) -> bytes:
    """The HMAC key for birth dates: ``ASSISTANT_HASH_SALT`` or the key file under var/."""
    settings = settings or get_settings()
    if settings.hash_salt:
        return settings.hash_salt.encode("utf-8")
    return _read_or_create_pepper_file(settings.var_dir / PEPPER_FILE_NAME)


@dataclass(frozen=True)
class BirthDateHasher:
    """Hashes and checks birth dates with a fixed pepper."""

    pepper: bytes = field(repr=False)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> BirthDateHasher:
        """A hasher keyed by :func:`load_pepper`."""
        return cls(load_pepper(settings))

    def digest(self, birth_date: date, salt_hex: str) -> str:
        """HMAC-SHA256(pepper, salt || ISO date) as hex."""
        message = bytes.fromhex(salt_hex) + b"|" + birth_date.isoformat().encode("ascii")
        return hmac.new(self.pepper, message, hashlib.sha256).hexdigest()

    def new_record(self, birth_date: date) -> Tuple[str, str]:
        """A fresh random salt and the digest of ``birth_date`` with it: (salt_hex, digest_hex)."""
        salt_hex = secrets.token_hex(_SALT_BYTES)
        return salt_hex, self.digest(birth_date, salt_hex)

    def matches(self, birth_date: date, salt_hex: str, digest_hex: str) -> bool:
        """True when ``birth_date`` hashes to ``digest_hex``; compared in constant time."""
        try:
            candidate = self.digest(birth_date, salt_hex)
        except ValueError:  # a corrupt salt must not turn into an error page
            return False
        return hmac.compare_digest(candidate.encode("ascii"), digest_hex.encode("ascii"))
