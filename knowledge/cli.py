"""The staff command-line tool: ``python -m knowledge <command>``.

Staff keep the catalogue current with it while the assistant runs: every change
goes to the database the bot reads (``DATABASE_URL``), is visible to the bot
within a second or two, and is recorded in the audit log with who and when.

Exit codes: 0 success, 1 invalid input (nothing was changed), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import Callable, Dict, List, Sequence, TextIO

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.db import create_schema, get_engine, session_scope
from knowledge import entries
from knowledge.exporter import export_catalogue
from knowledge.importer import (
    count_entries,
    default_actor,
    import_documents,
    parse_cli_value,
    set_service_field,
    validate_path,
)
from knowledge.models import Agency, AuditLog, Service
from knowledge.schema import CatalogueValidationError, Issue, load_documents
from knowledge.search import Decision, get_search

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
# How many services needing review import-gov24 lists by name.
REVIEW_LINES = 20

FIELD_HELP = """\
fields you can set (use the dotted name):
  name.ko name.en overview.ko overview.en fee.ko fee.en fee (a number of won)
  processing_time.ko processing_time.en documents.ko documents.en (items separated by ;)
  deadline.ko deadline.en, or deadline as YAML ({ko: ..., en: ...}; null removes it)
  aliases.ko aliases.en (items separated by ;) eligibility.text.ko eligibility.text.en
  eligibility.rules (YAML) apply.online.ko apply.online.en apply.online.url
  apply.in_person.ko apply.in_person.en where.office_type.ko where.office_type.en
  where.phone where.website agency life_events source last_reviewed illustrative
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per staff task."""
    parser = argparse.ArgumentParser(
        prog="python -m knowledge",
        description="Keep the government service catalogue up to date. Changes are live for the "
        "assistant at once and recorded in the audit log. The database is DATABASE_URL.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=textwrap.dedent("""\
            examples:
              python -m knowledge validate knowledge/catalogue
              python -m knowledge import knowledge/catalogue/services/passport_id.yml --by kim
              python -m knowledge set passport_reissue fee.ko "53,000원" --by kim
              python -m knowledge search "여권 재발급 수수료"
              python -m knowledge import-gov24 serviceList.json serviceDetail.json --by kim
            exit codes: 0 done, 1 invalid input (nothing changed), 2 wrong command"""),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser("validate", help="check catalogue YAML files without changing anything")
    validate.add_argument("path", type=Path, help="a catalogue folder or one .yml file")

    load = commands.add_parser("import", help="add or update services from YAML files (all or nothing)")
    load.add_argument("path", type=Path, help="a catalogue folder or one .yml file")
    load.add_argument("--by", default=None, help="your name for the audit log (default: $USER)")

    export = commands.add_parser("export", help="write the whole catalogue to YAML files in a folder")
    export.add_argument("directory", type=Path, help="folder to write to (created if needed)")

    listing = commands.add_parser("list", help="list the services")
    listing.add_argument("--agency", help="only services of this agency id (e.g. mofa)")

    show = commands.add_parser("show", help="show everything about one service")
    show.add_argument("service_id", help="the service id, e.g. passport_reissue")

    search = commands.add_parser("search", help="show which service a citizen's question finds")
    search.add_argument("query", help='the question, in quotes, e.g. "여권 재발급 수수료"')

    change = commands.add_parser(
        "set",
        help="change one field of a service",
        epilog=FIELD_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    change.add_argument("service_id", help="the service id, e.g. passport_reissue")
    change.add_argument("field", help="the field, e.g. fee.ko (see the list below)")
    change.add_argument("value", help="the new value, in quotes")
    change.add_argument("--by", default=None, help="your name for the audit log (default: $USER)")

    gov24 = commands.add_parser(
        "import-gov24",
        help="add or update services from the national catalogue's serviceList/serviceDetail JSON (all or nothing)",
    )
    gov24.add_argument("files", type=Path, nargs="+", help="serviceList and serviceDetail JSON pages")
    gov24.add_argument("--by", default=None, help="your name for the audit log (default: $USER)")

    gov24_out = commands.add_parser(
        "export-gov24", help="write the catalogue as national-format serviceList/serviceDetail JSON"
    )
    gov24_out.add_argument("--out", type=Path, required=True, help="folder to write to (created if needed)")
    gov24_out.add_argument("--per-page", type=int, default=1000, help="services per JSON page (default 1000)")

    history = commands.add_parser("history", help="show recent changes from the audit log")
    history.add_argument("service_id", nargs="?", help="only changes to this service")
    history.add_argument("--limit", type=int, default=20, help="how many changes to show (default 20)")
    return parser


def _engine() -> Engine:
    return create_schema(get_engine())


def _print_issues(issues: Sequence[Issue], out: TextIO) -> None:
    out.write(f"Found {len(issues)} problem{'s' if len(issues) != 1 else ''}:\n")
    for issue in issues:
        out.write(f"  - {issue}\n")


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Check files; references may point to entries already in the database."""
    issues = validate_path(_engine(), args.path)
    if issues:
        _print_issues(issues, out)
        return EXIT_INVALID
    documents, _ = load_documents(args.path)
    services = sum(len(d.services) for d in documents)
    out.write(
        f"OK: {len(documents)} file(s), {services} service(s), {count_entries(documents)} entries "
        f"in total. No problems found.\n"
    )
    return EXIT_OK


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    """Validate everything, then import it in one transaction."""
    actor = args.by or default_actor()
    documents, issues = load_documents(args.path)
    if issues:
        _print_issues(issues, out)
        out.write("Nothing was changed.\n")
        return EXIT_INVALID
    from tqdm import tqdm

    engine = _engine()
    with tqdm(total=count_entries(documents), desc="importing", unit="entry", disable=None) as bar:
        try:
            report = import_documents(engine, documents, actor, progress=lambda _id: bar.update(1))
        except CatalogueValidationError as error:
            bar.close()
            _print_issues(error.issues, out)
            out.write("Nothing was changed.\n")
            return EXIT_INVALID
    out.write(
        f"Imported: {len(report.created)} new, {len(report.updated)} changed, "
        f"{len(report.unchanged)} unchanged. {report.audit_rows} change(s) recorded in the "
        f"audit log by {actor}.\n"
    )
    return EXIT_OK


def cmd_import_gov24(args: argparse.Namespace, out: TextIO) -> int:
    """Validate the national files, then import them in one transaction."""
    from tqdm import tqdm

    from knowledge.gov24_import import count_records, describe_reason, import_gov24

    actor = args.by or default_actor()
    engine = _engine()
    with tqdm(total=count_records(args.files), desc="importing", unit="service", disable=None) as bar:

        def tick(entry_id: str) -> None:
            # The bar counts services; the agencies the import adds tick nothing.
            bar.update(int(not entry_id.startswith("gov24_org_")))

        try:
            report = import_gov24(engine, args.files, actor, progress=tick)
        except CatalogueValidationError as error:
            bar.close()
            _print_issues(error.issues, out)
            out.write("Nothing was changed.\n")
            return EXIT_INVALID
    catalogue = report.catalogue
    out.write(
        f"Imported {len(report.services)} service(s) from {report.files} file(s): "
        f"{len(report.created)} new, {len(report.matched)} matched with services already in the catalogue; "
        f"{len(catalogue.created)} entries created, {len(catalogue.updated)} changed, "
        f"{len(catalogue.unchanged)} unchanged. {catalogue.audit_rows} change(s) recorded in the audit log by "
        f"{actor}.\n"
        f"{len(report.needs_review)} service(s) need staff review (no English, fields with no place in the "
        f"catalogue, or facts the national data lacks).\n"
    )
    for service_id in report.needs_review[:REVIEW_LINES]:
        reasons = "; ".join(describe_reason(reason) for reason in report.reasons[service_id])
        out.write(f"  {service_id}: {reasons}\n")
    if len(report.needs_review) > REVIEW_LINES:
        out.write(f"  ... and {len(report.needs_review) - REVIEW_LINES} more.\n")
    return EXIT_OK


def cmd_export_gov24(args: argparse.Namespace, out: TextIO) -> int:
    """Write the catalogue as national-format pages."""
    from knowledge.gov24_export import export_gov24

    written = export_gov24(_engine(), args.out, per_page=args.per_page)
    out.write(f"Wrote {len(written)} file(s) to {args.out}:\n")
    for path in written:
        out.write(f"  {path}\n")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    """Write the catalogue as YAML files."""
    written = export_catalogue(_engine(), args.directory)
    out.write(f"Wrote {len(written)} file(s) to {args.directory}:\n")
    for path in written:
        out.write(f"  {path}\n")
    return EXIT_OK


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    """One line per service: id, Korean and English name, agency, last review."""
    with session_scope(_engine()) as session:
        if args.agency and session.get(Agency, args.agency) is None:
            known = ", ".join(session.scalars(select(Agency.id).order_by(Agency.id)))
            out.write(f"There is no agency '{args.agency}'. Agencies: {known}\n")
            return EXIT_INVALID
        query = select(Service).order_by(Service.id)
        if args.agency:
            query = query.where(Service.agency_id == args.agency)
        services = session.scalars(query).all()
        width = max((len(s.id) for s in services), default=10)
        for service in services:
            out.write(
                f"{service.id:<{width}}  {service.name_ko} / {service.name_en}  "
                f"[{service.agency_id}, reviewed {service.last_reviewed.isoformat()}]\n"
            )
    out.write(f"{len(services)} service(s).\n")
    return EXIT_OK


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    """Every field of one service, one per line."""
    with session_scope(_engine()) as session:
        service = session.get(Service, args.service_id)
        if service is None:
            out.write(f"There is no service '{args.service_id}'. Use 'list' or 'search' to find its id.\n")
            return EXIT_INVALID
        flat = entries.flatten(entries.service_to_entry(service))
        updated = f"{service.updated_at:%Y-%m-%d %H:%M} by {service.updated_by or 'unknown'}"
    for field, value in flat.items():
        out.write(f"{field:<24} {value}\n")
    out.write(f"{'last changed':<24} {updated}\n")
    return EXIT_OK


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    """The decision and the ranked services for a question."""
    result = get_search(_engine()).search(args.query)
    explanation = {
        Decision.CLEAR: "one clear match",
        Decision.AMBIGUOUS: "several services match; the assistant asks which one",
        Decision.NONE: "no service matches",
    }[result.decision]
    out.write(f"Result: {explanation}\n")
    shown = result.ranking[:5] or result.suggestions
    for candidate in shown:
        out.write(
            f"  {candidate.score:5.2f}  {candidate.service_id}  ({candidate.name_ko} / {candidate.name_en})\n"
        )
    if result.decision is Decision.NONE and result.suggestions:
        out.write("Suggestions: " + ", ".join(c.service_id for c in result.suggestions) + "\n")
    return EXIT_OK


def cmd_set(args: argparse.Namespace, out: TextIO) -> int:
    """Change one field, validated like an import, and record it."""
    actor = args.by or default_actor()
    engine = _engine()
    try:
        value = parse_cli_value(args.field, args.value)
    except yaml.YAMLError as error:
        out.write(f"The value for {args.field} could not be read: {error}\n")
        return EXIT_INVALID
    try:
        report = set_service_field(engine, args.service_id, args.field, value, actor)
    except KeyError:
        out.write(f"There is no service '{args.service_id}'. Use 'list' or 'search' to find its id.\n")
        return EXIT_INVALID
    except CatalogueValidationError as error:
        _print_issues(error.issues, out)
        out.write("Nothing was changed.\n")
        return EXIT_INVALID
    if not report.updated:
        out.write(f"{args.service_id}: {args.field} already has that value; nothing changed.\n")
        return EXIT_OK
    out.write(
        f"Changed {args.field} of {args.service_id}. The assistant uses the new value now. "
        f"Recorded in the audit log by {actor}.\n"
    )
    return EXIT_OK


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    """The latest audit-log rows, newest first."""
    with session_scope(_engine()) as session:
        query = select(AuditLog).order_by(AuditLog.id.desc()).limit(max(1, args.limit))
        if args.service_id:
            query = query.where(AuditLog.entity_id == args.service_id)
        rows = [row.as_dict() for row in session.scalars(query)]
    for row in rows:
        change = (
            f"{row['field']}: {_short(row['old_value'])} -> {_short(row['new_value'])}"
            if row["field"]
            else "created"
        )
        out.write(
            f"{row['at']:%Y-%m-%d %H:%M}  {row['actor']:<12} {row['action']:<7} "
            f"{row['entity_type']} {row['entity_id']}  {change}\n"
        )
    if not rows:
        out.write("No changes recorded.\n")
    return EXIT_OK


def _short(value: str | None, width: int = 60) -> str:
    value = value or "(empty)"
    return value if len(value) <= width else value[: width - 1] + "…"


COMMANDS: Dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "validate": cmd_validate,
    "import": cmd_import,
    "export": cmd_export,
    "import-gov24": cmd_import_gov24,
    "export-gov24": cmd_export_gov24,
    "list": cmd_list,
    "show": cmd_show,
    "search": cmd_search,
    "set": cmd_set,
    "history": cmd_history,
}


def main(argv: List[str] | None = None, out: TextIO | None = None) -> int:
    """Run one command; return the exit code (argparse exits 2 on bad usage)."""
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args, out or sys.stdout)
