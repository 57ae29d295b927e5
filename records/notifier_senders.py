"""The notifier's senders: one per messenger, each turning the messenger's
answer into an outcome (:mod:`records.notifier`).

- Telegram: a bare python-telegram-bot ``Bot`` (``TELEGRAM_TOKEN``,
  ``TELEGRAM_BASE_URL`` for a local fake Bot API) through
  :func:`channels.telegram.outbound.send_notice`. ``RetryAfter`` (429) pauses
  the channel for its ``retry_after``; ``Forbidden`` means the citizen blocked
  the bot; a bad request is final; network trouble is retried.
- KakaoTalk: the Event API client (``KAKAO_REST_API_KEY``, ``KAKAO_BOT_ID``,
  ``KAKAO_EVENT_API_URL``) through :func:`channels.kakao.outbound.send_notice`.
  429 pauses the channel (a minute, as Kakao gives no delay); other 4xx are
  final; 5xx and an unreachable API are retried.
"""

from __future__ import annotations

import datetime as dtm
import logging
from typing import Dict, Optional, Sequence

import aiohttp
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from channels.kakao.outbound import EventApiClient, EventApiError
from channels.kakao.outbound import send_notice as send_kakao_notice
from channels.telegram.api import build_bot
from channels.telegram.outbound import send_notice as send_telegram_notice
from core.privacy import mask_for_log
from core.settings import Settings, get_settings
from records.notifier import ClaimedNotice, Delivered, GiveUp, Outcome, RateLimited, Sender, TryLater

logger = logging.getLogger(__name__)

#: Kakao's 429 carries no delay: wait this long before the channel's next event.
KAKAO_RATE_LIMIT_PAUSE_SECONDS = 60.0


def _seconds(value: float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class TelegramSender(Sender):
    """Sends notices with a Telegram ``Bot``."""

    channel = "telegram"

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    @classmethod
    def from_settings(cls, settings: Settings) -> Optional["TelegramSender"]:
        """A sender for the configured bot, or None without ``TELEGRAM_TOKEN``."""
        if not settings.telegram_token:
            return None
        return cls(build_bot(settings.telegram_token, settings.telegram_base_url))

    async def send(self, notice: ClaimedNotice, text: str, buttons: Sequence[Dict[str, str]]) -> Outcome:
        """Send one notice; Telegram's answer as an outcome."""
        try:
            message_id = await send_telegram_notice(self._bot, notice.recipient, text, buttons)
        except RetryAfter as error:
            return RateLimited(max(0.0, _seconds(error.retry_after)))
        except Forbidden as error:
            return GiveUp(f"forbidden: {mask_for_log(error.message)}", blocked=True)
        except BadRequest as error:
            return GiveUp(f"bad request: {mask_for_log(error.message)}")
        except NetworkError as error:  # TimedOut included
            return TryLater(f"network: {type(error).__name__}")
        except TelegramError as error:
            return TryLater(f"telegram: {mask_for_log(error.message)}")
        except ValueError as error:
            return GiveUp(str(error))
        return Delivered(f"message {message_id}")

    async def close(self) -> None:
        """Close the Bot's connections."""
        await self._bot.shutdown()


class KakaoSender(Sender):
    """Sends notices through Kakao's Event API."""

    channel = "kakao"

    def __init__(
        self,
        client: EventApiClient,
        session: Optional[aiohttp.ClientSession] = None,
        rate_limit_pause: float = KAKAO_RATE_LIMIT_PAUSE_SECONDS,
    ) -> None:
        self._client = client
        self._session = session
        self._rate_limit_pause = rate_limit_pause

    @classmethod
    def from_settings(cls, settings: Settings) -> Optional["KakaoSender"]:
        """A sender for the configured bot, or None without a REST API key and bot id.

        Call it inside a running event loop (it opens an HTTP session)."""
        if not (settings.kakao_rest_api_key and settings.kakao_bot_id):
            return None
        session = aiohttp.ClientSession()
        client = EventApiClient(session, settings.kakao_rest_api_key, settings.kakao_bot_id,
                                settings.kakao_event_api_url)
        return cls(client, session)

    async def send(self, notice: ClaimedNotice, text: str, buttons: Sequence[Dict[str, str]]) -> Outcome:
        """Ask Kakao to speak one notice; its answer as an outcome (buttons live in the event block)."""
        try:
            task = await send_kakao_notice(self._client, notice.recipient, text, notice.id)
        except EventApiError as error:
            if error.status == 429:
                return RateLimited(self._rate_limit_pause)
            if 400 <= error.status < 500:
                return GiveUp(str(error))
            return TryLater(str(error))
        except ValueError as error:
            return GiveUp(str(error))
        return Delivered(f"task {task}")

    async def close(self) -> None:
        """Close the HTTP session this sender opened."""
        if self._session is not None:
            await self._session.close()


async def senders_from_settings(settings: Optional[Settings] = None) -> Dict[str, Sender]:
    """A sender for every configured push channel (none when nothing is configured)."""
    settings = settings or get_settings()
    senders: Dict[str, Sender] = {}
    telegram = TelegramSender.from_settings(settings)
    if telegram is not None:
        senders[telegram.channel] = telegram
    kakao = KakaoSender.from_settings(settings)
    if kakao is not None:
        senders[kakao.channel] = kakao
    return senders
