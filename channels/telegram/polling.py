"""Polling mode: run the Telegram bot on a machine with no public URL.

``python -m channels.telegram.polling`` (``make telegram``) long-polls the Bot
API with getUpdates and posts each update, in order, to the Telegram webhook of
the local Rasa server (``RASA_URL`` + ``/webhooks/telegram/webhook``) with the
secret header. Rasa's channel then handles it exactly as a webhook delivery from
Telegram, replies included.

An update is confirmed to Telegram (the offset moves past it) only once Rasa has
taken it, so updates are not lost while Rasa is starting. Ctrl-C (or SIGTERM)
stops the loop at once, confirms what was handled and closes the connections.
Rasa and this process need the same ``TELEGRAM_TOKEN`` and ``TELEGRAM_SECRET``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import enum
import logging
import signal
from dataclasses import dataclass
from typing import Any, Awaitable, Dict, Sequence, TypeVar

import aiohttp
from telegram import Bot
from telegram.error import Conflict, Forbidden, InvalidToken, TelegramError

from channels.telegram.api import ALLOWED_UPDATES, SECRET_HEADER, WEBHOOK_PATH, build_bot
from core.privacy import install_log_masking
from core.settings import get_settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_POLL_TIMEOUT = 30
MAX_RETRY_DELAY = 30.0


class Outcome(enum.Enum):
    """What became of one update handed to Rasa."""

    DELIVERED = "delivered"  # Rasa handled it
    SKIPPED = "skipped"  # Rasa refused this update as malformed; it will never succeed
    RETRY = "retry"  # Rasa is not reachable or failed; try the same update again later
    FATAL = "fatal"  # the set-up is wrong (secret, channel missing); no update can succeed


@dataclass(frozen=True)
class Forwarded:
    outcome: Outcome
    detail: str = ""


class PollingStopped(Exception):
    """Raised inside the loop when a stop was requested."""


class PollingFailed(Exception):
    """The loop cannot go on; the message says what to fix."""


class RasaWebhookForwarder:
    """Posts raw updates to the Telegram webhook of a Rasa server."""

    def __init__(self, session: aiohttp.ClientSession, rasa_url: str, secret: str) -> None:
        self._session = session
        self.url = rasa_url.rstrip("/") + WEBHOOK_PATH
        self._secret = secret

    async def forward(self, update: Dict[str, Any]) -> Forwarded:
        """Post one update and classify Rasa's answer; never raises for HTTP problems."""
        try:
            headers = {SECRET_HEADER: self._secret}
            async with self._session.post(self.url, json=update, headers=headers) as reply:
                status = reply.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            return Forwarded(Outcome.RETRY, f"Rasa is not reachable at {self.url} ({type(error).__name__})")
        if status < 300:
            return Forwarded(Outcome.DELIVERED)
        if status == 403:
            return Forwarded(
                Outcome.FATAL, "Rasa refused the secret: set the same TELEGRAM_SECRET for Rasa and here."
            )
        if status == 404:
            return Forwarded(
                Outcome.FATAL,
                f"Rasa has no Telegram channel at {self.url}: add 'channels.telegram.TelegramInput:' "
                "to credentials.yml and start Rasa with --credentials credentials.yml.",
            )
        if status == 503:
            return Forwarded(
                Outcome.FATAL, "Rasa's Telegram channel is off: start Rasa with TELEGRAM_TOKEN set."
            )
        if status < 500:
            return Forwarded(Outcome.SKIPPED, f"Rasa refused the update ({status})")
        return Forwarded(Outcome.RETRY, f"Rasa failed with {status}")


async def poll(
    bot: Bot,
    forwarder: RasaWebhookForwarder,
    stop: asyncio.Event,
    *,
    poll_timeout: int = DEFAULT_POLL_TIMEOUT,
    retry_delay: float = 1.0,
) -> int:
    """Fetch updates and hand them to Rasa until ``stop`` is set.

    Returns the next offset (the id after the last update handled). Raises
    :class:`PollingFailed` when it cannot go on: a webhook is registered, the
    token is refused, or Rasa is set up so that no update can succeed.
    """
    offset: int | None = None
    delay = retry_delay
    try:
        while not stop.is_set():
            try:
                fetch = bot.get_updates(
                    offset=offset, timeout=poll_timeout, allowed_updates=list(ALLOWED_UPDATES)
                )
                updates = await _unless_stopped(fetch, stop)
            except Conflict as error:
                raise PollingFailed(
                    "Telegram refused getUpdates: a webhook is set or another poller runs. "
                    "Run 'python -m channels.telegram delete-webhook' first."
                ) from error
            except (InvalidToken, Forbidden) as error:
                raise PollingFailed("Telegram rejected TELEGRAM_TOKEN.") from error
            except TelegramError as error:
                logger.warning("getUpdates failed (%s); retrying in %.0f s", type(error).__name__, delay)
                await _unless_stopped(asyncio.sleep(delay), stop)
                delay = min(delay * 2, MAX_RETRY_DELAY)
                continue

            for update in updates:
                result = await _unless_stopped(forwarder.forward(update.to_dict()), stop)
                if result.outcome is Outcome.FATAL:
                    raise PollingFailed(result.detail)
                if result.outcome is Outcome.RETRY:
                    logger.warning("%s; retrying in %.0f s", result.detail, delay)
                    await _unless_stopped(asyncio.sleep(delay), stop)
                    delay = min(delay * 2, MAX_RETRY_DELAY)
                    break  # fetch again from the same offset: Telegram redelivers
                if result.outcome is Outcome.SKIPPED:
                    logger.warning("Skipped update %s: %s", update.update_id, result.detail)
                offset = update.update_id + 1
                delay = retry_delay
    except PollingStopped:
        pass
    finally:
        if offset is not None:
            await _confirm(bot, offset)
    return offset or 0


async def _unless_stopped(awaitable: Awaitable[T], stop: asyncio.Event) -> T:
    """Await ``awaitable``; cancel it and raise :class:`PollingStopped` if ``stop`` is set first."""
    task = asyncio.ensure_future(awaitable)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    raise PollingStopped


async def _confirm(bot: Bot, offset: int) -> None:
    """Tell Telegram the updates before ``offset`` are handled, so a restart does
    not deliver them again."""
    try:
        await bot.get_updates(offset=offset, timeout=0, limit=1)
    except TelegramError as error:
        logger.warning("Could not confirm the last updates to Telegram (%s)", type(error).__name__)


async def run(token: str, secret: str, rasa_url: str, base_url: str | None, poll_timeout: int) -> int:
    """Poll until Ctrl-C or SIGTERM; returns the process exit status."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    bot = build_bot(token, base_url)
    try:
        async with bot, aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
            webhook = await bot.get_webhook_info()
            if webhook.url:
                print(
                    "A webhook is registered for this bot, so Telegram does not allow polling. "
                    "Run 'python -m channels.telegram delete-webhook' first."
                )
                return 1
            forwarder = RasaWebhookForwarder(session, rasa_url, secret)
            print(f"Polling Telegram as @{bot.username}; updates go to {forwarder.url}. Ctrl-C stops.")
            await poll(bot, forwarder, stop, poll_timeout=poll_timeout)
    except InvalidToken:
        print("Telegram rejected TELEGRAM_TOKEN. Check the token from @BotFather.")
        return 1
    except PollingFailed as error:
        print(f"Polling stopped: {error}")
        return 1
    except TelegramError as error:
        print(f"Telegram could not be reached: {error.message}")
        return 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    print("Polling stopped.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point of ``python -m channels.telegram.polling``."""
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="python -m channels.telegram.polling",
        description="Fetch Telegram updates by polling and hand them to the local Rasa server.",
    )
    parser.add_argument("--rasa-url", default=settings.rasa_url, help="Rasa server (default: %(default)s)")
    parser.add_argument("--poll-timeout", type=int, default=DEFAULT_POLL_TIMEOUT, help="long-poll seconds")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()
    if not settings.telegram_token:
        print("TELEGRAM_TOKEN is not set: there is no bot to poll for. Get a token from @BotFather.")
        return 2
    if not settings.telegram_secret:
        print(
            "TELEGRAM_SECRET is not set. Set it (any 1-256 characters A-Z, a-z, 0-9, _ and -) to the same "
            "value for Rasa and for this process: Rasa's Telegram webhook refuses calls without it."
        )
        return 2
    return asyncio.run(
        run(
            settings.telegram_token,
            settings.telegram_secret,
            args.rasa_url,
            settings.telegram_base_url,
            args.poll_timeout,
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())
