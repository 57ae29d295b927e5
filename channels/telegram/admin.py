"""Operator commands for the Telegram bot: register or remove the webhook, show
its state, and publish the command menu.

Run as ``python -m channels.telegram <command>``::

    set-webhook      register TELEGRAM_WEBHOOK_URL with TELEGRAM_SECRET and the allowed updates
    delete-webhook   stop webhook delivery (needed before polling mode)
    info             show the bot and the webhook Telegram has on record
    set-commands     publish /start, /help and /lang with Korean and English descriptions

Exit status: 0 done, 1 Telegram refused or could not be reached, 2 configuration missing.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from typing import Sequence, TextIO
from urllib.parse import urlsplit, urlunsplit

from telegram import Bot, BotCommand
from telegram.error import InvalidToken, TelegramError

from channels.telegram.api import ALLOWED_UPDATES, WEBHOOK_PATH, build_bot
from core.settings import Settings, get_settings

OK, FAILED, MISCONFIGURED = 0, 1, 2

_SECRET_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,256}")

COMMANDS = {
    "en": [
        BotCommand("start", "Start and see what I can do"),
        BotCommand("help", "Show the menu"),
        BotCommand("lang", "Choose Korean or English"),
        BotCommand("stop", "Stop notifications about my applications"),
    ],
    "ko": [
        BotCommand("start", "시작하고 도움 메뉴 보기"),
        BotCommand("help", "도움 메뉴 보기"),
        BotCommand("lang", "안내 언어 고르기 (한국어/English)"),
        BotCommand("stop", "신청 건 알림 끄기"),
    ],
}


def webhook_url(configured: str) -> str:
    """The full webhook address: ``configured`` as given, or with the channel's
    path added when it names only a host (``https://bot.example.kr``)."""
    parts = urlsplit(configured.strip())
    if parts.path in ("", "/"):
        parts = parts._replace(path=WEBHOOK_PATH)
    return urlunsplit(parts)


def webhook_problem(settings: Settings) -> str | None:
    """Why ``set-webhook`` cannot run with ``settings``, or ``None`` when it can."""
    if not settings.telegram_secret:
        return "TELEGRAM_SECRET must be set: the webhook refuses every call without it."
    if not _SECRET_FORMAT.fullmatch(settings.telegram_secret):
        return "TELEGRAM_SECRET may only hold 1-256 characters A-Z, a-z, 0-9, _ and -."
    if not settings.telegram_webhook_url:
        return "TELEGRAM_WEBHOOK_URL must be set to the public https address of the Rasa server."
    if urlsplit(settings.telegram_webhook_url).scheme != "https":
        return "TELEGRAM_WEBHOOK_URL must start with https:// (Telegram only calls HTTPS webhooks)."
    return None


async def run_command(
    command: str,
    settings: Settings,
    *,
    drop_pending_updates: bool = False,
    out: TextIO = sys.stdout,
) -> int:
    """Run one operator command against the Bot API; returns the exit status."""
    if not settings.telegram_token:
        print("TELEGRAM_TOKEN is not set; there is no bot to configure.", file=out)
        return MISCONFIGURED
    if command == "set-webhook":
        problem = webhook_problem(settings)
        if problem:
            print(problem, file=out)
            return MISCONFIGURED
    bot = build_bot(settings.telegram_token, settings.telegram_base_url)
    try:
        async with bot:
            await _COMMANDS[command](bot, settings, drop_pending_updates, out)
    except InvalidToken:
        # The exception text repeats the token; never print it.
        print("Telegram rejected TELEGRAM_TOKEN. Check the token from @BotFather.", file=out)
        return FAILED
    except TelegramError as error:
        print(f"Telegram refused the request: {error.message}", file=out)
        return FAILED
    return OK


async def _set_webhook(bot: Bot, settings: Settings, drop_pending: bool, out: TextIO) -> None:
    url = webhook_url(settings.telegram_webhook_url or "")
    await bot.set_webhook(
        url=url,
        secret_token=settings.telegram_secret,
        allowed_updates=list(ALLOWED_UPDATES),
        drop_pending_updates=drop_pending,
    )
    print(f"Webhook set: {url} (updates: {', '.join(ALLOWED_UPDATES)})", file=out)


async def _delete_webhook(bot: Bot, _: Settings, drop_pending: bool, out: TextIO) -> None:
    await bot.delete_webhook(drop_pending_updates=drop_pending)
    print("Webhook deleted; polling mode can be used now.", file=out)


async def _info(bot: Bot, _: Settings, __: bool, out: TextIO) -> None:
    info = await bot.get_webhook_info()
    print(f"Bot: @{bot.username}", file=out)
    print(f"Webhook: {info.url or '(none: updates wait for polling)'}", file=out)
    print(f"Pending updates: {info.pending_update_count}", file=out)
    if info.allowed_updates:
        print(f"Allowed updates: {', '.join(info.allowed_updates)}", file=out)
    if info.last_error_message:
        print(f"Last error: {info.last_error_message} at {info.last_error_date}", file=out)


async def _set_commands(bot: Bot, _: Settings, __: bool, out: TextIO) -> None:
    await bot.set_my_commands(COMMANDS["en"])
    await bot.set_my_commands(COMMANDS["ko"], language_code="ko")
    print("Commands published: /start, /help, /lang, /stop (Korean and English).", file=out)


_COMMANDS = {
    "set-webhook": _set_webhook,
    "delete-webhook": _delete_webhook,
    "info": _info,
    "set-commands": _set_commands,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point of ``python -m channels.telegram``."""
    parser = argparse.ArgumentParser(
        prog="python -m channels.telegram",
        description="Configure the Telegram bot (TELEGRAM_TOKEN, TELEGRAM_SECRET, TELEGRAM_WEBHOOK_URL).",
    )
    parser.add_argument("command", choices=sorted(_COMMANDS))
    parser.add_argument(
        "--drop-pending-updates",
        action="store_true",
        help="with set-webhook/delete-webhook: discard updates Telegram is holding",
    )
    args = parser.parse_args(argv)
    return asyncio.run(
        run_command(args.command, get_settings(), drop_pending_updates=args.drop_pending_updates)
    )
