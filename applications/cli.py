"""Staff command line for applications: ``python -m applications --help``.

Changes go straight to the database the assistant reads on every lookup, so a
citizen who asks right after a ``move`` already sees the new status; nothing
needs restarting. The birth date is never printed: it is only stored hashed.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import TextIO

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from applications.birthdates import BirthDateError, parse_birth_date
from applications.clock import Clock, utc_now
from applications.hashing import BirthDateHasher
from applications.numbers import ApplicationNumberError, NumberProblem, parse_application_number
from applications.repository import (
    ApplicationChangeError,
    ApplicationNotFoundError,
    add_application,
    default_handling,
    find_application,
    move_application,
    unlock,
)
from applications.seed import seed_applications
from applications.statuses import ApplicationStatus
from core.db import create_schema, get_engine, session_scope
from knowledge.models import record_audit

DESCRIPTION = """\
Look up and update citizens' applications (passports, allowances, petitions...).
Every change is live at once: the assistant reads the database on each lookup.
The applicant's birth date is stored only as a salted hash and never shown."""

EPILOG = """\
examples:
  python -m applications add --service passport_reissue --birth-date 1985-03-12
  python -m applications move 2026-0001019 in_review --by "Kim Minji"
  python -m applications move 2026-0001019 supplement_requested \\
      --documents "여권용 사진 1매; 가족관계증명서" \\
      --documents-en "One passport photo; Family relation certificate" --deadline 2026-12-15 --by "Kim Minji"
  python -m applications move 2026-0001027 rejected --reason "소득 기준 초과" \\
      --reason-en "Income above the limit" --by "Lee Junho"
  python -m applications show 2026-0001019
  python -m applications unlock --sender telegram-12345678

statuses: received (접수), in_review (처리중), supplement_requested (보완요청),
approved (승인), rejected (반려), completed (처리완료/발급완료), withdrawn (취하)"""


def audit_move(
    session: Session,
    *,
    actor: str,
    number: str,
    old_status: str,
    new_status: str,
    documents_ko: Sequence[str] = (),
    deadline: date | None = None,
    reason_ko: str | None = None,
    source: str,
) -> None:
    """Add the audit rows of one status move to ``session``: the status, and the
    supplement documents and deadline or the rejection reason it came with.

    Shared by this CLI and the staff console, so both write the same rows in
    the one audit log, in the same transaction as the move.
    """
    common = {"actor": actor, "action": "move", "entity_type": "application", "entity_id": number, "source": source}
    record_audit(session, field="status", old_value=old_status, new_value=new_status, **common)
    if documents_ko:
        record_audit(session, field="supplement_documents", new_value="; ".join(documents_ko), **common)
    if deadline is not None:
        record_audit(session, field="supplement_deadline", new_value=deadline.isoformat(), **common)
    if reason_ko:
        record_audit(session, field="rejection_reason", new_value=reason_ko, **common)


def audit_unlock(session: Session, *, actor: str, number: str | None, sender_id: str | None, lifted: int,
                 source: str) -> None:
    """Add the audit row of a lifted lockout (by application number or sender) to ``session``."""
    record_audit(
        session, actor=actor, action="unlock", entity_type="application" if number else "sender",
        entity_id=(number or sender_id or "?")[:64], field="lockout", new_value=f"{lifted} lifted", source=source,
    )


class CommandError(Exception):
    """A problem the clerk can fix; printed without a traceback."""


def default_actor() -> str:
    """Who runs the command when nobody said: the login name, else ``staff``."""
    return os.environ.get("USER") or os.environ.get("USERNAME") or "staff"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from error


def _status(text: str) -> ApplicationStatus:
    try:
        return ApplicationStatus.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _number(text: str) -> str:
    try:
        return str(parse_application_number(text))
    except ApplicationNumberError as error:
        if error.problem is NumberProblem.CHECK_DIGIT:
            raise argparse.ArgumentTypeError(
                f"{text!r}: the last digit (check digit) is wrong; check the number on the receipt"
            ) from error
        problem = f"{text!r} is not an application number like 2026-0012347"
        raise argparse.ArgumentTypeError(problem) from error


def _documents(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(";") if item.strip()]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with the sub-commands add, move, show, unlock and seed."""
    parser = argparse.ArgumentParser(
        prog="python -m applications",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", help="database to use (default: DATABASE_URL or var/assistant.db)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add = commands.add_parser("add", help="register a new application and print its number")
    add.add_argument("--service", required=True, help="catalogue service id, e.g. passport_reissue")
    add.add_argument("--birth-date", required=True, help="applicant's birth date, YYYY-MM-DD (stored hashed)")
    add.add_argument("--agency", help="handling agency in Korean (default: from the service)")
    add.add_argument("--agency-en", help="handling agency in English")
    add.add_argument("--office", help="handling office in Korean, e.g. 종로구청 여권민원실")
    add.add_argument("--office-en", help="handling office in English")
    add.add_argument("--phone", help="contact phone for the applicant")
    add.add_argument("--name-ko", help="service name in Korean (needed if the service is not built in)")
    add.add_argument("--name-en", help="service name in English")
    add.add_argument("--expected", type=_date, help="expected completion date, YYYY-MM-DD")
    add.add_argument("--by", default="staff", help="who registers it (recorded in the history)")

    move = commands.add_parser("move", help="change the status of an application (recorded in its history)")
    move.add_argument("number", type=_number, help="application number, e.g. 2026-0012347")
    move.add_argument("status", type=_status, help="new status (see the list below)")
    move.add_argument("--by", required=True, help="your name, recorded in the history")
    move.add_argument("--reason", help="rejection reason in Korean (required for rejected)")
    move.add_argument("--reason-en", help="rejection reason in English")
    move.add_argument("--documents", help='documents to supplement in Korean, separated by ";"')
    move.add_argument("--documents-en", help='the same documents in English, separated by ";"')
    move.add_argument("--deadline", type=_date, help="supplement deadline, YYYY-MM-DD")
    move.add_argument("--expected", type=_date, help="new expected completion date, YYYY-MM-DD")
    move.add_argument("--note", help="internal note for the history")
    move.add_argument("--force", action="store_true", help="allow an unusual move, to correct a mistake")

    show = commands.add_parser("show", help="print an application and its history (never the birth date)")
    show.add_argument("number", type=_number, help="application number")

    unlock_cmd = commands.add_parser("unlock", help="lift a lockout after too many failed checks")
    target = unlock_cmd.add_mutually_exclusive_group(required=True)
    target.add_argument("--sender", help="conversation id of the citizen (sender id)")
    target.add_argument("--number", type=_number, help="application number")

    seed = commands.add_parser("seed", help="add illustrative sample applications if there are none")
    seed.add_argument("--count", type=int, default=300, help="how many (default 300)")
    return parser


def _print_application(engine: Engine, number: str, out: TextIO) -> None:
    with session_scope(engine) as session:
        application = find_application(session, number)
        if application is None:
            raise CommandError(f"no application {number}")
        lines = [
            f"number:      {application.number}",
            f"service:     {application.service_id}",
            f"name:        {application.service_name_en} / {application.service_name_ko}",
            f"status:      {application.status}",
            f"submitted:   {application.submitted_at:%Y-%m-%d %H:%M} UTC",
            f"updated:     {application.updated_at:%Y-%m-%d %H:%M} UTC",
            f"expected:    {application.expected_completion or '-'}",
            f"agency:      {application.agency_en} / {application.agency_ko}",
            f"office:      {application.office_en} / {application.office_ko}",
            f"phone:       {application.contact_phone}",
        ]
        if application.supplement_documents_ko:
            lines.append(f"documents:   {'; '.join(application.supplement_documents_ko)}")
            lines.append(f"deadline:    {application.supplement_deadline or '-'}")
        if application.rejection_reason_ko:
            lines.append(f"reason:      {application.rejection_reason_ko}")
        lines.append("history:")
        for entry in application.history:
            note = f"  ({entry.note})" if entry.note else ""
            when = f"{entry.changed_at:%Y-%m-%d %H:%M}"
            lines.append(f"  {when}  {entry.status:<21} by {entry.changed_by}{note}")
        print("\n".join(lines), file=out)


def run(argv: Sequence[str] | None = None, *, clock: Clock = utc_now, out: TextIO | None = None) -> int:
    """Run one staff command; returns the process exit code (0 ok, 1 refused, 2 usage)."""
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    engine = create_schema(get_engine(args.database_url))
    try:
        if args.command == "add":
            try:
                birth_date = parse_birth_date(args.birth_date)
            except BirthDateError as error:
                problem = f"--birth-date {args.birth_date!r} is not a possible birth date"
                raise CommandError(problem) from error
            handling = default_handling(
                args.service,
                name_ko=args.name_ko,
                name_en=args.name_en,
                agency_ko=args.agency,
                agency_en=args.agency_en,
                office_ko=args.office,
                office_en=args.office_en,
                phone=args.phone,
            )
            with session_scope(engine) as session:
                application = add_application(
                    session,
                    service_id=args.service,
                    birth_date=birth_date,
                    handling=handling,
                    hasher=BirthDateHasher.from_settings(),
                    now=clock(),
                    created_by=args.by,
                    expected_completion=args.expected,
                )
                print(application.number, file=out)
        elif args.command == "move":
            with session_scope(engine) as session:
                current = find_application(session, args.number)
                old_status = current.status if current is not None else ""
                application = move_application(
                    session,
                    args.number,
                    args.status,
                    by=args.by,
                    now=clock(),
                    reason_ko=args.reason,
                    reason_en=args.reason_en,
                    documents_ko=_documents(args.documents),
                    documents_en=_documents(args.documents_en),
                    deadline=args.deadline,
                    expected_completion=args.expected,
                    note=args.note,
                    force=args.force,
                )
                supplement = args.status is ApplicationStatus.SUPPLEMENT_REQUESTED
                audit_move(
                    session, actor=args.by.strip(), number=application.number, old_status=old_status,
                    new_status=application.status, documents_ko=_documents(args.documents) if supplement else (),
                    deadline=args.deadline if supplement else None,
                    reason_ko=args.reason if args.status is ApplicationStatus.REJECTED else None, source="cli",
                )
                print(f"{application.number} is now {application.status}", file=out)
        elif args.command == "show":
            _print_application(engine, args.number, out)
        elif args.command == "unlock":
            with session_scope(engine) as session:
                lifted = unlock(session, sender_id=args.sender, number=args.number)
                audit_unlock(session, actor=default_actor(), number=args.number, sender_id=args.sender,
                             lifted=lifted, source="cli")
            target = f"sender {args.sender}" if args.sender else f"application {args.number}"
            print(f"{target}: {lifted} lockout(s) lifted, failed attempts forgotten", file=out)
        elif args.command == "seed":
            added = seed_applications(engine, args.count)
            message = f"{added} sample application(s) added" if added else "applications exist; nothing added"
            print(message, file=out)
    except ApplicationNotFoundError as error:
        print(f"error: no application {error.args[0]}", file=sys.stderr)
        return 1
    except (ApplicationChangeError, CommandError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def main() -> None:
    """Entry point of ``python -m applications``."""
    sys.exit(run())
