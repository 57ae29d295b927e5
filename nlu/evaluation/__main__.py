"""Command line: ``python -m nlu.evaluation eval`` and ``... crossval --folds 5``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import List, Optional

from nlu.evaluation.layout import default_layout


def parser() -> argparse.ArgumentParser:
    """The argument parser with the ``eval`` and ``crossval`` commands."""
    root = argparse.ArgumentParser(prog="python -m nlu.evaluation", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    evaluate = commands.add_parser(
        "eval", help="score models/assistant.tar.gz and the baseline on nlu/test and nlu/holdout; write reports/nlu/"
    )
    evaluate.add_argument(
        "--model", type=Path, default=None, help="model archive to score as ours (default models/assistant.tar.gz)"
    )
    evaluate.add_argument(
        "--train",
        action="store_true",
        help="score an NLU-only model trained from config.yml into build/eval/ours instead (trained when changed)",
    )
    evaluate.add_argument(
        "--split",
        type=Path,
        default=None,
        help="score only this held-out split, one folder per language (default: nlu/test, then nlu/holdout)",
    )
    evaluate.add_argument(
        "--retrain-baseline", action="store_true", help="train the baseline even if its inputs did not change"
    )
    crossval = commands.add_parser("crossval", help="k-fold cross-validation over nlu/data")
    crossval.add_argument("--folds", type=int, default=5, help="number of folds (default 5)")
    crossval.add_argument("--config", type=Path, default=None, help="pipeline to validate (default config.yml)")
    return root


def main(argv: Optional[List[str]] = None) -> int:
    """Run the chosen command from the repository root; return the exit code."""
    arguments = parser().parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("nlu.evaluation").setLevel(logging.INFO)
    layout = default_layout()
    split = arguments.split.resolve() if arguments.command == "eval" and arguments.split else None
    os.chdir(layout.root)  # the spaCy gazetteer path in config.yml is relative to the root
    if arguments.command == "eval":
        from nlu.evaluation.evaluate import run_eval

        run_eval(
            layout,
            model=arguments.model,
            train_ours=arguments.train,
            retrain_baseline=arguments.retrain_baseline,
            split=split,
        )
    else:
        from nlu.evaluation.crossval import run_crossval

        run_crossval(layout, arguments.folds, arguments.config or layout.config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
