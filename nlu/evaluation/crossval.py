"""``crossval``: k-fold cross-validation over the training data, per language.

Each (language, intent) group is shuffled with a fixed seed and dealt round
robin into k folds, so every fold holds about 1/k of every intent in every
language. For each fold a model is trained on the other k-1 folds (with the
same config, entity synonyms, regexes and lookup tables) and scored on the
fold; the report gives per-language mean ± sample standard deviation; per
language, each intent's precision, recall and F1 and the most frequent
confusions (gold → predicted), over the predictions of all folds pooled (every
training line is predicted once, by the model that did not see it); and a
calibration table: how often the top intent (before the FallbackClassifier)
was right in each confidence band, pooled over the folds. That table is what
the FallbackClassifier threshold in config.yml is chosen from. The JSON report
also lists every misclassified training line, to guide the next data round.
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
from nlu.evaluation.figures import errors, figures_by_language
from nlu.evaluation.layout import LANGUAGES, Layout
from nlu.evaluation.metrics import confused_pairs, intent_result, split_by_language
from nlu.evaluation.predict import ModelRunner, Prediction
from nlu.evaluation.training import train_nlu_model

SEED = 42
SUMMARY_KEYS = ("intent_macro_f1", "intent_accuracy")
FALLBACK_COMPONENT = "FallbackClassifier"
# Lower edges of the confidence bands of the calibration table.
CONFIDENCE_BANDS = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.7, 0.9)
# How many (gold, predicted) pairs the pooled figures list per language.
CONFUSED_PAIRS = 10


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


def _language_order(languages: Sequence[str]) -> List[str]:
    """``languages`` without repeats: ko, en, then any other in alphabetical order."""
    present = set(languages)
    return [lang for lang in LANGUAGES if lang in present] + sorted(present - set(LANGUAGES))


def pooled_intents(
    languages: Sequence[str], gold: Sequence[str], predicted: Sequence[str], top: int = CONFUSED_PAIRS
) -> Dict[str, Dict[str, Any]]:
    """Per language (ko, en, then others): intent figures over the pooled predictions of every fold.

    ``languages``, ``gold`` and ``predicted`` are aligned by position. Each
    language gets its example count, accuracy and macro-F1 of the pooled
    predictions, ``per_intent`` (precision, recall, F1 and counts of every gold
    intent, as ``metrics.intent_result`` defines them) and ``confused_pairs``:
    the ``top`` most frequent errors as ``{"gold", "predicted", "count"}``,
    most frequent first.
    """
    grouped = split_by_language(languages, gold, predicted)
    out: Dict[str, Dict[str, Any]] = {}
    for language in _language_order(list(grouped)):
        language_gold, language_predicted = grouped[language]
        result = intent_result(language_gold, language_predicted)
        out[language] = {
            "examples": result.examples,
            "intent_accuracy": round(result.accuracy, 4),
            "intent_macro_f1": round(result.macro_f1, 4),
            "per_intent": {label: scores.as_dict() for label, scores in result.per_intent.items()},
            "confused_pairs": [
                {"gold": g, "predicted": p, "count": n}
                for g, p, n in confused_pairs(language_gold, language_predicted, top)
            ],
        }
    return out


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
    pooled_examples: List[GoldExample] = []
    pooled_predictions: List[Prediction] = []
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
        pooled_examples += examples
        pooled_predictions += predictions
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
    result["pooled"] = pooled_intents(
        [e.language for e in pooled_examples],
        [e.intent for e in pooled_examples],
        [p.intent for p in pooled_predictions],
    )
    result["misclassified"] = errors(pooled_examples, pooled_predictions)
    write_crossval(result, layout.reports)
    print(crossval_table(result))
    return result


def summarise(per_fold: Sequence[Dict[str, Any]], folds: int, config: str) -> Dict[str, Any]:
    """Mean ± std per language and figure over the folds, with the folds themselves."""
    languages = _language_order([key for fold in per_fold for key in fold if key not in {"fold", "seconds"}])
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


def pooled_table(pooled: Dict[str, Dict[str, Any]]) -> List[str]:
    """Lines of the pooled figures: per language, every intent weakest F1 first, then the confused pairs."""
    lines: List[str] = []
    for language, row in pooled.items():
        width = max([len("intent"), *(len(label) for label in row["per_intent"])]) + 2
        lines += [
            "",
            f"{language}: per-intent figures, all folds pooled ({row['examples']} lines), weakest F1 first",
            f"{'intent':<{width}}{'precision':<11}{'recall':<8}{'F1':<7}support",
        ]
        ranked = sorted(row["per_intent"].items(), key=lambda item: (item[1]["f1"], item[0]))
        for label, scores in ranked:
            lines.append(
                f"{label:<{width}}{scores['precision']:<11.3f}{scores['recall']:<8.3f}{scores['f1']:<7.3f}"
                f"{scores['support']}"
            )
        pairs = row["confused_pairs"]
        lines += ["", f"{language}: most confused, gold → predicted"]
        if not pairs:
            lines.append("(none)")
        for pair in pairs:
            lines.append(f"{pair['count']:>4}  {pair['gold']} → {pair['predicted']}")
    return lines


def crossval_table(result: Dict[str, Any]) -> str:
    """Macro-F1 and accuracy per language (mean ± std over folds); pooled per-intent figures and
    confused pairs per language; then the calibration table. Parts absent from ``result`` are left out."""
    lines = [f"{'language':<9}{'intent macro-F1':<20}intent accuracy"]
    for language, row in result["summary"].items():
        f1, accuracy = row["intent_macro_f1"], row["intent_accuracy"]
        lines.append(
            f"{language:<9}{f1['mean']:.3f} ± {f1['std']:.3f}{'':<5}{accuracy['mean']:.3f} ± {accuracy['std']:.3f}"
        )
    lines += pooled_table(result.get("pooled") or {})
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
