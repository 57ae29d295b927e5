"""The evaluation's metric code on small hand-made inputs (no model)."""

from __future__ import annotations

import pytest

from nlu.evaluation.examples import Entity
from nlu.evaluation.metrics import (
    Scores,
    confused_pairs,
    confusion_matrix,
    entity_result,
    intent_result,
    label_recall,
    split_by_language,
)


def test_scores_follow_the_textbook_definitions() -> None:
    scores = Scores(true_positives=3, false_positives=1, false_negatives=2)
    assert scores.precision == pytest.approx(0.75)
    assert scores.recall == pytest.approx(0.6)
    assert scores.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert scores.support == 5
    assert Scores(0, 0, 0).f1 == 0.0


def test_macro_f1_is_the_unweighted_mean_over_gold_intents() -> None:
    gold = ["greet", "greet", "greet", "greet", "thank"]
    predicted = ["greet", "greet", "greet", "greet", "greet"]
    result = intent_result(gold, predicted)
    # greet: P 4/5, R 1 -> F1 8/9; thank: F1 0. A rare intent weighs as much as a frequent one.
    assert result.macro_f1 == pytest.approx((8 / 9 + 0) / 2)
    assert result.accuracy == pytest.approx(0.8)
    assert set(result.per_intent) == {"greet", "thank"}


def test_a_fallback_prediction_is_a_miss_but_not_an_extra_class() -> None:
    result = intent_result(["greet", "thank"], ["greet", "nlu_fallback"])
    assert "nlu_fallback" not in result.per_intent
    assert result.per_intent["thank"].recall == 0.0
    assert result.per_intent["greet"].f1 == 1.0
    assert result.macro_f1 == pytest.approx(0.5)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        intent_result(["greet"], [])


def test_labels_are_split_by_language_in_order() -> None:
    grouped = split_by_language(["ko", "en", "ko"], ["a", "b", "c"], ["a", "x", "y"])
    assert grouped == {"ko": (["a", "c"], ["a", "y"]), "en": (["b"], ["x"])}


def test_per_language_macro_f1_differs_from_the_pooled_one() -> None:
    languages = ["ko", "ko", "en", "en"]
    gold = ["greet", "thank", "greet", "thank"]
    predicted = ["greet", "thank", "greet", "greet"]
    grouped = split_by_language(languages, gold, predicted)
    assert intent_result(*grouped["ko"]).macro_f1 == 1.0
    assert intent_result(*grouped["en"]).macro_f1 == pytest.approx((2 / 3 + 0) / 2)


def test_out_of_scope_recall_strict_and_with_fallback() -> None:
    gold = ["out_of_scope"] * 4 + ["greet"]
    predicted = ["out_of_scope", "out_of_scope", "nlu_fallback", "greet", "out_of_scope"]
    assert label_recall(gold, predicted, "out_of_scope", {"out_of_scope"}) == pytest.approx(0.5)
    assert label_recall(gold, predicted, "out_of_scope", {"out_of_scope", "nlu_fallback"}) == pytest.approx(0.75)
    assert label_recall(["greet"], ["greet"], "out_of_scope", {"out_of_scope"}) == 0.0


def test_confused_pairs_rank_by_count_then_name_and_skip_correct_ones() -> None:
    gold = ["fee", "fee", "fee", "where", "where", "greet", "help"]
    predicted = ["documents", "documents", "fee", "how_to_apply", "overview", "greet", "greet"]
    pairs = confused_pairs(gold, predicted, top=3)
    assert pairs == [("fee", "documents", 2), ("help", "greet", 1), ("where", "how_to_apply", 1)]
    assert all(g != p for g, p, _ in confused_pairs(gold, predicted))


def test_confusion_matrix_counts_gold_rows_and_predicted_columns() -> None:
    labels, matrix = confusion_matrix(["a", "a", "b"], ["a", "c", "b"])
    assert labels == ["a", "b", "c"]
    assert matrix == [[1, 0, 1], [0, 1, 0], [0, 0, 0]]


def test_entities_match_only_on_type_and_exact_span() -> None:
    text = "여권 재발급 수수료"
    gold = [Entity("service", 0, 6, "여권 재발급")]
    exact = [Entity("service", 0, 6, "여권 재발급")]
    shorter = [Entity("service", 0, 2, "여권")]
    wrong_type = [Entity("life_event", 0, 6, "여권 재발급")]
    assert entity_result([text], [gold], [exact]).tally("service").scores().f1 == 1.0
    partial = entity_result([text], [gold], [shorter]).tally("service")
    assert (partial.true_positives, partial.false_positives, partial.false_negatives) == (0, 1, 1)
    other = entity_result([text], [gold], [wrong_type])
    assert other.tally("service").false_negatives == 1
    assert other.tally("life_event").false_positives == 1


def test_one_gold_entity_matches_at_most_one_prediction() -> None:
    text = "서울 여권"
    gold = [Entity("region", 0, 2, "서울특별시")]
    predicted = [Entity("region", 0, 2, "서울특별시"), Entity("region", 0, 2, "서울특별시")]
    tally = entity_result([text], [gold], [predicted]).tally("region")
    assert (tally.true_positives, tally.false_positives) == (1, 1)


def test_values_are_checked_only_where_the_annotation_names_one() -> None:
    text = "switch to English and check 2026 001 2345"
    gold = [Entity("language", 10, 17, "en"), Entity("application_number", 28, 41, "2026 001 2345")]
    predicted = [Entity("language", 10, 17, "ko"), Entity("application_number", 28, 41, "2026-0012345")]
    result = entity_result([text], [gold], [predicted])
    language = result.tally("language")
    number = result.tally("application_number")
    assert (language.true_positives, language.values_checked, language.values_agreed) == (1, 1, 0)
    # The raw text annotation names no value: the normalised one is not penalised.
    assert (number.true_positives, number.values_checked) == (1, 0)
