"""What every part of the Telegram connector shares: the Bot API client factory,
the webhook route and header, and the update types the bot subscribes to.

Kept free of Rasa imports so the polling process and the admin commands start
quickly.
"""

from __future__ import annotations

import logging

from telegram import Bot

#: Rasa mounts a channel's blueprint under ``/webhooks/<channel name>``.
WEBHOOK_PATH = "/webhooks/telegram/webhook"

#: Telegram sends the ``secret_token`` given to setWebhook in this header.
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name

#: The update types the assistant reads; everything else is never delivered.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")

DEFAULT_BASE_URL = "https://api.telegram.org/bot"

# httpx logs every request URL at INFO, and a Bot API URL contains the bot token;
# python-telegram-bot logs its base URL and every request's parameters (the
# citizen's text) at DEBUG.
_TOKEN_BEARING_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "telegram": logging.INFO}


def build_bot(token: str, base_url: str | None = None) -> Bot:
    """Return a bare python-telegram-bot ``Bot`` for ``token``.

    ``base_url`` (``TELEGRAM_BASE_URL``) points at another Bot API server, for
    example a local fake in tests; the token is appended to it unless it holds a
    ``{token}`` placeholder. No request is made here.
    """
    quiet_token_bearing_loggers()
    return Bot(token, base_url=base_url or DEFAULT_BASE_URL)


def quiet_token_bearing_loggers() -> None:
    """Keep the bot token and message texts out of logs, whatever the root level.

    Only raises a logger's level; a level an operator set explicitly higher is kept.
    """
    for name, minimum in _TOKEN_BEARING_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < minimum or logger.level == logging.NOTSET:
            logger.setLevel(max(minimum, logger.level))
