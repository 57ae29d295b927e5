"""``crossval``: k-fold cross-validation over the training data, per language.

Each (language, intent) group is shuffled with a fixed seed and dealt round
robin into k folds, so every fold holds about 1/k of every intent in every
language. For each fold a model is trained on the other k-1 folds (with the
same config, entity synonyms, regexes and lookup tables) and scored on the
fold; the report gives per-language mean ± sample standard deviation, and a
calibration table: how often the top intent (before the FallbackClassifier)
was right in each confidence band, pooled over the folds. That table is what
the FallbackClassifier threshold in config.yml is chosen from.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from nlu.evaluation.evaluate import machine
from nlu.evaluation.examples import GoldExample, data_files, entities_of, language_of
from nlu.evaluation.figures import figures_by_language
from nlu.evaluation.layout import LANGUAGES, Layout
from nlu.evaluation.predict import ModelRunner
from nlu.evaluation.training import train_nlu_model

SEED = 42
SUMMARY_KEYS = ("intent_macro_f1", "intent_accuracy")
FALLBACK_COMPONENT = "FallbackClassifier"
# Lower edges of the confidence bands of the calibration table.
CONFIDENCE_BANDS = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.7, 0.9)


def calibration(pairs: Sequence[Tuple[float, bool]], bands: Sequence[float] = CONFIDENCE_BANDS) -> List[Dict[str, Any]]:
    """Per confidence band [low, next low): how many predictions fell in it and the share that were right."""
    rows = []
    for index, low in enumerate(bands):
        high = bands[index + 1] if index + 1 < len(bands) else 1.0000001
        inside = [right for confidence, right in pairs if low <= confidence < high]
        rows.append(
            {
                "from": low,
                "to": min(high, 1.0),
                "predictions": len(inside),
                "accuracy": round(sum(inside) / len(inside), 4) if inside else None,
            }
        )
    return rows


def assign_folds(keys: Sequence[Tuple[str, str]], folds: int, seed: int = SEED) -> List[int]:
    """A fold number in ``range(folds)`` for each item, stratified by its key.

    Items sharing a key (language, intent) are shuffled with ``seed`` and dealt
    round robin, so each fold gets ``len(group) // folds`` or one more of every group.
    """
    if folds < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    groups: Dict[Tuple[str, str], List[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        groups[key].append(index)
    rng = random.Random(seed)
    assignment = [0] * len(keys)
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for position, index in enumerate(members):
            assignment[index] = position % folds
    return assignment


def mean_and_std(values: Sequence[float]) -> Dict[str, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    return {
        "mean": round(statistics.fmean(values), 4),
        "std": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
    }


def _load_training(base: Path) -> Tuple[List[Any], List[str], Any]:
    """Every training message, its language, and the merged data (for synonyms, regexes, lookups)."""
    from rasa.shared.nlu.training_data.loading import load_data

    messages: List[Any] = []
    languages: List[str] = []
    for path in data_files(base):
        for message in load_data(str(path)).intent_examples:
            messages.append(message)
            languages.append(str(language_of(path, base)))
    return messages, languages, load_data(str(base))


def _write_fold(messages: Sequence[Any], merged: Any, path: Path) -> None:
    """Write ``messages`` plus the merged data's synonyms, regexes and lookups as Rasa YAML."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = TrainingData(
        training_examples=list(messages),
        entity_synonyms=merged.entity_synonyms,
        regex_features=merged.regex_features,
        lookup_tables=merged.lookup_tables,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    RasaYAMLWriter().dump(path, data)


def run_crossval(layout: Layout, folds: int, config: Path) -> Dict[str, Any]:
    """Train and score ``folds`` models; write reports/nlu/crossval.{md,json}; return the figures."""
    messages, languages, merged = _load_training(layout.training_data)
    keys = [(language, str(message.get("intent"))) for message, language in zip(messages, languages, strict=True)]
    assignment = assign_folds(keys, folds)
    per_fold: List[Dict[str, Any]] = []
    confidences: List[Tuple[float, bool]] = []
    layout.build.mkdir(parents=True, exist_ok=True)  # absent on a fresh clone
    for fold in range(folds):
        started = time.monotonic()
        held_out = [i for i, f in enumerate(assignment) if f == fold]
        training = [messages[i] for i, f in enumerate(assignment) if f != fold]
        with tempfile.TemporaryDirectory(prefix=f"fold{fold}-", dir=layout.build) as work:
            data_path = Path(work) / "data" / "nlu.yml"
            _write_fold(training, merged, data_path)
            model = train_nlu_model(config, data_path.parent, Path(work) / "model", force=True)
            examples = [
                GoldExample(
                    text=messages[i].get("text"),
                    intent=str(messages[i].get("intent")),
                    entities=entities_of(messages[i].get("entities")),
                    language=languages[i],
                    source=f"fold {fold}",
                )
                for i in held_out
            ]
            runner = ModelRunner.load(model)
            predictions = runner.parse([e.text for e in examples])
            if FALLBACK_COMPONENT in {node.uses.__name__ for node in runner.graph_nodes}:
                raw = runner.parse([e.text for e in examples], without=FALLBACK_COMPONENT)
                confidences += [(p.confidence, p.intent == e.intent) for p, e in zip(raw, examples, strict=True)]
        figures = figures_by_language(examples, predictions)
        per_fold.append(
            {
                "fold": fold,
                "seconds": round(time.monotonic() - started),
                **{
                    language: {key: figures[language][key] for key in SUMMARY_KEYS + ("examples",)}
                    for language in figures
                },
            }
        )
        summary = ", ".join(
            f"{language} macro-F1 {figures[language]['intent_macro_f1']:.3f}" for language in figures
        )
        print(f"fold {fold + 1}/{folds}: {summary}", flush=True)
    result = summarise(per_fold, folds, layout.relative(config))
    result["calibration"] = calibration(confidences)
    write_crossval(result, layout.reports)
    print(crossval_table(result))
    return result


def summarise(per_fold: Sequence[Dict[str, Any]], folds: int, config: str) -> Dict[str, Any]:
    """Mean ± std per language and figure over the folds, with the folds themselves."""
    present = {key for fold in per_fold for key in fold if key not in {"fold", "seconds"}}
    languages = [lang for lang in LANGUAGES if lang in present] + sorted(present - set(LANGUAGES))
    return {
        "run": {
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "command": f"python -m nlu.evaluation crossval --folds {folds}",
            "config": config,
            "seed": SEED,
        },
        "summary": {
            language: {key: mean_and_std([fold[language][key] for fold in per_fold]) for key in SUMMARY_KEYS}
            for language in languages
        },
        "folds": list(per_fold),
    }


def crossval_table(result: Dict[str, Any]) -> str:
    """One line per language: macro-F1 and accuracy, mean ± std; then the calibration table."""
    lines = [f"{'language':<9}{'intent macro-F1':<20}intent accuracy"]
    for language, row in result["summary"].items():
        f1, accuracy = row["intent_macro_f1"], row["intent_accuracy"]
        lines.append(
            f"{language:<9}{f1['mean']:.3f} ± {f1['std']:.3f}{'':<5}{accuracy['mean']:.3f} ± {accuracy['std']:.3f}"
        )
    bands = result.get("calibration") or []
    if bands:
        lines += ["", "top-intent confidence  predictions  right"]
        for band in bands:
            right = f"{band['accuracy']:.0%}" if band["accuracy"] is not None else "–"
            lines.append(f"{band['from']:.2f}–{band['to']:.2f}{'':<13}{band['predictions']:<13}{right}")
    return "\n".join(lines)


def write_crossval(result: Dict[str, Any], folder: Path) -> None:
    """reports/nlu/crossval.json and crossval.md."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "crossval.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    run = result["run"]
    text = (
        f"# NLU cross-validation\n\n{run['date']} on {run['machine']}: `{run['command']}` "
        f"with `{run['config']}` (seed {run['seed']}).\n\n```\n{crossval_table(result)}\n```\n"
    )
    (folder / "crossval.md").write_text(text, encoding="utf-8")
