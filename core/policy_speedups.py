"""A cache of the RulePolicy's rule matching, same answers as Rasa's.

Installed by :func:`core.rasa_speedups.install_rasa_speedups`.
``RulePolicy._get_possible_keys`` filters every learned rule against the
conversation's recent states, for every prediction (twice right after a user
message): profiled with py-spy on one Rasa worker under closed-loop load, it
was 13% of the worker's CPU per turn. Its answer depends only on the
policy's rule table, fixed once trained, and on the states, and
conversations pass through the same few hundred states again and again. Here
the answer is remembered per policy, rule table and states, in a bounded LRU.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Optional, Set, Text, Tuple

#: Remembered rule lookups per policy; beyond this the least recently used go.
POSSIBLE_KEYS_CACHE_SIZE = 20_000

State = Dict[Text, Dict[Text, Any]]
FrozenStates = Tuple[Tuple[Tuple[Text, Tuple[Tuple[Text, Any], ...]], ...], ...]


def freeze_states(states: List[State]) -> Optional[FrozenStates]:
    """A hashable form of ``states`` (two levels of dicts of hashable values),
    or None when a value cannot be hashed (the caller then does not cache)."""
    try:
        frozen = tuple(
            tuple(sorted((part, tuple(sorted(features.items()))) for part, features in state.items()))
            for state in states
        )
        hash(frozen)
    except TypeError:
        return None
    return frozen


class PossibleKeysCache:
    """A bounded LRU of ``_get_possible_keys`` answers of one policy, keyed by
    the rule table (by identity) and the frozen states; thread-safe."""

    def __init__(self, size: int = POSSIBLE_KEYS_CACHE_SIZE) -> None:
        self._size = size
        self._answers: "OrderedDict[Tuple[int, FrozenStates], Set[Text]]" = OrderedDict()
        self._tables: Dict[int, Dict[Text, Text]] = {}  # keeps each table alive while its id is a key
        self._lock = threading.Lock()

    def get_or_compute(
        self, lookup: Dict[Text, Text], states: List[State], compute: Callable[[], Set[Text]]
    ) -> Set[Text]:
        """The remembered answer for ``lookup`` and ``states``, or ``compute()``
        remembered; always a new set the caller may change."""
        frozen = freeze_states(states)
        if frozen is None:
            return compute()
        key = (id(lookup), frozen)
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
                return set(answer)
        answer = compute()
        with self._lock:
            self._tables[id(lookup)] = lookup
            self._answers[key] = frozenset(answer)  # type: ignore[assignment]
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return set(answer)


_possible_keys_caches: Dict[int, Tuple[Any, PossibleKeysCache]] = {}
_caches_lock = threading.Lock()


def _cache_of(policy: Any) -> PossibleKeysCache:
    with _caches_lock:
        entry = _possible_keys_caches.get(id(policy))
        if entry is None or entry[0] is not policy:
            entry = (policy, PossibleKeysCache())
            _possible_keys_caches[id(policy)] = entry
        return entry[1]


def cached_possible_keys(original: Callable[..., Set[Text]]) -> Callable[..., Set[Text]]:
    """``RulePolicy._get_possible_keys`` answered from the policy's cache."""

    def _get_possible_keys(self: Any, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
        return _cache_of(self).get_or_compute(lookup, states, lambda: original(self, lookup, states))

    _get_possible_keys.__doc__ = original.__doc__
    _get_possible_keys.__wrapped__ = original  # type: ignore[attr-defined]
    return _get_possible_keys


def install_policy_speedups() -> None:
    """Patch RulePolicy with the cache above (the caller installs once)."""
    from rasa.core.policies.rule_policy import RulePolicy

    RulePolicy._get_possible_keys = cached_possible_keys(RulePolicy._get_possible_keys)  # type: ignore[method-assign]
