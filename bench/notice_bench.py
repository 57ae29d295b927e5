"""Notice fan-out: notices delivered per second for 1,000 subscriptions (issue 20).

    python -m bench.notice_bench                      # 1,000 subscriptions, no rate limit
    python -m bench.notice_bench --subscriptions 5000 --rate 25 --latency-ms 30 --json reports/bench/notices.json

A fresh SQLite database (or ``--database-url``) gets the applications, one
Telegram subscription each, then every application is moved by a clerk, which
writes the notices in the same transactions (the outbox; its time is printed).
The notifier (:class:`records.notifier.Notifier`, the same code as ``python -m
records.notifier``) then delivers them through python-telegram-bot to a local
fake Bot API that answers each ``sendMessage`` after ``--latency-ms``. Prints
notices delivered per second, and checks that every chat got exactly one
message. ``--rate`` is the channel's rate limit (0: none, which measures the
notifier itself; the production default is 25 per second, Telegram's bot limit
being about 30).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from applications.hashing import BirthDateHasher
from applications.repository import add_application, default_handling, move_application
from applications.statuses import ApplicationStatus
from channels.telegram.api import build_bot
from core.db import create_schema, get_engine, session_scope
from records.notices import subscribe
from records.notifier import Notifier, NotifierConfig
from records.notifier_senders import TelegramSender
from tests.support.light_bot_api import LightBotApi

TOKEN = "123456:BENCH-token"  # noqa: S105 - the local fake accepts any token


class NoonClock:
    """Real time shifted to 12:00 Korea time, so quiet hours never hold the run."""

    def __init__(self) -> None:
        real = datetime.now(timezone.utc).replace(tzinfo=None)
        self._offset = datetime.combine(real.date(), datetime.min.time()) + timedelta(hours=3) - real

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc).replace(tzinfo=None) + self._offset


def prepare(database_url: str, subscriptions: int, clock: NoonClock) -> Dict[str, float]:
    """Applications, subscriptions, then one clerk move each (the outbox writes); returns timings."""
    engine = create_schema(get_engine(database_url))
    hasher = BirthDateHasher(b"bench-pepper")
    handling = default_handling("passport_reissue")
    numbers: List[str] = []
    with session_scope(engine) as session:
        for index in range(subscriptions):
            application = add_application(
                session, service_id="passport_reissue", birth_date=date(1985, 3, 12), handling=handling,
                hasher=hasher, now=clock(), created_by="bench",
            )
            subscribe(session, application_id=int(application.id), channel="telegram",
                      recipient=f"telegram:{100000 + index}", language="ko" if index % 2 else "en", now=clock())
            numbers.append(application.number)
    started = time.perf_counter()
    for number in numbers:  # one transaction per move, as a clerk makes them
        with session_scope(engine) as session:
            move_application(session, number, ApplicationStatus.IN_REVIEW, by="bench", now=clock())
    return {"outbox_seconds": time.perf_counter() - started}


async def deliver(database_url: str, subscriptions: int, rate: float, latency: float, batch: int,
                  clock: NoonClock, concurrency: int = NotifierConfig().concurrency) -> Dict[str, Any]:
    """Run the notifier until the outbox is empty; returns the figures."""
    api = LightBotApi(latency)
    await api.start()
    engine = get_engine(database_url)
    sender = TelegramSender(build_bot(TOKEN, api.base_url))
    config = NotifierConfig(batch_size=batch, rates={"telegram": rate}, idle_seconds=0.05, concurrency=concurrency)
    notifier = Notifier(engine, {"telegram": sender}, clock=clock, config=config)
    try:
        started = time.perf_counter()
        result = await notifier.run(until_idle=True)
        elapsed = time.perf_counter() - started
    finally:
        await notifier.close()
        await api.close()
    return {
        "subscriptions": subscriptions,
        "sent": result.sent,
        "seconds": elapsed,
        "notices_per_second": result.sent / elapsed if elapsed else 0.0,
        "duplicates": sum(count - 1 for count in api.chats.values() if count > 1),
        "missing": subscriptions - len(api.chats),
        "rate_limit": rate,
        "latency_ms": latency * 1000,
        "batch": batch,
        "concurrency": concurrency,
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.notice_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=0.0, help="Telegram messages per second (0: no limit)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="the fake Bot API's answer delay")
    parser.add_argument("--batch", type=int, default=NotifierConfig().batch_size)
    parser.add_argument("--concurrency", type=int, default=NotifierConfig().concurrency,
                        help="calls in flight at once (the notifier's default)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    clock = NoonClock()
    with tempfile.TemporaryDirectory(prefix="notice-bench-") as folder:
        url = args.database_url or f"sqlite:///{folder}/notices.db"
        timings = prepare(url, args.subscriptions, clock)
        figures = asyncio.run(
            deliver(url, args.subscriptions, args.rate, args.latency_ms / 1000, max(1, args.batch), clock,
                    max(1, args.concurrency))
        )
    figures.update(timings)
    limit = f"{args.rate:g}/s" if args.rate > 0 else "none"
    print(
        f"notice fan-out: {figures['sent']} of {args.subscriptions} notices delivered in {figures['seconds']:.2f} s "
        f"= {figures['notices_per_second']:.0f} notices/s (rate limit {limit}, fake API latency "
        f"{args.latency_ms:g} ms, batch {figures['batch']}, concurrency {figures['concurrency']}); "
        f"duplicates {figures['duplicates']}, "
        f"missing {figures['missing']}; outbox writes with the {args.subscriptions} status changes: "
        f"{figures['outbox_seconds']:.2f} s"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0 if figures["duplicates"] == 0 and figures["missing"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
