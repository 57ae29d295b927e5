"""The notifier: delivers the notice outbox (issue 20).

    python -m records.notifier [--once] [--batch 50] [--lease 60]

Status changes write notice rows in their own transaction
(:mod:`records.notices`); this process claims due rows, renders each in the
subscriber's language (:mod:`records.notice_texts`) and sends it through the
messenger's outbound API (:mod:`records.notifier_senders`), logging every
attempt in ``notice_deliveries``.

How a notice moves, and why it is sent once:

- ``pending`` -> ``claimed``: a batch is claimed in one transaction (SQLite:
  the write lock; PostgreSQL: ``FOR UPDATE SKIP LOCKED``), with a lease. Several
  notifiers may run; each only touches rows it claimed.
- ``claimed`` -> ``sending``: committed just before the API call, only if the
  row is still this process's claim.
- ``sending`` -> ``sent`` (or back to ``pending`` for a retry, or ``failed``):
  committed right after the answer.

If the process dies, a ``claimed`` row whose lease ran out was never sent and
goes back to ``pending``: a restarted notifier delivers it. A ``sending`` row
whose lease ran out may or may not have reached the messenger (the crash came
between the call and its commit): it becomes ``unconfirmed`` and is never
sent again on its own, so no citizen gets a message twice; staff see it in
``python -m records notices`` and can requeue it. The notice id is the
idempotency key throughout (and travels with a Kakao event).

Retries back off exponentially (``--backoff``, capped at an hour, at most
``--max-attempts``); Telegram's 429 ``retry_after`` pauses the whole channel
for that long and loses nothing; each channel has its own rate
(``--telegram-rate``, ``--kakao-rate`` messages per second). Between 21:00 and
08:00 Korea time a notice is held until 08:00 unless its subscriber chose
otherwise. A reminder whose supplement request is over is cancelled, not sent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Sequence, TextIO

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from applications.clock import Clock, utc_now
from applications.models import Application
from applications.statuses import ApplicationStatus
from core.db import create_schema, get_engine, session_scope, take_write_lock
from records.models import Notice, NoticeDelivery, NoticeSubscription
from records.notice_texts import notice_text
from records.notices import in_quiet_hours, quiet_hours_end

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class NotifierConfig:
    """How the notifier paces itself."""

    batch_size: int = 50
    lease_seconds: float = 60.0
    max_attempts: int = 8
    backoff_seconds: float = 30.0
    backoff_cap_seconds: float = 3600.0
    #: Messages per second per channel (Telegram allows about 30 per second per bot).
    rates: Mapping[str, float] = field(default_factory=lambda: {"telegram": 25.0, "kakao": 10.0})
    #: How long to wait when nothing is due.
    idle_seconds: float = 2.0
    #: Calls in flight at once per channel (one citizen's notices always go in order).
    concurrency: int = 8

    def backoff(self, attempts: int) -> float:
        """Seconds before retry number ``attempts`` (1, 2, ...): doubling, capped."""
        return min(self.backoff_cap_seconds, self.backoff_seconds * 2 ** max(0, attempts - 1))


# What a sender reports back.
@dataclass(frozen=True)
class Delivered:
    """The messenger took the message."""

    detail: str = ""


@dataclass(frozen=True)
class RateLimited:
    """The messenger asked to slow down: nothing on this channel for ``retry_after`` seconds."""

    retry_after: float


@dataclass(frozen=True)
class TryLater:
    """A passing problem (network, a 5xx): retry with backoff."""

    reason: str


@dataclass(frozen=True)
class GiveUp:
    """The messenger refuses for good; ``blocked`` when the citizen blocked the bot."""

    reason: str
    blocked: bool = False


Outcome = Delivered | RateLimited | TryLater | GiveUp


@dataclass(frozen=True)
class ClaimedNotice:
    """A claimed notice with what delivery needs (read in the claim's transaction)."""

    id: int
    kind: str
    status: str
    deadline: Optional[date]
    days_before: Optional[int]
    channel: str
    recipient: str
    language: str
    quiet_hours: bool
    end_reason: Optional[str]
    application_number: str
    application_status: str
    application_deadline: Optional[date]


class Sender:
    """Sends notices on one channel; see :mod:`records.notifier_senders`."""

    channel: str = ""

    async def send(self, notice: ClaimedNotice, text: str, buttons: Sequence[Dict[str, str]]) -> Outcome:
        """Deliver one notice; report what happened (never raise for a refusal)."""
        raise NotImplementedError

    async def close(self) -> None:
        """Release connections."""


class RateLimiter:
    """Spaces sends on one channel at most ``rate`` per second; can be paused
    (flood control) apart from that spacing."""

    def __init__(self, rate: float, sleep: Sleep = asyncio.sleep, monotonic: Callable[[], float] = time.monotonic):
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._sleep = sleep
        self._monotonic = monotonic
        self._next = 0.0
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Nothing goes out for ``seconds`` from now."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)
        self._next = max(self._next, self._paused_until)

    def paused_for(self) -> float:
        """Seconds the channel stays paused by flood control (0 when it is not)."""
        return max(0.0, self._paused_until - self._monotonic())

    async def acquire(self) -> None:
        """Wait for this channel's next slot (reserved before waiting, so
        concurrent senders are spaced too)."""
        now = self._monotonic()
        slot = max(self._next, now)
        self._next = slot + self._interval
        if slot > now:
            await self._sleep(slot - now)


@dataclass
class BatchResult:
    """What one pass over the outbox did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    cancelled: int = 0
    rate_limited: int = 0


def _short(text: str) -> str:
    return text[:200]


class Notifier:
    """Claims due notices and delivers them through the configured senders."""

    def __init__(
        self,
        engine: Engine,
        senders: Mapping[str, Sender],
        *,
        clock: Clock = utc_now,
        config: NotifierConfig = NotifierConfig(),
        worker_id: Optional[str] = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._engine = engine
        self._senders = dict(senders)
        self._clock = clock
        self._config = config
        self._sleep = sleep
        self.worker_id = worker_id or f"{socket.gethostname()[:32]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._limiters = {
            channel: RateLimiter(config.rates.get(channel, 10.0), sleep) for channel in self._senders
        }

    # -- database work (blocking; always called in a worker thread) ----------

    def _log(self, session: Session, notice_id: int, channel: str, outcome: str, detail: str = "") -> None:
        session.add(
            NoticeDelivery(notice_id=notice_id, at=self._clock(), channel=channel, outcome=outcome,
                           detail=_short(detail) or None)
        )

    def _recover(self, session: Session, now: datetime) -> None:
        """Hand back claims whose lease ran out; mark interrupted sends unconfirmed."""
        session.execute(
            update(Notice)
            .where(Notice.state == "claimed", Notice.lease_until < now)
            .values(state="pending", claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        interrupted = session.execute(
            select(Notice.id, NoticeSubscription.channel)
            .join(NoticeSubscription, NoticeSubscription.id == Notice.subscription_id)
            .where(Notice.state == "sending", Notice.lease_until < now)
        ).all()
        for notice_id, channel in interrupted:
            session.execute(
                update(Notice)
                .where(Notice.id == notice_id, Notice.state == "sending")
                .values(state="unconfirmed", lease_until=None, last_error="interrupted while sending")
            )
            self._log(session, notice_id, channel, "unconfirmed", "the sender stopped during the call")

    def _anything_to_do(self, session: Session, now: datetime, channels: Sequence[str]) -> bool:
        """A plain read first, so an idle notifier never takes SQLite's write lock."""
        due = (
            select(Notice.id)
            .join(NoticeSubscription, NoticeSubscription.id == Notice.subscription_id)
            .where(Notice.state == "pending", Notice.due_at <= now, NoticeSubscription.channel.in_(channels))
            .limit(1)
        )
        expired = select(Notice.id).where(Notice.state.in_(("claimed", "sending")), Notice.lease_until < now).limit(1)
        return bool(
            (channels and session.execute(due).first() is not None) or session.execute(expired).first() is not None
        )

    def _claim(self, channels: Sequence[str]) -> List[ClaimedNotice]:
        now = self._clock()
        with session_scope(self._engine) as session:
            if not self._anything_to_do(session, now, channels):
                return []
        with session_scope(self._engine) as session:
            take_write_lock(session.connection())
            self._recover(session, now)
            if not channels:
                return []
            query = (
                select(Notice.id)
                .join(NoticeSubscription, NoticeSubscription.id == Notice.subscription_id)
                .where(Notice.state == "pending", Notice.due_at <= now, NoticeSubscription.channel.in_(channels))
                .order_by(Notice.due_at, Notice.id)
                .limit(self._config.batch_size)
            )
            if session.connection().dialect.name == "postgresql":
                query = query.with_for_update(of=Notice, skip_locked=True)
            ids = [row[0] for row in session.execute(query)]
            if not ids:
                return []
            lease = now + timedelta(seconds=self._config.lease_seconds)
            session.execute(
                update(Notice)
                .where(Notice.id.in_(ids), Notice.state == "pending")
                .values(state="claimed", claimed_by=self.worker_id, lease_until=lease)
                .execution_options(synchronize_session=False)
            )
            rows = session.execute(
                select(Notice, NoticeSubscription, Application)
                .join(NoticeSubscription, NoticeSubscription.id == Notice.subscription_id)
                .join(Application, Application.id == NoticeSubscription.application_id)
                .where(Notice.id.in_(ids), Notice.claimed_by == self.worker_id)
                .order_by(Notice.due_at, Notice.id)
            ).all()
            return [
                ClaimedNotice(
                    id=int(notice.id),
                    kind=notice.kind,
                    status=notice.status,
                    deadline=notice.deadline,
                    days_before=notice.days_before,
                    channel=subscription.channel,
                    recipient=subscription.recipient,
                    language=subscription.language,
                    quiet_hours=bool(subscription.quiet_hours),
                    end_reason=subscription.end_reason,
                    application_number=application.number,
                    application_status=application.status,
                    application_deadline=application.supplement_deadline,
                )
                for notice, subscription, application in rows
            ]

    def _mine(self, notice_id: int, state: str) -> Any:
        return and_(Notice.id == notice_id, Notice.claimed_by == self.worker_id, Notice.state == state)

    def _start_sending(self, notice: ClaimedNotice) -> bool:
        """``claimed`` -> ``sending`` if the claim is still ours; False otherwise."""
        now = self._clock()
        with session_scope(self._engine) as session:
            result = session.execute(
                update(Notice)
                .where(self._mine(notice.id, "claimed"))
                .values(
                    state="sending",
                    attempts=Notice.attempts + 1,
                    lease_until=now + timedelta(seconds=self._config.lease_seconds),
                )
            )
            return bool(result.rowcount)

    def _release(
        self, notice: ClaimedNotice, due_at: datetime, outcome: str, detail: str, state: str,
        refund_attempt: bool = False,
    ) -> None:
        """Give a claimed (or sending) notice back to the queue for ``due_at``;
        ``refund_attempt`` when the messenger only asked to wait (not a failure)."""
        values: Dict[str, Any] = {
            "state": "pending", "due_at": due_at, "claimed_by": None, "lease_until": None,
            "last_error": _short(detail) or None,
        }
        if refund_attempt:
            values["attempts"] = Notice.attempts - 1
        with session_scope(self._engine) as session:
            result = session.execute(
                update(Notice)
                .where(Notice.id == notice.id, Notice.claimed_by == self.worker_id, Notice.state == state)
                .values(**values)
            )
            if result.rowcount and outcome:
                self._log(session, notice.id, notice.channel, outcome, detail)

    def _close(self, notice: ClaimedNotice, state: str, outcome: str, detail: str, from_state: str) -> None:
        """Finish a notice as ``state`` (sent, failed, cancelled) and log it."""
        now = self._clock()
        with session_scope(self._engine) as session:
            values: Dict[str, object] = {"state": state, "lease_until": None}
            if state == "sent":
                values["sent_at"] = now
            else:
                values["last_error"] = _short(detail)
            # A slow call whose lease another notifier judged over is still ours to finish.
            states = (from_state, "unconfirmed") if from_state == "sending" else (from_state,)
            session.execute(
                update(Notice)
                .where(Notice.id == notice.id, Notice.claimed_by == self.worker_id, Notice.state.in_(states))
                .values(**values)
            )
            self._log(session, notice.id, notice.channel, outcome, detail)

    def _end_subscription(self, notice: ClaimedNotice) -> None:
        """The citizen blocked the bot: stop writing to them."""
        with session_scope(self._engine) as session:
            subscription_id = session.execute(
                select(Notice.subscription_id).where(Notice.id == notice.id)
            ).scalar_one()
            session.execute(
                update(NoticeSubscription)
                .where(NoticeSubscription.id == subscription_id, NoticeSubscription.ended_at.is_(None))
                .values(ended_at=self._clock(), end_reason="blocked")
            )
            session.execute(
                update(Notice)
                .where(Notice.subscription_id == subscription_id, Notice.state == "pending")
                .values(state="cancelled", last_error="the citizen blocked the bot")
                .execution_options(synchronize_session=False)
            )

    # -- one notice ------------------------------------------------------------

    def _obsolete(self, notice: ClaimedNotice) -> Optional[str]:
        """Why ``notice`` must not be sent any more, or None."""
        if notice.end_reason in ("cancelled", "blocked"):
            return f"subscription {notice.end_reason}"
        if notice.kind == "reminder":
            if notice.application_status != ApplicationStatus.SUPPLEMENT_REQUESTED.value:
                return "the supplement request is over"
            if notice.application_deadline != notice.deadline:
                return "the deadline changed"
            if notice.end_reason is not None:
                return f"subscription {notice.end_reason}"
        return None

    async def _deliver(self, notice: ClaimedNotice, result: BatchResult) -> None:
        now = self._clock()
        reason = self._obsolete(notice)
        if reason is not None:
            await asyncio.to_thread(self._close, notice, "cancelled", "cancelled", reason, "claimed")
            result.cancelled += 1
            return
        if notice.quiet_hours and in_quiet_hours(now):
            until = quiet_hours_end(now)
            await asyncio.to_thread(self._release, notice, until, "held", "quiet hours until 08:00 KST", "claimed")
            result.held += 1
            return
        limiter = self._limiters[notice.channel]
        paused = limiter.paused_for()
        if paused > 0:
            # The channel is under flood control: back to the queue, untouched.
            await asyncio.to_thread(self._release, notice, now + timedelta(seconds=paused), "", "", "claimed")
            return
        try:
            text = notice_text(
                kind=notice.kind, status=notice.status, language=notice.language,
                number=notice.application_number, deadline=notice.deadline, days_before=notice.days_before,
            )
        except (KeyError, ValueError) as error:
            await asyncio.to_thread(self._close, notice, "failed", "failed", f"no text: {error}", "claimed")
            result.failed += 1
            return
        await limiter.acquire()
        paused = limiter.paused_for()
        if paused > 0:
            # Flood control began while this one waited for its slot.
            await asyncio.to_thread(self._release, notice, now + timedelta(seconds=paused), "", "", "claimed")
            return
        if not await asyncio.to_thread(self._start_sending, notice):
            return  # another notifier took it over after our lease ran out
        try:
            outcome = await self._senders[notice.channel].send(notice, text.text, text.buttons)
        except Exception as error:  # noqa: BLE001 - a sender's bug must not strand the batch
            # The type only: the message could carry the recipient or the text.
            logger.error("notice %s: the %s sender failed: %s", notice.id, notice.channel, type(error).__name__)
            outcome = TryLater(f"sender error: {type(error).__name__}")
        await self._record(notice, outcome, result)

    async def _record(self, notice: ClaimedNotice, outcome: Outcome, result: BatchResult) -> None:
        now = self._clock()
        if isinstance(outcome, Delivered):
            await asyncio.to_thread(self._close, notice, "sent", "sent", outcome.detail, "sending")
            result.sent += 1
        elif isinstance(outcome, RateLimited):
            self._limiters[notice.channel].pause(outcome.retry_after)
            due = now + timedelta(seconds=outcome.retry_after)
            await asyncio.to_thread(
                self._release, notice, due, "rate_limited", f"retry after {outcome.retry_after:g} s", "sending", True
            )
            result.rate_limited += 1
        elif isinstance(outcome, TryLater):
            attempts = await asyncio.to_thread(self._attempts, notice.id)
            if attempts >= self._config.max_attempts:
                await asyncio.to_thread(self._close, notice, "failed", "failed", outcome.reason, "sending")
                result.failed += 1
            else:
                due = now + timedelta(seconds=self._config.backoff(attempts))
                await asyncio.to_thread(self._release, notice, due, "retry", outcome.reason, "sending")
                result.retried += 1
        else:
            await asyncio.to_thread(self._close, notice, "failed", "failed", outcome.reason, "sending")
            if outcome.blocked:
                await asyncio.to_thread(self._end_subscription, notice)
            result.failed += 1

    def _attempts(self, notice_id: int) -> int:
        with session_scope(self._engine) as session:
            return int(session.execute(select(Notice.attempts).where(Notice.id == notice_id)).scalar_one() or 0)

    # -- the loop ------------------------------------------------------------

    def _open_channels(self) -> List[str]:
        return [channel for channel, limiter in self._limiters.items() if limiter.paused_for() <= 0]

    async def run_once(self) -> BatchResult:
        """Claim one batch of due notices and deliver it: the channels in
        parallel, up to ``concurrency`` citizens at once per channel, each
        citizen's notices in order."""
        claimed = await asyncio.to_thread(self._claim, self._open_channels())
        result = BatchResult(claimed=len(claimed))
        queues: Dict[str, Dict[str, List[ClaimedNotice]]] = {}
        for notice in claimed:
            queues.setdefault(notice.channel, {}).setdefault(notice.recipient, []).append(notice)
        gates = {channel: asyncio.Semaphore(max(1, self._config.concurrency)) for channel in queues}

        async def drain(channel: str, notices: List[ClaimedNotice]) -> None:
            async with gates[channel]:
                for notice in notices:
                    await self._deliver(notice, result)

        await asyncio.gather(
            *(drain(channel, notices) for channel, by_recipient in queues.items() for notices in by_recipient.values())
        )
        return result

    def next_due_in(self) -> Optional[float]:
        """Seconds until the earliest notice this notifier could deliver is due, or
        a claim it could take over expires (None when there is none)."""
        channels = list(self._senders)
        with session_scope(self._engine) as session:
            base = select(Notice).join(NoticeSubscription, NoticeSubscription.id == Notice.subscription_id).where(
                NoticeSubscription.channel.in_(channels)
            )
            pending = session.execute(
                base.with_only_columns(Notice.due_at).where(Notice.state == "pending").order_by(Notice.due_at).limit(1)
            ).scalar_one_or_none()
            leased = session.execute(
                base.with_only_columns(Notice.lease_until)
                .where(Notice.state.in_(("claimed", "sending")), Notice.lease_until.is_not(None))
                .order_by(Notice.lease_until)
                .limit(1)
            ).scalar_one_or_none()
        moments = [moment for moment in (pending, leased) if moment is not None]
        if not moments:
            return None
        return max(0.0, (min(moments) - self._clock()).total_seconds())

    async def run(self, stop: Optional[asyncio.Event] = None, until_idle: bool = False) -> BatchResult:
        """Deliver until ``stop`` is set (or, with ``until_idle``, until nothing is
        due, and no retry or expiring claim is due within a lease); returns the totals."""
        total = BatchResult()
        stop = stop or asyncio.Event()
        while not stop.is_set():
            result = await self.run_once()
            for name in vars(total):
                setattr(total, name, getattr(total, name) + getattr(result, name))
            if result.claimed:
                continue
            wait = await asyncio.to_thread(self.next_due_in)
            pause = max((limiter.paused_for() for limiter in self._limiters.values()), default=0.0)
            # "Idle": nothing is due, nor a retry or an expiring claim within a lease.
            if until_idle and (wait is None or (wait > self._config.lease_seconds and pause <= 0)):
                return total
            delay = self._config.idle_seconds if wait is None else min(self._config.idle_seconds, wait)
            delay = max(delay, min(pause, self._config.idle_seconds), 0.01)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
        return total

    async def close(self) -> None:
        """Close every sender."""
        for sender in self._senders.values():
            await sender.close()


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m records.notifier``."""
    parser = argparse.ArgumentParser(
        prog="python -m records.notifier",
        description="Deliver pending notices (application status changes, deadline reminders) to the citizens "
        "who asked for them, through Telegram (TELEGRAM_TOKEN) and KakaoTalk (KAKAO_REST_API_KEY, KAKAO_BOT_ID).",
    )
    defaults = NotifierConfig()
    parser.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    parser.add_argument("--batch", type=int, default=defaults.batch_size, help="notices claimed at a time")
    parser.add_argument("--lease", type=float, default=defaults.lease_seconds,
                        help="seconds a claim holds before another notifier may take it over")
    parser.add_argument("--max-attempts", type=int, default=defaults.max_attempts)
    parser.add_argument("--backoff", type=float, default=defaults.backoff_seconds,
                        help="seconds before the first retry; doubles each time, at most an hour")
    parser.add_argument("--telegram-rate", type=float, default=defaults.rates["telegram"],
                        help="Telegram messages per second")
    parser.add_argument("--kakao-rate", type=float, default=defaults.rates["kakao"],
                        help="KakaoTalk events per second")
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency,
                        help="calls in flight at once per channel")
    parser.add_argument("--idle", type=float, default=defaults.idle_seconds,
                        help="seconds between looks at the outbox when nothing is due")
    return parser


async def _serve(args: argparse.Namespace, out: TextIO) -> int:
    from records.notifier_senders import senders_from_settings

    senders = await senders_from_settings()
    if not senders:
        out.write(
            "알림을 보낼 메신저가 설정되지 않았어요 (TELEGRAM_TOKEN 또는 KAKAO_REST_API_KEY와 KAKAO_BOT_ID). / "
            "No push channel is configured (TELEGRAM_TOKEN, or KAKAO_REST_API_KEY and KAKAO_BOT_ID).\n"
        )
        return 0
    config = NotifierConfig(
        batch_size=max(1, args.batch),
        lease_seconds=max(1.0, args.lease),
        max_attempts=max(1, args.max_attempts),
        backoff_seconds=max(0.0, args.backoff),
        rates={"telegram": args.telegram_rate, "kakao": args.kakao_rate},
        idle_seconds=max(0.05, args.idle),
        concurrency=max(1, args.concurrency),
    )
    engine = create_schema(get_engine())
    notifier = Notifier(engine, senders, config=config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    out.write(f"notifier {notifier.worker_id}: channels {', '.join(sorted(senders))}\n")
    out.flush()
    try:
        if args.once:
            total = await notifier.run(stop, until_idle=True)
        else:
            total = await notifier.run(stop)
    finally:
        await notifier.close()
    out.write(
        f"sent {total.sent}, retried {total.retried}, rate-limited {total.rate_limited}, held {total.held}, "
        f"failed {total.failed}, cancelled {total.cancelled}\n"
    )
    return 0


def main(argv: Optional[List[str]] = None, out: Optional[TextIO] = None) -> int:
    """Run the notifier until SIGTERM/SIGINT (or once); returns the exit code."""
    from core.privacy import install_log_masking

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    install_log_masking()
    args = build_parser().parse_args(argv)
    return asyncio.run(_serve(args, out or sys.stdout))


if __name__ == "__main__":
    # Run the imported module, not this __main__ copy: the senders import
    # records.notifier, and its outcome classes must be the ones checked here.
    from records.notifier import main as _imported_main

    sys.exit(_imported_main())
