"""Configuration read from environment variables, in one place.

Every value has a working default for the embedded setup (`make run` on a
laptop): a SQLite file under ``var/``, Rasa on 127.0.0.1:5005, the action server
on 127.0.0.1:5055 and the public web gateway on port 8080. Secrets (Telegram
token and webhook secret, the KakaoTalk skill secret and REST API key, the Rasa
API token, the birth-date hash salt) are only ever read from the environment.
"""

from __future__ import annotations

import ipaddress
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


def _rasa_workers(env: Mapping[str, str]) -> int:
    """Sanic workers of the Rasa server (``SANIC_WORKERS``, read by Rasa itself):
    by default one per core up to two, since the action server needs CPU too.
    Above one they share conversations through the SQL lock store."""
    default = max(1, min(2, os.cpu_count() or 1))
    workers = _int(env, "SANIC_WORKERS", default)
    if not 1 <= workers <= 32:
        raise ValueError(f"environment variable SANIC_WORKERS must be between 1 and 32, got {workers}")
    return workers


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"environment variable {name} must be true or false, got {raw!r}")


def _optional(env: Mapping[str, str], name: str) -> Optional[str]:
    value = env.get(name, "").strip()
    return value or None


def _seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ValueError(f"environment variable {name} must be a number of seconds, got {raw!r}") from error
    if not low <= value <= high:
        raise ValueError(f"environment variable {name} must be between {low:g} and {high:g} seconds, got {raw!r}")
    return value


def _networks(env: Mapping[str, str], name: str) -> Tuple[str, ...]:
    """Comma-separated addresses or CIDR blocks, each checked and normalised."""
    networks = []
    for item in env.get(name, "").split(","):
        if not item.strip():
            continue
        try:
            networks.append(str(ipaddress.ip_network(item.strip(), strict=False)))
        except ValueError as error:
            raise ValueError(
                f"environment variable {name} must list IP addresses or CIDR blocks, got {item!r}"
            ) from error
    return tuple(networks)


#: Open Builder sends the skill secret in this header unless KAKAO_SKILL_HEADER names another.
DEFAULT_KAKAO_SKILL_HEADER = "X-Skill-Secret"  # noqa: S105 - a header name

#: The Kakao Event API (proactive messages).
DEFAULT_KAKAO_EVENT_API_URL = "https://bot-api.kakao.com"

#: How long a skill request waits for the assistant before it answers through
#: the callback (Open Builder gives a skill 5 seconds in all).
DEFAULT_KAKAO_CALLBACK_BUDGET = 3.5


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
    kakao_skill_secret: Optional[str] = field(default=None, repr=False)
    kakao_skill_header: str = DEFAULT_KAKAO_SKILL_HEADER
    kakao_allowed_ips: Tuple[str, ...] = ()
    kakao_callback_budget: float = DEFAULT_KAKAO_CALLBACK_BUDGET
    kakao_event_api_url: str = DEFAULT_KAKAO_EVENT_API_URL
    kakao_rest_api_key: Optional[str] = field(default=None, repr=False)
    kakao_bot_id: Optional[str] = None
    hash_salt: Optional[str] = field(default=None, repr=False)
    default_language: str = "ko"
    web_allowed_origins: Tuple[str, ...] = ()
    rasa_workers: int = 1
    # The staff console (console/): loopback by default, like Rasa and the action server.
    console_host: str = "127.0.0.1"
    console_port: int = 8090
    console_secret: Optional[str] = field(default=None, repr=False)  # signs session cookies
    console_review_required: bool = True  # an editor's change waits for a reviewer
    console_review_age_days: int = 365  # last_reviewed older than this is flagged
    console_session_minutes: int = 480
    console_max_failed_logins: int = 5
    console_lockout_minutes: int = 15
    console_logins_per_minute: int = 30  # per client address, before any password check
    # Shared state of several processes (lock store, gateway rate limits); None: one machine.
    redis_url: Optional[str] = field(default=None, repr=False)
    # Proxies (the edge nginx, a load balancer) whose X-Forwarded-For the gateway believes.
    web_trusted_proxies: Tuple[str, ...] = ()  # CIDR blocks, normalised
    # When live agents take chats ("평일 09:00-18:00" style); None: weekdays 09:00-18:00 Korea time.
    live_agent_hours: Optional[str] = None

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

    Raises ``ValueError`` naming the variable when a number, a duration or an
    address list is malformed or out of range.
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
        kakao_skill_secret=_optional(env, "KAKAO_SKILL_SECRET"),
        kakao_skill_header=_optional(env, "KAKAO_SKILL_HEADER") or DEFAULT_KAKAO_SKILL_HEADER,
        kakao_allowed_ips=_networks(env, "KAKAO_ALLOWED_IPS"),
        kakao_callback_budget=_seconds(env, "KAKAO_CALLBACK_BUDGET", DEFAULT_KAKAO_CALLBACK_BUDGET, 0.0, 4.5),
        kakao_event_api_url=(_optional(env, "KAKAO_EVENT_API_URL") or DEFAULT_KAKAO_EVENT_API_URL).rstrip("/"),
        kakao_rest_api_key=_optional(env, "KAKAO_REST_API_KEY"),
        kakao_bot_id=_optional(env, "KAKAO_BOT_ID"),
        hash_salt=_optional(env, "ASSISTANT_HASH_SALT"),
        rasa_workers=_rasa_workers(env),
        console_host=env.get("CONSOLE_HOST", "").strip() or "127.0.0.1",
        console_port=_int(env, "CONSOLE_PORT", 8090),
        console_secret=_optional(env, "CONSOLE_SECRET"),
        console_review_required=_flag(env, "CONSOLE_REVIEW_REQUIRED", True),
        console_review_age_days=_int(env, "CONSOLE_REVIEW_AGE_DAYS", 365),
        console_session_minutes=_int(env, "CONSOLE_SESSION_MINUTES", 480),
        console_max_failed_logins=_int(env, "CONSOLE_MAX_FAILED_LOGINS", 5),
        console_lockout_minutes=_int(env, "CONSOLE_LOCKOUT_MINUTES", 15),
        console_logins_per_minute=_int(env, "CONSOLE_LOGINS_PER_MINUTE", 30),
        redis_url=_optional(env, "REDIS_URL"),
        web_trusted_proxies=_networks(env, "WEB_TRUSTED_PROXIES"),
        live_agent_hours=_optional(env, "LIVE_AGENT_HOURS"),
        default_language=env.get("ASSISTANT_DEFAULT_LANGUAGE", "ko") or "ko",
        web_allowed_origins=tuple(
            origin.strip().rstrip("/") for origin in env.get("WEB_ALLOWED_ORIGINS", "").split(",") if origin.strip()
        ),
    )
