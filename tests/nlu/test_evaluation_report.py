"""Per-language figures, fold assignment, fingerprints and report writing (no model)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import List

import pytest

from nlu.evaluation.crossval import assign_folds, crossval_table, mean_and_std, summarise
from nlu.evaluation.examples import Entity, GoldExample, language_of
from nlu.evaluation.figures import entity_errors, errors, figures_by_language
from nlu.evaluation.predict import Prediction
from nlu.evaluation.report import console_table, markdown, write_report
from nlu.evaluation.training import fingerprint


def _example(text: str, intent: str, language: str, *entities: Entity) -> GoldExample:
    return GoldExample(text, intent, tuple(entities), language, f"{language}/x.yml")


def _prediction(intent: str, *entities: Entity) -> Prediction:
    return Prediction(intent, 0.9, tuple(entities))


@pytest.fixture()
def sample() -> tuple[List[GoldExample], List[Prediction]]:
    passport = Entity("service", 0, 2, "여권")
    examples = [
        _example("여권 수수료", "ask_service_fee", "ko", passport),
        _example("안녕하세요", "greet", "ko"),
        _example("주식 추천", "out_of_scope", "ko"),
        _example("hello", "greet", "en"),
        _example("stock tips", "out_of_scope", "en"),
    ]
    predictions = [
        _prediction("ask_service_fee", passport),
        _prediction("greet"),
        _prediction("nlu_fallback"),
        _prediction("greet"),
        _prediction("out_of_scope"),
    ]
    return examples, predictions


def test_language_is_the_folder_under_the_split(tmp_path: Path) -> None:
    assert language_of(tmp_path / "ko" / "services.yml", tmp_path) == "ko"
    assert language_of(tmp_path / "en" / "deep" / "x.yml", tmp_path) == "en"
    assert language_of(tmp_path / "fr" / "x.yml", tmp_path) is None
    assert language_of(tmp_path / "ko.yml", tmp_path) is None


def test_figures_are_split_by_language(sample) -> None:
    examples, predictions = sample
    figures = figures_by_language(examples, predictions)
    assert set(figures) == {"ko", "en", "all"}
    assert figures["en"]["intent_macro_f1"] == 1.0
    assert figures["ko"]["intent_accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert figures["ko"]["out_of_scope_recall"] == 0.0
    assert figures["ko"]["out_of_scope_or_fallback_recall"] == 1.0
    assert figures["ko"]["worst_confusions"] == [{"gold": "out_of_scope", "predicted": "nlu_fallback", "count": 1}]
    assert figures["all"]["examples"] == 5
    assert figures["ko"]["entities"]["service"]["f1"] == 1.0
    # Contract entities are listed even when the split has none of them.
    assert figures["en"]["entities"]["region"]["support"] == 0


def test_errors_list_only_misclassified_examples(sample) -> None:
    examples, predictions = sample
    assert [(e["text"], e["predicted"]) for e in errors(examples, predictions)] == [("주식 추천", "nlu_fallback")]


def test_folds_are_stratified_by_language_and_intent() -> None:
    keys = [("ko", "greet")] * 10 + [("en", "greet")] * 7 + [("ko", "thank")] * 3
    folds = assign_folds(keys, 5)
    for group in set(keys):
        sizes = Counter(f for f, k in zip(folds, keys, strict=True) if k == group)
        assert max(sizes.values()) - min(sizes.values(), default=0) <= 1
    assert Counter(f for f, k in zip(folds, keys, strict=True) if k == ("ko", "greet")) == {i: 2 for i in range(5)}
    assert assign_folds(keys, 5) == folds, "the same seed gives the same folds"
    with pytest.raises(ValueError):
        assign_folds(keys, 1)


def test_mean_and_sample_std() -> None:
    assert mean_and_std([0.9, 1.0]) == {"mean": 0.95, "std": pytest.approx(0.0707, abs=1e-4)}
    assert mean_and_std([0.8]) == {"mean": 0.8, "std": 0.0}


def test_fingerprint_changes_with_content_only(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.yml").write_text("a")
    config = tmp_path / "config.yml"
    config.write_text("x")
    first = fingerprint([config, tmp_path / "data"])
    assert fingerprint([config, tmp_path / "data"]) == first
    (tmp_path / "data" / "a.yml").write_text("b")
    assert fingerprint([config, tmp_path / "data"]) != first


def test_report_is_written_with_both_models_and_languages(sample, tmp_path: Path) -> None:
    examples, predictions = sample
    worse = [_prediction("greet") for _ in examples]
    model = {"model": "m.tar.gz", "config": "c.yml", "trained": "today", "errors": errors(examples, predictions)}
    report = {
        "run": {"date": "today", "machine": "test", "command": "eval", "test_split": "nlu/test", "warnings": []},
        "models": {
            "ours": {**model, "languages": figures_by_language(examples, predictions)},
            "baseline": {**model, "languages": figures_by_language(examples, worse)},
        },
        "images": ["confusion_ours_ko.png"],
    }
    table = console_table(report)
    assert "ko intent macro-F1" in table and "en intent macro-F1" in table
    ko_line = next(line for line in table.splitlines() if line.startswith("ko intent macro-F1"))
    assert ko_line.split()[3:5] == [f"{report['models']['ours']['languages']['ko']['intent_macro_f1']:.3f}",
                                    f"{report['models']['baseline']['languages']['ko']['intent_macro_f1']:.3f}"]
    text = markdown(report)
    assert "| service |" in text and "confusion_ours_ko.png" in text and "주식 추천" in text
    paths = write_report(report, tmp_path / "reports")
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["models"]["ours"]["languages"]["en"]["examples"] == 2
    assert paths["markdown"].read_text(encoding="utf-8") == text


def test_entity_errors_list_examples_whose_spans_differ() -> None:
    gold = _example("여권 재발급 수수료", "ask_service_fee", "ko", Entity("service", 0, 6, "여권 재발급"))
    right = _prediction("ask_service_fee", Entity("service", 0, 6, "여권 재발급"))
    short = _prediction("ask_service_fee", Entity("service", 0, 2, "여권"))
    assert entity_errors([gold], [right]) == []
    [wrong] = entity_errors([gold], [short])
    assert wrong["gold"] == "service:'여권 재발급'" and wrong["predicted"] == "service:'여권'"


def test_crossval_summary_gives_mean_and_std_per_language_ko_first() -> None:
    folds = [
        {"fold": 0, "seconds": 1, "en": {"intent_macro_f1": 0.8, "intent_accuracy": 0.9, "examples": 5},
         "ko": {"intent_macro_f1": 0.9, "intent_accuracy": 0.9, "examples": 5},
         "all": {"intent_macro_f1": 0.85, "intent_accuracy": 0.9, "examples": 10}},
        {"fold": 1, "seconds": 1, "en": {"intent_macro_f1": 1.0, "intent_accuracy": 1.0, "examples": 5},
         "ko": {"intent_macro_f1": 0.9, "intent_accuracy": 0.8, "examples": 5},
         "all": {"intent_macro_f1": 0.95, "intent_accuracy": 0.9, "examples": 10}},
    ]
    result = summarise(folds, 2, "config.yml")
    assert list(result["summary"]) == ["ko", "en", "all"]
    assert result["summary"]["en"]["intent_macro_f1"] == {"mean": 0.9, "std": pytest.approx(0.1414, abs=1e-4)}
    assert result["summary"]["ko"]["intent_macro_f1"] == {"mean": 0.9, "std": 0.0}
    assert crossval_table(result).splitlines()[1].startswith("ko")


def test_the_spacy_ablation_is_in_the_table_and_the_report(sample) -> None:
    examples, predictions = sample
    model = {"model": "m.tar.gz", "config": "c.yml", "trained": "today", "errors": errors(examples, predictions)}
    scores = {"precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 2}
    report = {
        "run": {"date": "today", "machine": "test", "command": "eval", "test_split": "nlu/test", "warnings": []},
        "models": {name: {**model, "languages": figures_by_language(examples, predictions)} for name in ("ours", "baseline")},
        "spacy_ablation": {
            "method": "graph stopped before the gazetteer",
            "entities": {"region": {"with": scores, "without": {**scores, "f1": 0.1}}},
        },
        "images": [],
    }
    assert "region F1 without the spaCy gazetteer  0.100" in console_table(report)
    text = markdown(report)
    assert "## What spaCy adds" in text and "| region | without | 1.000 | 0.500 | 0.100 | 2 |" in text


def test_calibration_bands_count_predictions_and_the_share_right() -> None:
    from nlu.evaluation.crossval import calibration, crossval_table

    rows = calibration([(0.1, False), (0.2, True), (0.5, True), (0.6, True), (1.0, False)], bands=(0.0, 0.5))
    assert rows == [
        {"from": 0.0, "to": 0.5, "predictions": 2, "accuracy": 0.5},
        {"from": 0.5, "to": 1.0, "predictions": 3, "accuracy": 0.6667},
    ]
    table = crossval_table({"summary": {}, "calibration": rows})
    assert "0.50–1.00" in table and "67%" in table


def test_crossval_pools_per_intent_f1_and_confused_pairs_per_language() -> None:
    from nlu.evaluation.crossval import pooled_intents

    languages = ["en", "ko", "ko", "ko", "ko", "ko", "en", "en"]
    gold = ["thank", "thank", "thank", "feedback", "feedback", "deny", "thank", "deny"]
    predicted = ["thank", "feedback", "thank", "feedback", "thank", "feedback", "thank", "nlu_fallback"]
    pooled = pooled_intents(languages, gold, predicted)
    assert list(pooled) == ["ko", "en"]
    ko = pooled["ko"]
    assert ko["examples"] == 5 and ko["intent_accuracy"] == 0.4
    # thank: 1 right, 1 lost to feedback, 1 feedback line taken for thank -> P 0.5, R 0.5.
    assert ko["per_intent"]["thank"]["f1"] == 0.5 and ko["per_intent"]["thank"]["support"] == 2
    # feedback: 1 right of 3 predicted (P 1/3) and of 2 gold (R 0.5) -> F1 0.4; deny: never right.
    assert ko["per_intent"]["feedback"]["f1"] == 0.4 and ko["per_intent"]["deny"]["f1"] == 0.0
    assert ko["intent_macro_f1"] == pytest.approx((0.5 + 0.4 + 0.0) / 3, abs=1e-4)
    assert ko["confused_pairs"] == [
        {"gold": "deny", "predicted": "feedback", "count": 1},
        {"gold": "feedback", "predicted": "thank", "count": 1},
        {"gold": "thank", "predicted": "feedback", "count": 1},
    ]
    assert pooled["en"]["confused_pairs"] == [{"gold": "deny", "predicted": "nlu_fallback", "count": 1}]
    assert set(pooled["en"]["per_intent"]) == {"thank", "deny"}


def test_crossval_table_and_reports_show_pooled_intents_weakest_first(tmp_path: Path) -> None:
    from nlu.evaluation.crossval import pooled_intents, write_crossval

    pooled = pooled_intents(
        ["ko"] * 5, ["thank", "thank", "feedback", "feedback", "greet"],
        ["thank", "feedback", "feedback", "feedback", "greet"],
    )
    result = {
        "run": {"date": "today", "machine": "test", "command": "crossval", "config": "config.yml", "seed": 42},
        "summary": {"ko": {"intent_macro_f1": {"mean": 0.9, "std": 0.0}, "intent_accuracy": {"mean": 0.8, "std": 0.0}}},
        "pooled": pooled,
        "calibration": [],
    }
    lines = crossval_table(result).splitlines()
    rows = [line.split()[0] for line in lines if line.split() and line.split()[0] in {"thank", "feedback", "greet"}]
    assert rows == ["thank", "feedback", "greet"]  # F1 0.667, 0.8, 1.0
    assert any(line.split()[:2] == ["thank", "1.000"] and line.split()[3:] == ["0.667", "2"] for line in lines)
    assert "   1  thank → feedback" in lines
    write_crossval(result, tmp_path)
    saved = json.loads((tmp_path / "crossval.json").read_text(encoding="utf-8"))
    assert saved["pooled"]["ko"]["confused_pairs"] == [{"gold": "thank", "predicted": "feedback", "count": 1}]
    assert saved["pooled"]["ko"]["per_intent"]["feedback"]["precision"] == pytest.approx(0.6667, abs=1e-4)
    assert "   1  thank → feedback" in (tmp_path / "crossval.md").read_text(encoding="utf-8")
