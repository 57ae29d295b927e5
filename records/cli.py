"""Staff command line: ``python -m records COMMAND`` (handoffs, feedback, notices, purge, figures, review, ...).

Shows who was sent to a person and why (with a masked transcript), how
helpful the answers were, by service, with the questions that failed, and the
proactive notices (pending, sent, failed; ``--requeue ID`` puts a failed or
unconfirmed one back in the queue). Reads
the database the assistant writes (``DATABASE_URL``); only ``purge`` deletes from
it: conversations and records past their retention period (see
:mod:`records.purge`), once or, with ``--every 24h``, in a loop. ``figures``
(or ``report``) prints how the assistant is doing (:mod:`records.figures`);
``review``, ``label`` and ``export-training`` are the trainers' inbox
(:mod:`records.review_cli`), which writes only review labels.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time as clock
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, List, Optional, TextIO

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.db import create_schema, get_engine
from records.notices import NoticeRow, list_notices, notice_counts, notice_log, requeue, subscription_counts
from records.repository import failed_questions, helpful_rates, list_handoffs, overall_rate
from records.review_cli import REVIEW_COMMANDS, add_review_commands, run_review_command

KST = timezone(timedelta(hours=9), "KST")
EXIT_OK, EXIT_INVALID = 0, 1
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

logger = logging.getLogger(__name__)


def _kst(moment: datetime) -> str:
    """A stored naive-UTC time as Korea time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(KST).strftime("%Y-%m-%d %H:%M KST")


def _since(value: str) -> datetime:
    """``YYYY-MM-DD`` (midnight Korea time) as naive UTC."""
    try:
        day = date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-03-02") from error
    return datetime.combine(day, time(0, 0), KST).astimezone(timezone.utc).replace(tzinfo=None)


def _interval(value: str) -> float:
    """``30m``, ``24h``, ``1d`` or ``3600s`` as seconds (at least 60)."""
    match = _DURATION.match(value)
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)] if match else 0
    if seconds < 60:
        raise argparse.ArgumentTypeError(f"{value!r} is not an interval like 24h, 30m or 1d (at least 1 minute)")
    return float(seconds)


def build_parser() -> argparse.ArgumentParser:
    """The parser: one sub-command per report."""
    parser = argparse.ArgumentParser(
        prog="python -m records",
        description="Follow up on citizens: handoffs to a person and feedback on answers. "
        "Texts are shown masked, as they were stored. The database is DATABASE_URL.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    handoffs = commands.add_parser("handoffs", help="list conversations handed to a person")
    handoffs.add_argument("--since", type=_since, help="only from this day on (YYYY-MM-DD, Korea time)")
    feedback = commands.add_parser("feedback", help="helpful rate and the questions that failed")
    feedback.add_argument("--by-service", action="store_true", help="show the helpful rate of each service")
    notices = commands.add_parser(
        "notices",
        help="proactive notices to citizens: pending, sent and failed",
        description="Notices the notifier delivers (python -m records.notifier): counts by state, active "
        "subscriptions by messenger, then the newest notices of each group. No application number or "
        "recipient is shown.",
    )
    notices.add_argument("--state", choices=NOTICE_GROUPS, action="append",
                         help="only this group (repeatable; default: pending, sent and failed)")
    notices.add_argument("--limit", type=int, default=20, help="notices listed per group (default 20)")
    notices.add_argument("--log", type=int, metavar="ID", help="show the delivery log of one notice")
    notices.add_argument("--requeue", type=int, metavar="ID",
                         help="send a failed or unconfirmed notice again (an unconfirmed one may have arrived)")
    purge = commands.add_parser(
        "purge",
        help="delete conversations and records past their retention period (counts only are printed)",
        description="Delete conversations older than ASSISTANT_CONVERSATION_RETENTION_DAYS (default 90) and "
        "handoff and feedback records older than ASSISTANT_RECORD_RETENTION_DAYS (default 365).",
    )
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted; delete nothing")
    purge.add_argument("--every", type=_interval, metavar="INTERVAL",
                       help="keep running and purge again after each INTERVAL (e.g. 24h)")
    for name, summary in (("figures", "how the assistant is doing: conversations, containment, fallbacks, "
                                        "handoffs, ratings, services, turns and response time"),
                          ("report", "the same figures as 'figures' (for staff without a browser)")):
        figures = commands.add_parser(name, help=summary, description=summary + ". Computed from the masked "
                                      "conversations and the records; see records/figures.py for each definition.")
        figures.add_argument("--since", type=_since, help="conversations from this day on (YYYY-MM-DD, Korea time)")
        figures.add_argument("--until", type=_until, help="conversations up to this day, inclusive (YYYY-MM-DD)")
        figures.add_argument("--channel", help="only this channel (web, rest, telegram, kakao)")
        figures.add_argument("--language", choices=("ko", "en"), help="only this language")
        figures.add_argument("--period", choices=("month", "day"), default="month",
                             help="the period of the breakdown over time (default month)")
    add_review_commands(commands)
    return parser


def _until(value: str) -> datetime:
    """``YYYY-MM-DD`` as the end (exclusive) of that day in Korea time, naive UTC."""
    return _since(value) + timedelta(days=1)


def cmd_figures(engine: Engine, args: argparse.Namespace, out: TextIO) -> int:
    """Print the figures of the chosen period, channel and language."""
    from records.figures import compute_figures, format_report

    report = compute_figures(engine, args.since, args.until, args.channel, args.language, args.period)
    since = _kst(args.since)[:10] if args.since else "-"
    until = _kst(args.until - timedelta(days=1))[:10] if args.until else "-"
    scope = f"channel={args.channel or 'all'}  language={args.language or 'all'}"
    out.write(f"운영 지표 / Figures  {since} .. {until}  {scope}\n")
    out.write(format_report(report))
    return EXIT_OK


def cmd_handoffs(engine: Engine, since: Optional[datetime], out: TextIO) -> int:
    """Print each handoff with its masked transcript."""
    rows = list_handoffs(engine, since)
    if not rows:
        out.write("No handoffs recorded.\n")
        return EXIT_OK
    for row in rows:
        opened = "open" if row.open_now else "closed"
        out.write(
            f"{_kst(row.at)}  sender={row.sender_id}  reason={row.reason}  "
            f"service={row.service_id or '-'}  agency={row.agency_id or '110'}  "
            f"language={row.language}  line={opened}\n"
        )
        for line in row.transcript:
            out.write(f"    {line.get('who', '?'):>4}: {line.get('text', '')}\n")
    out.write(f"{len(rows)} handoff(s).\n")
    return EXIT_OK


def cmd_feedback(engine: Engine, by_service: bool, out: TextIO) -> int:
    """Print the helpful rate (overall, and by service if asked) and the failed questions."""
    overall = overall_rate(engine)
    out.write(f"Helpful: {overall.helpful} of {overall.total} ratings ({overall.percent:.0f}%)\n")
    if by_service:
        out.write("By service:\n")
        for rate in helpful_rates(engine):
            out.write(f"  {rate.key:<40} {rate.helpful:>4} / {rate.total:<4} ({rate.percent:.0f}%)\n")
    questions = failed_questions(engine)
    out.write(f"Questions that failed ({len(questions)}):\n")
    for question in questions:
        service = f" [{question.service_id}]" if question.service_id else ""
        comment = f"  comment: {question.comment}" if question.comment else ""
        out.write(f"  {_kst(question.at)}  {question.source}{service}: {question.text}{comment}\n")
    return EXIT_OK


#: What ``notices --state`` groups: a staff word for the notice states behind it.
NOTICE_GROUPS = {
    "pending": ("pending", "claimed", "sending"),
    "sent": ("sent",),
    "failed": ("failed", "unconfirmed"),
    "cancelled": ("cancelled",),
}
_GROUP_TITLES = {
    "pending": "대기 중 / Pending",
    "sent": "보냄 / Sent",
    "failed": "실패·미확인 / Failed or unconfirmed",
    "cancelled": "취소됨 / Cancelled",
}


def _notice_line(row: NoticeRow) -> str:
    what = row.status if row.kind == "status" else f"reminder D-{row.days_before} ({row.deadline})"
    when = f"sent {_kst(row.sent_at)}" if row.sent_at else f"due {_kst(row.due_at)}"
    error = f"  error: {row.last_error}" if row.last_error and row.state != "sent" else ""
    return (
        f"  #{row.id:<6} {row.state:<11} {row.channel:<8} {row.language}  {row.kind:<8} {what}  "
        f"service={row.service_id}  created {_kst(row.created_at)}  {when}  attempts={row.attempts}{error}\n"
    )


def cmd_notices(
    engine: Engine,
    groups: Optional[List[str]],
    limit: int,
    requeue_id: Optional[int],
    out: TextIO,
    log_id: Optional[int] = None,
) -> int:
    """Print notice counts, subscriptions and the newest notices per group; or
    one notice's delivery log; or requeue one."""
    if log_id is not None:
        entries = notice_log(engine, log_id)
        out.write(f"알림 #{log_id} 전송 기록 / Delivery log of notice #{log_id}:\n")
        for entry in entries:
            out.write(f"  {_kst(entry.at)}  {entry.channel:<8} {entry.outcome:<12} {entry.detail or ''}\n")
        if not entries:
            out.write("  -\n")
        return EXIT_OK
    if requeue_id is not None:
        if requeue(engine, requeue_id, _utc_now()):
            out.write(f"알림 #{requeue_id}을 다시 보내도록 넣었어요. / Notice #{requeue_id} is queued again.\n")
            return EXIT_OK
        out.write(
            f"알림 #{requeue_id}은 실패하거나 미확인된 알림이 아니에요. / "
            f"Notice #{requeue_id} is not a failed or unconfirmed notice.\n"
        )
        return EXIT_INVALID
    counts = notice_counts(engine)
    summary = ", ".join(f"{state} {count}" for state, count in counts.items())
    out.write(f"알림 / Notices: {summary}\n")
    subscriptions = subscription_counts(engine)
    out.write("구독 / Subscriptions: " + ", ".join(f"{key} {value}" for key, value in subscriptions.items()) + "\n")
    for group in groups or ["pending", "sent", "failed"]:
        rows = list_notices(engine, NOTICE_GROUPS[group], limit=max(1, limit))
        out.write(f"{_GROUP_TITLES[group]} ({sum(counts[state] for state in NOTICE_GROUPS[group])}):\n")
        if not rows:
            out.write("  -\n")
        for row in rows:
            out.write(_notice_line(row))
    return EXIT_OK


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def cmd_purge(
    engine: Engine,
    dry_run: bool,
    every: Optional[float],
    out: TextIO,
    now: Callable[[], datetime] = _utc_now,
    sleep: Callable[[float], None] = clock.sleep,
    rounds: Optional[int] = None,
) -> int:
    """Purge once (or, with ``every``, again after each interval; ``rounds``
    bounds the loop for tests) and print the counts. A database error in loop
    mode is reported and retried at the next interval; a single run fails."""
    from records.purge import RetentionPolicy, describe, purge

    try:
        policy = RetentionPolicy.from_env()
    except ValueError as error:
        out.write(f"보관 기간 설정이 잘못되었습니다. / Invalid retention setting: {error}\n")
        return EXIT_INVALID
    done = 0
    while True:
        try:
            out.write(describe(purge(engine, now(), policy, dry_run=dry_run), policy))
        except SQLAlchemyError as error:
            if every is None:
                raise
            # The exception text may hold SQL parameters: the type only.
            logger.error("purge failed: %s; retrying in %.0f s", type(error).__name__, every)
        out.flush()
        done += 1
        if every is None or (rounds is not None and done >= rounds):
            return EXIT_OK
        sleep(every)


def main(argv: List[str] | None = None, out: TextIO | None = None, engine: Engine | None = None) -> int:
    """Run one command; returns the exit code."""
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    engine = create_schema(engine or get_engine())
    if args.command == "handoffs":
        return cmd_handoffs(engine, args.since, out)
    if args.command == "notices":
        return cmd_notices(engine, args.state, args.limit, args.requeue, out, args.log)
    if args.command in ("figures", "report"):
        return cmd_figures(engine, args, out)
    if args.command in REVIEW_COMMANDS:
        return run_review_command(engine, args, out)
    if args.command == "purge":
        try:
            return cmd_purge(engine, args.dry_run, args.every, out)
        except KeyboardInterrupt:
            return EXIT_OK
    return cmd_feedback(engine, args.by_service, out)
