"""Tunable limits of the web gateway.

Environment variables are read only in :mod:`core.settings`; this module turns
those settings into the gateway's own options and keeps the defaults that have
no environment variable (message and body limits, rate limits, timeouts) in one
place so tests can tighten them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Tuple
from urllib.parse import urlsplit

from channels.web.client_address import Network, parse_networks
from core.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent / "static"


def normalize_origin(value: str) -> str | None:
    """Return ``scheme://host[:port]`` for a configured origin, or ``None`` when
    ``value`` is not an http(s) origin (a path, a wildcard or garbage)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def parse_origins(values: Iterable[str] | str | None) -> Tuple[str, ...]:
    """Normalise a list (or a comma-separated string) of origins; invalid
    entries are dropped so a typo can never widen the policy to ``*``."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = values.split(",")
    origins = (normalize_origin(value) for value in values if value and value.strip())
    return tuple(dict.fromkeys(origin for origin in origins if origin))


@dataclass(frozen=True)
class GatewayOptions:
    """Limits and wiring of one gateway instance."""

    allowed_origins: Tuple[str, ...] = ()
    max_message_chars: int = 2000
    max_body_bytes: int = 16 * 1024
    messages_per_minute: int = 20
    messages_per_minute_per_ip: int = 120
    history_per_minute: int = 30
    public_api_per_minute: int = 120
    rasa_timeout_seconds: float = 20.0
    rasa_connect_timeout_seconds: float = 3.0
    history_limit: int = 100
    static_dir: Path = STATIC_DIR
    cookie_name: str = "chat_session"
    # None: Secure cookies when the request came over HTTPS (directly or via a proxy).
    cookie_secure: bool | None = None
    # Proxies whose X-Forwarded-For names the client (WEB_TRUSTED_PROXIES); none by default.
    trusted_proxies: Tuple[Network, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> GatewayOptions:
        """Options for ``settings``; ``overrides`` replace single fields.

        ``WEB_ALLOWED_ORIGINS`` (the sites allowed to embed the widget and to
        call the API cross-origin) is read by :mod:`core.settings` as
        ``web_allowed_origins``; an older Settings without it allows no origin.
        """
        configured = overrides.pop("allowed_origins", getattr(settings, "web_allowed_origins", None))
        proxies = parse_networks(getattr(settings, "web_trusted_proxies", ()))
        options = cls(allowed_origins=parse_origins(configured), trusted_proxies=proxies)
        return replace(options, **overrides)  # type: ignore[arg-type]
