"""The review inbox on the command line: ``python -m records review|label|export-training``.

``review`` collects new failed questions and lists the inbox (masked);
``label ID --intent NAME [--service TEXT]``, ``label ID --out-of-scope`` and
``label ID --ignore`` record a trainer's decision; ``export-training --out
FILE`` writes the accepted examples as Rasa NLU YAML.
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import Engine

from records.review_models import REVIEW_SOURCES, REVIEW_STATES

REVIEW_COMMANDS = ("review", "label", "export-training")


def add_review_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the review sub-commands to the records parser."""
    review = commands.add_parser(
        "review", help="collect failed questions into the trainers' inbox and list it (masked)",
        description="Collects every message not understood, every low-confidence guess and every question "
        "rated unhelpful, then lists the inbox. Texts are masked.",
    )
    review.add_argument("--state", choices=REVIEW_STATES + ("all",), default="open", help="default open")
    review.add_argument("--source", choices=REVIEW_SOURCES, help="only items from this source")
    review.add_argument("--limit", type=int, default=50, help="items listed (default 50)")
    labels = commands.add_parser("label", help="label one inbox item: its intent, out of scope, or ignore")
    labels.add_argument("id", type=int, help="the item's number (see 'review')")
    decision = labels.add_mutually_exclusive_group(required=True)
    decision.add_argument("--intent", help="the intent the message should have had")
    decision.add_argument("--out-of-scope", action="store_true", help="not something the assistant answers")
    decision.add_argument("--ignore", action="store_true", help="not useful as training data")
    decision.add_argument("--reopen", action="store_true", help="take a decision back")
    labels.add_argument("--service", metavar="TEXT", help="the words of the message that name the service")
    labels.add_argument("--service-id", help="the catalogue id of that service (kept for reference)")
    export = commands.add_parser(
        "export-training", help="write the accepted examples as Rasa NLU YAML",
        description="Writes the examples trainers accepted (and those marked out of scope) as Rasa NLU YAML, "
        "ready to review, move into nlu/data/<language>/ and evaluate with `make eval`. Examples that would "
        "carry an identifier are left out.",
    )
    export.add_argument("--out", type=Path, required=True, help="the YAML file to write")
    export.add_argument("--language", choices=("ko", "en"), help="only this language")


def run_review_command(engine: Engine, args: argparse.Namespace, out: TextIO) -> int:
    """Run ``review``, ``label`` or ``export-training``; returns the exit code."""
    from records.review import ReviewError, collect, export_training, find_span, get_item, label, list_items

    if args.command == "review":
        added = collect(engine)
        rows = list_items(engine, None if args.state == "all" else args.state, args.source, max(1, args.limit))
        out.write(f"새로 모은 질문 {added}건 / New items collected: {added}\n")
        for row in rows:
            guess = f"{row.guessed_intent or '-'} {row.confidence:.2f}" if row.confidence is not None \
                else (row.guessed_intent or "-")
            decided = f"  -> {row.intent}" if row.intent else ""
            out.write(f"  #{row.id:<6} {row.state:<12} {row.source:<14} {row.language}  guess={guess}  "
                      f"{row.text}{decided}\n")
        out.write(f"{len(rows)} item(s).\n")
        return 0
    if args.command == "label":
        item = get_item(engine, args.id)
        try:
            if item is None:
                raise ReviewError(f"no review item {args.id}")
            if args.intent:
                row = label(engine, args.id, "accepted", getpass.getuser(), args.intent,
                            find_span(item.text, args.service), args.service_id)
            else:
                decision = "out_of_scope" if args.out_of_scope else "ignored" if args.ignore else "open"
                row = label(engine, args.id, decision, getpass.getuser())
        except ReviewError as error:
            out.write(f"라벨을 붙이지 못했어요. / Could not label: {error}\n")
            return 1
        out.write(f"#{row.id} {row.state} {row.intent or ''} {row.service_text or ''}\n")
        return 0
    result = export_training(engine, args.language)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(result.text, encoding="utf-8")
    out.write(f"학습 예문 {result.examples}건을 {args.out}에 저장했어요 (제외 {result.skipped}건). / "
              f"Wrote {result.examples} example(s) to {args.out} ({result.skipped} left out).\n")
    return 0
