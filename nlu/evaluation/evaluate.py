"""``eval``: the trained assistant model and the baseline on the held-out test split."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from nlu.evaluation.examples import GoldExample, load_examples
from nlu.evaluation.figures import entity_errors, errors, figures_by_language
from nlu.evaluation.layout import Layout
from nlu.evaluation.metrics import confusion_matrix, entity_result
from nlu.evaluation.plot import save_confusion_matrix
from nlu.evaluation.predict import ModelRunner, Prediction
from nlu.evaluation.report import BASELINE, OURS, console_table, write_report
from nlu.evaluation.training import train_nlu_model

SPACY_COMPONENT = "SpacyGazetteerExtractor"
SPACY_ENTITIES = ("region", "service")  # what the gazetteer feeds


def machine() -> str:
    """Host, OS, CPU count and Python version, for the report's header."""
    return (
        f"{platform.node()} ({platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()})"
    )


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)


def staleness_warnings(layout: Layout, model: Path) -> List[str]:
    """Why ``model`` may not reflect the current training data or config."""
    trained = _mtime(model)
    inputs = [layout.config] + sorted(layout.training_data.rglob("*.yml"))
    newer = [layout.relative(path) for path in inputs if _mtime(path) > trained]
    if not newer:
        return []
    return [
        f"{layout.relative(model)} is older than {', '.join(newer[:5])}"
        + (" ..." if len(newer) > 5 else "")
        + ": run `make train` and evaluate again"
    ]


def model_figures(
    name: str, examples: Sequence[GoldExample], predictions: Sequence[Prediction], images: Path
) -> Dict[str, Any]:
    """Figures by language, misclassified examples and one confusion image per language."""
    by_language = figures_by_language(examples, predictions)
    pictures = []
    for language in sorted({example.language for example in examples}):
        pairs = [(e.intent, p.intent) for e, p in zip(examples, predictions, strict=True) if e.language == language]
        labels, matrix = confusion_matrix([g for g, _ in pairs], [p for _, p in pairs])
        path = images / f"confusion_{name}_{language}.png"
        save_confusion_matrix(labels, matrix, f"{name} – {language} test split", path)
        pictures.append(path.name)
    return {
        "languages": by_language,
        "errors": errors(examples, predictions),
        "entity_errors": entity_errors(examples, predictions),
        "images": pictures,
    }


def entities_without_spacy(
    runner: ModelRunner, examples: Sequence[GoldExample], with_spacy: Sequence[Prediction]
) -> Dict[str, Any]:
    """Scores of the entities the spaCy gazetteer feeds, for the same model with
    and without the gazetteer's output."""
    texts = [example.text for example in examples]
    without = runner.parse(texts, without=SPACY_COMPONENT)
    gold = [example.entities for example in examples]
    with_result = entity_result(texts, gold, [p.entities for p in with_spacy])
    without_result = entity_result(texts, gold, [p.entities for p in without])
    return {
        "method": (
            "the same trained model, its prediction graph stopped right before "
            f"{SPACY_COMPONENT} (the intent classifier, the CRF, the synonym mapper and the "
            "identifier extractor still run; region and service come only from what the CRF learned)"
        ),
        "entities": {
            entity: {
                "with": with_result.tally(entity).scores().as_dict(),
                "without": without_result.tally(entity).scores().as_dict(),
            }
            for entity in SPACY_ENTITIES
        },
    }


def run_eval(
    layout: Layout,
    model: Optional[Path] = None,
    train_ours: bool = False,
    retrain_baseline: bool = False,
    split: Optional[Path] = None,
) -> List[Dict[str, Any]]:
    """Evaluate ours and the baseline on held-out splits, write a report per
    split, print each summary; return the reports.

    Ours is ``model`` (default models/assistant.tar.gz); with ``train_ours`` it
    is an NLU-only model trained from config.yml into build/eval/ours, which
    lets a developer try a pipeline change without touching models/. Without
    ``split`` every held-out split is scored (nlu/test, report in reports/nlu/,
    then nlu/holdout, report in reports/nlu/holdout/), each model loaded once.
    """
    splits = [split] if split else layout.held_out_splits
    if train_ours:
        model = train_nlu_model(layout.config, layout.training_data, layout.build / "ours")
    model = model or layout.model
    if not model.exists():
        raise SystemExit(f"{layout.relative(model)} is missing: run `make train` first")
    examples_by_split = {path: load_examples(path) for path in splits}
    for path, examples in examples_by_split.items():
        if not examples:
            raise SystemExit(f"no test examples under {layout.relative(path)}")
    baseline_model = train_nlu_model(
        layout.baseline_config, layout.training_data, layout.build / "baseline", force=retrain_baseline
    )
    ours_runner = ModelRunner.load(model)
    baseline_runner = ModelRunner.load(baseline_model)
    return [
        _evaluate_split(layout, path, examples, (model, ours_runner), (baseline_model, baseline_runner))
        for path, examples in examples_by_split.items()
    ]


def _evaluate_split(
    layout: Layout,
    split: Path,
    examples: Sequence[GoldExample],
    ours_model: Tuple[Path, ModelRunner],
    baseline_model: Tuple[Path, ModelRunner],
) -> Dict[str, Any]:
    """Score both loaded models on one split; write its report and print its table."""
    reports = layout.reports_for(split)
    texts = [example.text for example in examples]
    (model, ours_runner), (baseline_path, baseline_runner) = ours_model, baseline_model
    ours_predictions = ours_runner.parse(texts)
    spacy = entities_without_spacy(ours_runner, examples, ours_predictions)
    baseline_predictions = baseline_runner.parse(texts)

    reports.mkdir(parents=True, exist_ok=True)
    ours = model_figures(OURS, examples, ours_predictions, reports)
    baseline = model_figures(BASELINE, examples, baseline_predictions, reports)
    report: Dict[str, Any] = {
        "run": {
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "command": " ".join(["python -m nlu.evaluation", *sys.argv[1:]]) or "python -m nlu.evaluation eval",
            "test_split": layout.relative(split),
            "warnings": staleness_warnings(layout, model),
        },
        "models": {
            OURS: {
                "model": layout.relative(model),
                "config": layout.relative(layout.config),
                "trained": _mtime(model).strftime("%Y-%m-%d %H:%M UTC"),
                **ours,
            },
            BASELINE: {
                "model": layout.relative(baseline_path),
                "config": layout.relative(layout.baseline_config),
                "trained": _mtime(baseline_path).strftime("%Y-%m-%d %H:%M UTC"),
                **baseline,
            },
        },
        "spacy_ablation": spacy,
        "images": ours["images"] + baseline["images"],
    }
    paths = write_report(report, reports)
    print(f"\n{layout.relative(split)}")
    print(console_table(report))
    for warning in report["run"]["warnings"]:
        print(f"warning: {warning}")
    print(f"report: {layout.relative(paths['markdown'])} and {layout.relative(paths['json'])}")
    return report
