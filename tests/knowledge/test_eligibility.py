"""The eligibility rule evaluator (three-valued, with reasons)."""

from __future__ import annotations

from knowledge.eligibility import Outcome, evaluate

AGE_65 = {
    "fact": "age",
    "op": ">=",
    "value": 65,
    "reason": {"ko": "만 65세 이상이시고", "en": "you are 65 or older"},
}
LOW_INCOME = {
    "fact": "income_band",
    "op": "in",
    "value": ["low"],
    "reason": {"ko": "저소득", "en": "low income"},
}
DISABLED = {"fact": "disability", "op": "==", "value": True, "reason": {"ko": "장애", "en": "disability"}}
NOT_FOREIGN = {
    "fact": "foreign_resident",
    "op": "!=",
    "value": True,
    "reason": {"ko": "국민", "en": "national"},
}


def test_all_conditions_met_is_matched_with_their_reasons() -> None:
    result = evaluate({"all": [AGE_65, LOW_INCOME]}, {"age": 70, "income_band": "low"})
    assert result.outcome is Outcome.MATCHED
    assert result.reasons("en") == ["you are 65 or older", "low income"]
    assert result.missing == []


def test_one_failed_condition_makes_all_not_matched_and_names_it() -> None:
    result = evaluate({"all": [AGE_65, LOW_INCOME]}, {"age": 40, "income_band": "low"})
    assert result.outcome is Outcome.NOT_MATCHED
    assert result.reasons("ko") == ["만 65세 이상이시고"]


def test_skipped_fact_is_unknown_and_listed_as_missing() -> None:
    result = evaluate({"all": [AGE_65, LOW_INCOME]}, {"age": 70, "income_band": None})
    assert result.outcome is Outcome.UNKNOWN
    assert result.missing == ["income_band"]


def test_failure_beats_unknown_in_all() -> None:
    result = evaluate({"all": [AGE_65, LOW_INCOME]}, {"age": 30})
    assert result.outcome is Outcome.NOT_MATCHED
    assert result.missing == ["income_band"]


def test_any_is_matched_by_one_condition_even_with_unknowns() -> None:
    result = evaluate({"any": [AGE_65, DISABLED]}, {"disability": True})
    assert result.outcome is Outcome.MATCHED
    assert result.missing == ["age"]


def test_any_with_failures_and_an_unknown_is_unknown() -> None:
    assert evaluate({"any": [AGE_65, DISABLED]}, {"age": 20}).outcome is Outcome.UNKNOWN
    assert (
        evaluate({"any": [AGE_65, DISABLED]}, {"age": 20, "disability": False}).outcome is Outcome.NOT_MATCHED
    )


def test_nested_trees_and_every_operator() -> None:
    rules = {
        "all": [
            NOT_FOREIGN,
            {"any": [AGE_65, {"all": [DISABLED, LOW_INCOME]}]},
            {"fact": "children_count", "op": "<", "value": 3, "reason": {"ko": "a", "en": "a"}},
            {"fact": "youngest_child_age_months", "op": "<=", "value": 24, "reason": {"ko": "b", "en": "b"}},
            {"fact": "age", "op": ">", "value": 17, "reason": {"ko": "c", "en": "c"}},
        ]
    }
    facts = {
        "foreign_resident": False,
        "age": 40,
        "disability": True,
        "income_band": "low",
        "children_count": 2,
        "youngest_child_age_months": 24,
    }
    assert evaluate(rules, facts).outcome is Outcome.MATCHED
    assert evaluate(rules, {**facts, "children_count": 3}).outcome is Outcome.NOT_MATCHED
    assert evaluate(rules, {**facts, "income_band": "high"}).outcome is Outcome.NOT_MATCHED
    assert evaluate(rules, {**facts, "disability": None}).outcome is Outcome.UNKNOWN


def test_no_rules_is_unknown_and_a_wrongly_typed_fact_counts_as_missing() -> None:
    assert evaluate(None, {"age": 70}).outcome is Outcome.UNKNOWN
    result = evaluate({"all": [AGE_65]}, {"age": "seventy"})
    assert result.outcome is Outcome.UNKNOWN
    assert result.missing == ["age"]


def test_rules_of_the_real_catalogue_evaluate(catalogue_engine) -> None:  # type: ignore[no-untyped-def]
    from core.db import session_scope
    from knowledge.models import Service

    with session_scope(catalogue_engine) as session:
        rules = session.get(Service, "unemployment_benefit").eligibility_rules
    assert evaluate(rules, {"employment": "unemployed"}).outcome is Outcome.MATCHED
    assert evaluate(rules, {"employment": "employed"}).outcome is Outcome.NOT_MATCHED
