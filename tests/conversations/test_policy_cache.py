"""The trained model's RulePolicy, with its rule matching remembered
(core.policy_speedups), predicts exactly what Rasa's own matching predicts,
and past states replayed per event (core.tracker_states) are Rasa's: every
lookup of real conversations (forms, a change of mind, a question in
the middle of a form, both languages) is answered both ways and compared."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Set, Tuple

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.trackers import DialogueStateTracker

from core.policy_speedups import cached_possible_keys
from core.tracker_states import states_for_tracker_history
from tests.support.conversation import say

pytestmark = pytest.mark.stack

CONVERSATIONS = [
    ["안녕하세요", "전입신고 하려고요", "인터넷으로 돼요?", "아니 전입신고 말고 여권 재발급이요", "기한은요?", "감사합니다"],
    ["민원 넣고 싶어요", "불법주차요", "취소", "여권 수수료 얼마예요?"],
    ["hello", "what benefits can I get?", "45", "how much is a passport renewal?", "bye"],
    ["check my application", "never mind", "I lost my alien registration card", "where do I go?"],
]


async def test_remembered_rule_matching_answers_as_rasa_does(rasa_agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    current = RulePolicy._get_possible_keys
    rasas_own = getattr(current, "__wrapped__", current)
    remembered = cached_possible_keys(rasas_own)
    lookups: List[Tuple[Set[str], Set[str]]] = []

    def both(self: Any, lookup: Dict[str, str], states: List[Dict[str, Any]]) -> Set[str]:
        expected = rasas_own(self, lookup, states)
        lookups.append((remembered(self, lookup, states), expected))
        return expected

    monkeypatch.setattr(RulePolicy, "_get_possible_keys", both)
    for _round in range(2):  # the second round is answered from what the first remembered
        for conversation in CONVERSATIONS:
            sender = f"test-{uuid.uuid4().hex[:12]}"
            for text in conversation:
                await say(rasa_agent, sender, text)
    assert len(lookups) > 50
    assert [pair for pair in lookups if pair[0] != pair[1]] == []
    assert any(expected for _answer, expected in lookups), "some rule must have matched"


async def test_past_states_replayed_per_event_are_rasas_states(rasa_agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    current = DialogueStateTracker.past_states
    rasas_own = getattr(current, "__wrapped__", current)
    calls: List[Tuple[bool, int]] = []

    def both(self: Any, domain: Any, omit_unset_slots: bool = False, ignore_rule_only_turns: bool = False,
             rule_only_data: Any = None) -> List[Any]:
        expected = rasas_own(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        for omit, ignore in ((omit_unset_slots, ignore_rule_only_turns), (not omit_unset_slots, True), (False, False)):
            replayed = states_for_tracker_history(domain, self, omit, ignore, rule_only_data)
            wanted = rasas_own(self, domain, omit, ignore, rule_only_data)
            calls.append((replayed == wanted, len(wanted)))
            for state in replayed:  # as Rasa's featurisers do to theirs: what is remembered must not change
                for part in state.values():
                    part.clear()
        return expected

    monkeypatch.setattr(DialogueStateTracker, "past_states", both)
    for conversation in CONVERSATIONS:
        sender = f"test-{uuid.uuid4().hex[:12]}"
        for text in conversation:
            await say(rasa_agent, sender, text)
    assert len(calls) > 100
    assert max(length for _same, length in calls) > 10, "long conversations must be compared"
    assert all(same for same, _length in calls)
