"""A conversation's featurised past states, computed once per event, not once
per prediction; the same states as Rasa's ``Domain.states_for_tracker_history``.

Installed by :func:`core.rasa_speedups.install_rasa_speedups`. The dialogue
policies featurise the whole conversation before every prediction: Rasa
replays every event on a fresh tracker (``generate_all_prior_trackers``) and
reads the state before each action, for the MemoizationPolicy and again for
the RulePolicy, after every action of the turn. Profiled with py-spy on one
Rasa worker under closed-loop load, that was 11% of its CPU per turn, and it
grows with the conversation.

Here the replay is kept on the tracker object: what each prior tracker showed
(:class:`PriorTurn`) and the replaying tracker itself. The next call replays
only the events that are new since, as long as the events applied before are
still applied, the same objects in the same order (a rewind, a restart or a
full event deque start again from the beginning). Each caller gets states of
its own: Rasa's featurisers change them in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

State = Dict[Text, Dict[Text, Any]]

#: Attribute of a tracker holding its replays (one per domain and slot option).
_REPLAYS_ATTRIBUTE = "_project_replays"


@dataclass(frozen=True)
class PriorTurn:
    """What ``states_for_tracker_history`` reads from one prior tracker."""

    hide_rule_turn: bool
    followup_action: Optional[Text]
    latest_action_name: Optional[Text]
    active_loop_name: Optional[Text]
    previous_action: Optional[Dict[Text, Any]]
    active_state: State


@dataclass
class Replay:
    """The prior turns of a tracker's applied events, and the tracker replaying them."""

    domain: Any
    applied: List[Any] = field(default_factory=list)
    turns: List[PriorTurn] = field(default_factory=list)
    replaying: Any = None


def _prior_turn(domain: Any, tracker: Any, hide_rule_turn: bool, omit_unset_slots: bool) -> PriorTurn:
    return PriorTurn(
        hide_rule_turn=hide_rule_turn,
        followup_action=tracker.followup_action,
        latest_action_name=tracker.latest_action_name,
        active_loop_name=tracker.active_loop_name,
        previous_action=domain._get_prev_action_sub_state(tracker),
        active_state=domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots),
    )


def _still_applied(replay: Replay, applied: List[Any]) -> bool:
    """Whether the events ``replay`` applied begin ``applied``, as the same objects."""
    if len(replay.applied) > len(applied):
        return False
    return all(old is new for old, new in zip(replay.applied, applied, strict=False))


def _replay(tracker: Any, domain: Any, omit_unset_slots: bool) -> Tuple[List[PriorTurn], PriorTurn]:
    """The prior turns before each action of ``tracker`` and the turn after its
    last event, replaying only events not replayed before."""
    from rasa.shared.core.events import ActionExecuted

    replays: Dict[Tuple[int, bool], Replay] = tracker.__dict__.setdefault(_REPLAYS_ATTRIBUTE, {})
    key = (id(domain), omit_unset_slots)
    applied = tracker.applied_events()
    replay = replays.get(key)
    if replay is None or replay.domain is not domain or not _still_applied(replay, applied):
        replay = Replay(domain=domain, replaying=tracker.init_copy())
        replays[key] = replay
    for event in applied[len(replay.applied):]:
        if isinstance(event, ActionExecuted):
            replay.turns.append(_prior_turn(domain, replay.replaying, event.hide_rule_turn, omit_unset_slots))
        replay.replaying.update(event)
    replay.applied = list(applied)
    return replay.turns, _prior_turn(domain, replay.replaying, False, omit_unset_slots)


def _own_copy(state: State) -> State:
    return {part: dict(features) if isinstance(features, dict) else features for part, features in state.items()}


def states_for_tracker_history(
    domain: Any,
    tracker: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: Optional[Dict[Text, Any]] = None,
) -> List[State]:
    """Rasa 3.6's ``Domain.states_for_tracker_history``, step for step, over the
    remembered prior turns instead of a fresh replay of every event."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    prior, last = _replay(tracker, domain, omit_unset_slots)
    states: List[State] = []
    last_ml_action_sub_state = None
    turn_was_hidden = False
    for turn in [*prior, last]:
        if ignore_rule_only_turns:
            # The previous ML action is that of the last turn not hidden.
            if not turn_was_hidden:
                last_ml_action_sub_state = turn.previous_action
            # A follow-up action or the loop's happy path keeps the turn's hiding as it was.
            if not turn.followup_action and turn.latest_action_name != turn.active_loop_name:
                turn_was_hidden = turn.hide_rule_turn
            if turn_was_hidden:
                continue
        state = _own_copy(turn.active_state)
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if states:
                domain._substitute_rule_only_user_input(state, states[-1])
            if last_ml_action_sub_state:
                state[PREVIOUS_ACTION] = dict(last_ml_action_sub_state)
        states.append(domain._clean_state(state))
    return states


def replayed_past_states(original: Callable[..., List[State]]) -> Callable[..., List[State]]:
    """``DialogueStateTracker.past_states`` through :func:`states_for_tracker_history`."""

    def past_states(
        self: Any,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Optional[Dict[Text, Any]] = None,
    ) -> List[State]:
        return states_for_tracker_history(domain, self, omit_unset_slots, ignore_rule_only_turns, rule_only_data)

    past_states.__doc__ = original.__doc__
    past_states.__wrapped__ = original  # type: ignore[attr-defined]
    return past_states


def install_tracker_states() -> None:
    """Patch ``DialogueStateTracker.past_states`` (the caller installs once)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    DialogueStateTracker.past_states = replayed_past_states(  # type: ignore[method-assign]
        DialogueStateTracker.past_states
    )
