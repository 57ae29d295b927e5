"""Per-client rate limiting with token buckets, in process or shared through Redis.

A bucket holds up to ``capacity`` tokens and refills continuously at
``capacity`` per ``period`` seconds; each request takes one token.

Two places keep the buckets:

* :class:`MemoryBuckets`, one process's memory: right for ``make run``, where a
  single gateway serves every citizen. Idle buckets are forgotten so memory
  stays bounded however many clients come and go.
* :class:`RedisBuckets`, when ``REDIS_URL`` is set (``make cluster``, the
  Kubernetes manifests): every gateway replica takes from the same bucket, so
  adding replicas does not multiply anybody's allowance. One Lua script reads,
  refills and takes atomically on Redis's own clock. Keys are hashed: no client
  address is stored in Redis. If Redis cannot be reached, the limiter falls
  back to this process's memory (logged once per outage) rather than refusing
  every citizen or letting everyone through.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from typing import Callable, Dict, Hashable, Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    """The outcome of one :meth:`RateLimiter.take` or :meth:`RateLimiter.peek`."""

    allowed: bool
    retry_after: int = 0


@dataclass(frozen=True)
class Limit:
    """``capacity`` requests per ``period`` seconds, refilled continuously."""

    capacity: int
    period: float = 60.0

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.period <= 0:
            raise ValueError("a rate limit needs capacity >= 1 and a positive period")

    @property
    def rate(self) -> float:
        """Tokens added per second."""
        return self.capacity / self.period

    def wait_for_one(self, tokens: float) -> int:
        """Whole seconds until a bucket holding ``tokens`` has one (at least 1)."""
        return max(1, math.ceil((1 - tokens) / self.rate))


class BucketStore(Protocol):
    """Where a limiter's buckets live."""

    async def consume(self, name: str, key: Hashable, limit: Limit, cost: int) -> Decision:
        """Refill the bucket ``(name, key)``; when it holds a token, take ``cost``
        (0 only looks) and allow, else refuse with the wait."""


@dataclass
class _Bucket:
    tokens: float
    updated: float


class MemoryBuckets:
    """Buckets in this process's memory, pruned when idle or too many."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: Dict[tuple, _Bucket] = {}
        self._last_prune = clock()
        self._longest_refill = 0.0

    async def consume(self, name: str, key: Hashable, limit: Limit, cost: int) -> Decision:
        """See :class:`BucketStore`; never waits."""
        return self.consume_now(name, key, limit, cost)

    def consume_now(self, name: str, key: Hashable, limit: Limit, cost: int) -> Decision:
        """The synchronous body of :meth:`consume`."""
        now = self._clock()
        self._longest_refill = max(self._longest_refill, limit.period)
        if cost:
            self._prune_if_due(now)
        bucket = self._buckets.get((name, key))
        if bucket is None:
            bucket = _Bucket(float(limit.capacity), now)
            self._buckets[(name, key)] = bucket
        else:
            bucket.tokens = min(limit.capacity, bucket.tokens + (now - bucket.updated) * limit.rate)
            bucket.updated = now
        if bucket.tokens < 1:
            return Decision(False, limit.wait_for_one(bucket.tokens))
        bucket.tokens -= cost
        return Decision(True)

    def __len__(self) -> int:
        return len(self._buckets)

    def _prune_if_due(self, now: float) -> None:
        if len(self._buckets) < self._max_keys and now - self._last_prune < self._longest_refill:
            return
        self._last_prune = now
        # A bucket idle long enough to be full again is the same as no bucket.
        self._buckets = {
            key: bucket for key, bucket in self._buckets.items() if now - bucket.updated < self._longest_refill
        }
        if len(self._buckets) >= self._max_keys:
            oldest_first = sorted(self._buckets.items(), key=lambda item: item[1].updated)
            self._buckets = dict(oldest_first[len(oldest_first) // 2 :])


# KEYS[1] bucket; ARGV capacity, tokens per second, cost, expiry in ms.
# Returns {allowed (0|1), seconds to wait}.
_BUCKET_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
end
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
if tokens < 1 then
  return {0, math.max(1, math.ceil((1 - tokens) / rate))}
end
if cost > 0 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - cost), 'updated', tostring(now))
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return {1, 0}
"""


def bucket_key(name: str, key: Hashable) -> str:
    """The Redis key of a bucket: the limiter's name and a hash of the client key."""
    digest = hashlib.blake2b(repr(key).encode("utf-8"), digest_size=16).hexdigest()
    return f"ratelimit:{name}:{digest}"


class RedisBuckets:
    """Buckets shared by every process that uses the same Redis database."""

    def __init__(self, client: "RedisClient", *, fallback: MemoryBuckets | None = None) -> None:
        self._client = client
        self._script = client.register_script(_BUCKET_SCRIPT)
        self._fallback = fallback or MemoryBuckets()
        self._failing = False

    async def consume(self, name: str, key: Hashable, limit: Limit, cost: int) -> Decision:
        """See :class:`BucketStore`; atomic across processes."""
        expire_ms = max(1000, int(limit.period * 1000))
        try:
            allowed, wait = await self._script(
                keys=[bucket_key(name, key)], args=[limit.capacity, repr(limit.rate), cost, expire_ms]
            )
        except Exception as error:  # noqa: BLE001 - any Redis failure: keep serving, limited locally
            if not self._failing:
                logger.warning("rate limits fall back to this process's memory: Redis failed (%s)", error)
                self._failing = True
            return self._fallback.consume_now(name, key, limit, cost)
        if self._failing:
            logger.warning("rate limits are shared through Redis again")
            self._failing = False
        return Decision(bool(allowed), int(wait))

    async def close(self) -> None:
        """Close the Redis connections."""
        await self._client.close()


class RedisClient(Protocol):
    """The part of ``redis.asyncio.Redis`` this module uses."""

    def register_script(self, script: str) -> Callable: ...

    async def close(self) -> None: ...


def redis_buckets(url: str) -> RedisBuckets:
    """Shared buckets in the Redis server at ``url`` (``redis://host:port/db``)."""
    import redis.asyncio as redis_asyncio  # only where Redis is configured

    client = redis_asyncio.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return RedisBuckets(client)


class RateLimiter:
    """One named limit applied per client key, its buckets in ``store``."""

    def __init__(self, name: str, limit: Limit, store: BucketStore) -> None:
        self.name = name
        self.limit = limit
        self._store = store

    async def peek(self, key: Hashable) -> Decision:
        """Whether ``key`` could take a token now, without taking it."""
        return await self._store.consume(self.name, key, self.limit, 0)

    async def take(self, key: Hashable) -> Decision:
        """Take one token for ``key``; when none is left, say how many whole
        seconds until one is (``retry_after``, at least 1)."""
        return await self._store.consume(self.name, key, self.limit, 1)
