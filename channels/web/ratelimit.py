"""Per-client rate limiting with token buckets.

A bucket holds up to ``capacity`` tokens and refills continuously at
``capacity`` per ``period`` seconds; each message takes one token. Idle buckets
are forgotten so memory stays bounded however many clients come and go.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Dict, Hashable


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class Decision:
    """The outcome of one :meth:`RateLimiter.take`."""

    allowed: bool
    retry_after: int = 0


class RateLimiter:
    """Token buckets keyed by any hashable client key."""

    def __init__(
        self,
        capacity: int,
        period: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        if capacity < 1 or period <= 0:
            raise ValueError("a rate limit needs capacity >= 1 and a positive period")
        self.capacity = capacity
        self.rate = capacity / period
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: Dict[Hashable, _Bucket] = {}
        self._last_prune = clock()

    def _refilled(self, key: Hashable, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(float(self.capacity), now)
            self._buckets[key] = bucket
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        return bucket

    def peek(self, key: Hashable) -> Decision:
        """Whether ``key`` could take a token now, without taking it."""
        now = self._clock()
        bucket = self._refilled(key, now)
        if bucket.tokens >= 1:
            return Decision(True)
        return Decision(False, max(1, math.ceil((1 - bucket.tokens) / self.rate)))

    def take(self, key: Hashable) -> Decision:
        """Take one token for ``key``; when none is left, say how many whole
        seconds until one is (``retry_after``, at least 1)."""
        self._prune_if_due()
        decision = self.peek(key)
        if decision.allowed:
            self._buckets[key].tokens -= 1
        return decision

    def __len__(self) -> int:
        return len(self._buckets)

    def _prune_if_due(self) -> None:
        now = self._clock()
        full_after = self.capacity / self.rate
        if len(self._buckets) < self._max_keys and now - self._last_prune < full_after:
            return
        self._last_prune = now
        # A bucket idle long enough to be full again is the same as no bucket.
        self._buckets = {
            key: bucket for key, bucket in self._buckets.items() if now - bucket.updated < full_after
        }
        if len(self._buckets) >= self._max_keys:
            oldest_first = sorted(self._buckets.items(), key=lambda item: item[1].updated)
            self._buckets = dict(oldest_first[len(oldest_first) // 2 :])
