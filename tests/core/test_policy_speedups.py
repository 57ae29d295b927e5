"""The RulePolicy's remembered rule matching answers exactly what Rasa computes."""

from __future__ import annotations

from typing import Any, Dict, List, Set

from core.policy_speedups import PossibleKeysCache, cached_possible_keys, freeze_states

LOOKUP = {"rule-a": "action_a", "rule-b": "action_b", "rule-c": "action_c"}
GREET = [{"user": {"intent": "greet"}, "prev_action": {"action_name": "action_listen"}}]
FEE = [{"user": {"intent": "ask_service_fee", "entities": ("service",)}, "slots": {"language": (1.0,)}}]


class CountingPolicy:
    """Stands in for RulePolicy: its matching keeps the rules whose name ends
    in a letter of the intent, and counts how often it really runs."""

    def __init__(self) -> None:
        self.runs = 0

    def _get_possible_keys(self, lookup: Dict[str, str], states: List[Dict[str, Any]]) -> Set[str]:
        self.runs += 1
        intent = states[-1]["user"]["intent"]
        return {key for key in lookup if key[-1] in intent}


def test_the_same_states_are_matched_once_and_answered_alike() -> None:
    policy = CountingPolicy()
    cached = cached_possible_keys(CountingPolicy._get_possible_keys)
    expected = CountingPolicy()._get_possible_keys(LOOKUP, GREET)
    assert cached(policy, LOOKUP, GREET) == expected
    assert cached(policy, LOOKUP, [dict(state) for state in GREET]) == expected
    assert policy.runs == 1
    assert cached(policy, LOOKUP, FEE) == CountingPolicy()._get_possible_keys(LOOKUP, FEE)
    assert policy.runs == 2


def test_a_caller_changing_its_answer_does_not_change_the_next() -> None:
    policy = CountingPolicy()
    cached = cached_possible_keys(CountingPolicy._get_possible_keys)
    first = cached(policy, LOOKUP, FEE)
    first.clear()
    assert cached(policy, LOOKUP, FEE) == CountingPolicy()._get_possible_keys(LOOKUP, FEE) != set()


def test_each_policy_and_rule_table_has_answers_of_its_own() -> None:
    cached = cached_possible_keys(CountingPolicy._get_possible_keys)
    one, other = CountingPolicy(), CountingPolicy()
    cached(one, LOOKUP, GREET)
    cached(other, LOOKUP, GREET)
    smaller = {"rule-e": "action_e"}
    assert cached(one, smaller, GREET) == {"rule-e"}
    assert (one.runs, other.runs) == (2, 1)


def test_states_that_cannot_be_hashed_are_matched_every_time() -> None:
    policy = CountingPolicy()
    cached = cached_possible_keys(CountingPolicy._get_possible_keys)
    odd = [{"user": {"intent": "greet", "entities": ["a list"]}}]
    assert freeze_states(odd) is None
    cached(policy, LOOKUP, odd)
    cached(policy, LOOKUP, odd)
    assert policy.runs == 2


def test_the_cache_forgets_the_least_recently_used_beyond_its_size() -> None:
    cache = PossibleKeysCache(size=2)
    runs: List[str] = []

    def answer(name: str) -> Set[str]:
        runs.append(name)
        return {name}

    states = {name: [{"user": {"intent": name}}] for name in ("a", "b", "c")}
    for name in ("a", "b", "a", "c", "a", "b"):
        assert cache.get_or_compute(LOOKUP, states[name], lambda name=name: answer(name)) == {name}
    assert runs == ["a", "b", "c", "b"]
