"""Writing the evaluation report: Markdown for people, JSON for tools, a console table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

# Targets of issue 8, shown next to the figures.
TARGET_MACRO_F1 = 0.95
TARGET_ENTITY_F1 = 0.90
TARGET_OOS_RECALL = 0.90
TARGET_KO_MARGIN = 0.03
TARGET_ENTITIES = ("service", "application_number", "birth_date", "region")

OURS = "ours"
BASELINE = "baseline"


def _f(value: Optional[float]) -> str:
    """A figure with three decimals, or a dash when there is none."""
    return "–" if value is None else f"{value:.3f}"


def _get(report: Mapping[str, Any], model: str, language: str, key: str) -> Optional[float]:
    """``report["models"][model]["languages"][language][key]`` or None."""
    try:
        return report["models"][model]["languages"][language][key]
    except KeyError:
        return None


def _entity(report: Mapping[str, Any], model: str, entity: str, key: str = "f1") -> Optional[float]:
    """An entity figure over all languages, None when the entity has no gold and no prediction."""
    try:
        row = report["models"][model]["languages"]["all"]["entities"][entity]
    except KeyError:
        return None
    if not row["support"] and not row["false_positives"]:
        return None
    return row[key]


def summary_rows(report: Mapping[str, Any]) -> List[List[str]]:
    """Rows of the ours-vs-baseline table: figure, ours, baseline, target."""
    rows: List[List[str]] = []
    languages = [lang for lang in report["models"][OURS]["languages"] if lang != "all"]
    for language in languages:
        ours_f1 = _get(report, OURS, language, "intent_macro_f1")
        base_f1 = _get(report, BASELINE, language, "intent_macro_f1")
        target = f"≥ {TARGET_MACRO_F1:.2f}"
        if language == "ko":
            target += f" and baseline + {TARGET_KO_MARGIN:.2f}"
        rows.append([f"{language} intent macro-F1", _f(ours_f1), _f(base_f1), target])
        rows.append(
            [
                f"{language} intent accuracy",
                _f(_get(report, OURS, language, "intent_accuracy")),
                _f(_get(report, BASELINE, language, "intent_accuracy")),
                "",
            ]
        )
        rows.append(
            [
                f"{language} out_of_scope recall",
                _f(_get(report, OURS, language, "out_of_scope_recall")),
                _f(_get(report, BASELINE, language, "out_of_scope_recall")),
                f"≥ {TARGET_OOS_RECALL:.2f}",
            ]
        )
    for entity in TARGET_ENTITIES:
        rows.append(
            [
                f"{entity} entity F1",
                _f(_entity(report, OURS, entity)),
                _f(_entity(report, BASELINE, entity)),
                f"≥ {TARGET_ENTITY_F1:.2f}",
            ]
        )
    spacy = report.get("spacy_ablation") or {}
    for entity, scores in (spacy.get("entities") or {}).items():
        rows.append([f"{entity} F1 without the spaCy gazetteer", _f(scores["without"]["f1"]), "", ""])
    return rows


def console_table(report: Mapping[str, Any]) -> str:
    """The summary as a fixed-width text table for the terminal."""
    header = ["figure", OURS, BASELINE, "target"]
    rows = [header] + summary_rows(report)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _markdown_table(header: List[str], rows: List[List[str]]) -> List[str]:
    """A GitHub Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def _entity_rows(report: Mapping[str, Any]) -> List[List[str]]:
    """Per entity: ours P/R/F1/support and value agreement, baseline F1, per-language F1."""
    ours = report["models"][OURS]["languages"]
    rows = []
    for entity, row in ours["all"]["entities"].items():
        agreed = f"{row['values_agreed']}/{row['values_checked']}" if row["values_checked"] else "–"
        per_language = []
        for language in (lang for lang in ours if lang != "all"):
            cell = ours[language]["entities"].get(entity)
            per_language.append(_f(cell["f1"]) if cell and (cell["support"] or cell["false_positives"]) else "–")
        rows.append(
            [entity, _f(row["precision"]), _f(row["recall"]), _f(row["f1"]), str(row["support"]), agreed]
            + per_language
            + [_f(_entity(report, BASELINE, entity))]
        )
    return rows


def _per_intent_rows(report: Mapping[str, Any], languages: List[str]) -> List[List[str]]:
    """Per intent and language: ours F1 and baseline F1 (support in brackets)."""
    intents = sorted(
        {intent for language in languages for intent in report["models"][OURS]["languages"][language]["per_intent"]}
    )
    rows = []
    for intent in intents:
        row = [intent]
        for language in languages:
            for model in (OURS, BASELINE):
                languages_of_model = report["models"].get(model, {}).get("languages", {})
                cell = languages_of_model.get(language, {}).get("per_intent", {}).get(intent)
                row.append(f"{cell['f1']:.3f} ({cell['support']})" if cell else "–")
        rows.append(row)
    return rows


def markdown(report: Mapping[str, Any]) -> str:
    """The whole report as Markdown."""
    run = report["run"]
    ours = report["models"][OURS]
    languages = [lang for lang in ours["languages"] if lang != "all"]
    lines = [
        "# NLU evaluation report",
        "",
        f"Generated {run['date']} on {run['machine']} by `{run['command']}`.",
        "",
        f"- ours: `{ours['model']}` (trained {ours['trained']}) from `{ours['config']}`",
        f"- baseline: `{report['models'][BASELINE]['model']}` from `{report['models'][BASELINE]['config']}` "
        "(Rasa's default pipeline, same training data)",
        f"- test split: `{run['test_split']}` ("
        + ", ".join(f"{lang}: {ours['languages'][lang]['examples']}" for lang in languages)
        + " examples; language = folder)",
    ]
    for warning in run.get("warnings", []):
        lines.append(f"- **warning:** {warning}")
    lines += ["", "## Summary", ""]
    lines += _markdown_table(["figure", OURS, BASELINE, "target"], summary_rows(report))
    lines += [
        "",
        "Macro-F1 averages per-intent F1 over the intents of that language's test split; "
        "`nlu_fallback` predictions count as misses. out_of_scope recall is strict "
        "(predicted `out_of_scope`); counting `nlu_fallback` as a refusal too gives "
        + ", ".join(
            f"{lang} {_f(_get(report, OURS, lang, 'out_of_scope_or_fallback_recall'))}" for lang in languages
        )
        + " (ours).",
        "",
        "## Entities",
        "",
        "Strict match: type, start and end must equal the annotation's (Rasa's `rasa test nlu` "
        "scores per token instead, with partial credit). Values are compared only where the "
        "annotation names one that differs from its text, e.g. `[English](language:en)`.",
        "",
    ]
    lines += _markdown_table(
        ["entity", "precision", "recall", "F1", "support", "values agreed"]
        + [f"F1 {lang}" for lang in languages]
        + ["baseline F1"],
        _entity_rows(report),
    )
    spacy = report.get("spacy_ablation")
    if spacy:
        lines += ["", "## What spaCy adds", "", f"Method: {spacy['method']}", ""]
        lines += _markdown_table(
            ["entity", "", "precision", "recall", "F1", "support"],
            [
                [entity, name, _f(row["precision"]), _f(row["recall"]), _f(row["f1"]), str(row["support"])]
                for entity, rows in spacy["entities"].items()
                for name, row in (("with spaCy gazetteer", rows["with"]), ("without", rows["without"]))
            ],
        )
    lines += ["", "## Ten worst confused intent pairs (ours)", ""]
    for language in languages + ["all"]:
        pairs = ours["languages"][language]["worst_confusions"]
        lines += [f"**{language}**", ""]
        if not pairs:
            lines += ["none", ""]
            continue
        lines += _markdown_table(
            ["gold", "predicted", "count"], [[p["gold"], p["predicted"], str(p["count"])] for p in pairs]
        )
        lines.append("")
    lines += ["## Per intent (F1, support in brackets)", ""]
    lines += _markdown_table(
        ["intent"] + [f"{lang} {model}" for lang in languages for model in (OURS, BASELINE)],
        _per_intent_rows(report, languages),
    )
    lines += ["", "## Confusion matrices", ""]
    for image in report.get("images", []):
        lines.append(f"![{image}]({image})")
    lines += ["", "## Misclassified test examples (ours)", ""]
    mistakes = ours.get("errors", [])
    if mistakes:
        lines += _markdown_table(
            ["lang", "text", "gold", "predicted", "confidence"],
            [[m["language"], m["text"], m["gold"], m["predicted"], f"{m['confidence']:.2f}"] for m in mistakes],
        )
    else:
        lines.append("none")
    lines += ["", "## Test examples with entity errors (ours)", ""]
    wrong = ours.get("entity_errors", [])
    if wrong:
        lines += _markdown_table(
            ["lang", "text", "annotated", "predicted"],
            [[w["language"], w["text"], w["gold"], w["predicted"] or "–"] for w in wrong],
        )
    else:
        lines.append("none")
    return "\n".join(lines) + "\n"


def write_report(report: Dict[str, Any], folder: Path) -> Dict[str, Path]:
    """Write report.md and report.json into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": folder / "report.md", "json": folder / "report.json"}
    paths["markdown"].write_text(markdown(report), encoding="utf-8")
    paths["json"].write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return paths
