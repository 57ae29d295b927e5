"""Staff command line: ``python -m records handoffs|feedback``.

Shows who was sent to a person and why (with a masked transcript), and how
helpful the answers were, by service, with the questions that failed. Reads
the database the assistant writes (``DATABASE_URL``); changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta, timezone
from typing import List, Optional, TextIO

from sqlalchemy.engine import Engine

from core.db import create_schema, get_engine
from records.repository import failed_questions, helpful_rates, list_handoffs, overall_rate

KST = timezone(timedelta(hours=9), "KST")
EXIT_OK, EXIT_INVALID = 0, 1


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


def main(argv: List[str] | None = None, out: TextIO | None = None, engine: Engine | None = None) -> int:
    """Run one command; returns the exit code."""
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    engine = create_schema(engine or get_engine())
    if args.command == "handoffs":
        return cmd_handoffs(engine, args.since, out)
    return cmd_feedback(engine, args.by_service, out)
