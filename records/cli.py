"""Staff command line: ``python -m records handoffs|feedback|purge``.

Shows who was sent to a person and why (with a masked transcript), and how
helpful the answers were, by service, with the questions that failed. Reads
the database the assistant writes (``DATABASE_URL``); only ``purge`` changes
it: it deletes conversations and records past their retention period (see
:mod:`records.purge`), once or, with ``--every 24h``, in a loop.
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
from records.repository import failed_questions, helpful_rates, list_handoffs, overall_rate

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
    purge = commands.add_parser(
        "purge",
        help="delete conversations and records past their retention period (counts only are printed)",
        description="Delete conversations older than ASSISTANT_CONVERSATION_RETENTION_DAYS (default 90) and "
        "handoff and feedback records older than ASSISTANT_RECORD_RETENTION_DAYS (default 365).",
    )
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted; delete nothing")
    purge.add_argument("--every", type=_interval, metavar="INTERVAL",
                       help="keep running and purge again after each INTERVAL (e.g. 24h)")
    return parser


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
    if args.command == "purge":
        try:
            return cmd_purge(engine, args.dry_run, args.every, out)
        except KeyboardInterrupt:
            return EXIT_OK
    return cmd_feedback(engine, args.by_service, out)
