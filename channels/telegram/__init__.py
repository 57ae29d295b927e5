"""The Telegram channel (python-telegram-bot, a bare ``Bot``).

- :mod:`~channels.telegram.input`: the Rasa input channel (``TelegramInput``,
  registered in credentials.yml as ``channels.telegram.TelegramInput``) and its
  output channel, on ``POST /webhooks/telegram/webhook``;
- :mod:`~channels.telegram.updates`: what an update means (privacy first);
- :mod:`~channels.telegram.format`: rendering replies as Telegram messages;
- :mod:`~channels.telegram.api`: the Bot API client, route and header;
- :mod:`~channels.telegram.polling`: ``python -m channels.telegram.polling``,
  for a machine without a public URL;
- :mod:`~channels.telegram.admin`: ``python -m channels.telegram <command>``.

``TelegramInput`` and ``TelegramOutput`` are imported on first use, so the
polling process and the admin commands start without loading Rasa.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TelegramInput", "TelegramOutput"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from channels.telegram import input as channel

        return getattr(channel, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
