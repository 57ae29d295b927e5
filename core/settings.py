"""Configuration read from environment variables, in one place.

Every value has a working default for the embedded setup (`make run` on a
laptop): a SQLite file under ``var/``, Rasa on 127.0.0.1:5005, the action server
on 127.0.0.1:5055 and the public web gateway on port 8080. Secrets (Telegram
token and webhook secret, the Rasa API token, the birth-date hash salt) are only
ever read from the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Tuple

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"environment variable {name} must be a whole number, got {raw!r}") from error


def _optional(env: Mapping[str, str], name: str) -> Optional[str]:
    value = env.get(name, "").strip()
    return value or None


@dataclass(frozen=True)
class Settings:
    """The assistant's runtime configuration."""

    var_dir: Path
    database_url: str
    rasa_host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_host: str = "127.0.0.1"
    action_port: int = 5055
    web_host: str = "0.0.0.0"  # noqa: S104 - the gateway is the one public port
    web_port: int = 8080
    rasa_token: Optional[str] = None
    telegram_token: Optional[str] = None
    telegram_secret: Optional[str] = None
    telegram_webhook_url: Optional[str] = None
    telegram_base_url: Optional[str] = None
    hash_salt: Optional[str] = field(default=None, repr=False)
    default_language: str = "ko"
    web_allowed_origins: Tuple[str, ...] = ()

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server (REST channel and HTTP API)."""
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def action_endpoint_url(self) -> str:
        """URL Rasa posts action requests to."""
        return f"http://{self.action_host}:{self.action_port}/webhook"


def get_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Build the settings from ``env`` (default: the process environment).

    Raises ``ValueError`` naming the variable when a number is malformed.
    """
    env = os.environ if env is None else env
    var_dir = Path(env.get("ASSISTANT_VAR_DIR", "") or PROJECT_ROOT / "var")
    default_db = f"sqlite:///{var_dir / 'assistant.db'}"
    return Settings(
        var_dir=var_dir,
        database_url=env.get("DATABASE_URL", "").strip() or default_db,
        rasa_host=env.get("RASA_HOST", "127.0.0.1"),
        rasa_port=_int(env, "RASA_PORT", 5005),
        action_host=env.get("ACTION_HOST", "127.0.0.1"),
        action_port=_int(env, "ACTION_PORT", 5055),
        web_host=env.get("WEB_HOST", "0.0.0.0"),  # noqa: S104 - the one public port
        web_port=_int(env, "WEB_PORT", 8080),
        rasa_token=_optional(env, "RASA_TOKEN"),
        telegram_token=_optional(env, "TELEGRAM_TOKEN"),
        telegram_secret=_optional(env, "TELEGRAM_SECRET"),
        telegram_webhook_url=_optional(env, "TELEGRAM_WEBHOOK_URL"),
        telegram_base_url=_optional(env, "TELEGRAM_BASE_URL"),
        hash_salt=_optional(env, "ASSISTANT_HASH_SALT"),
        default_language=env.get("ASSISTANT_DEFAULT_LANGUAGE", "ko") or "ko",
        web_allowed_origins=tuple(
            origin.strip().rstrip("/") for origin in env.get("WEB_ALLOWED_ORIGINS", "").split(",") if origin.strip()
        ),
    )
