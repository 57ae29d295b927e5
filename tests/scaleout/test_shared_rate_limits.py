"""The gateway's rate limits shared through Redis: replicas count the same
requests, races cannot take more than the capacity, and no client address is
stored in Redis."""

from __future__ import annotations

import asyncio
import dataclasses
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import redis as redis_client

from channels.web.app import create_app
from channels.web.options import GatewayOptions
from channels.web.ratelimit import Limit, RateLimiter, redis_buckets
from tests.channels.web.webfakes import FakeRasa, gateway_settings, serve
from tests.support.stack import free_port

COOKIE = GatewayOptions().cookie_name


async def test_parallel_takes_from_two_processes_never_exceed_the_capacity(redis_url: str) -> None:
    one, other = redis_buckets(redis_url), redis_buckets(redis_url)  # as two replicas would
    try:
        limiters = [RateLimiter("messages", Limit(20), store) for store in (one, other)]
        decisions = await asyncio.gather(*(limiters[n % 2].take(("conv", "10.0.0.1")) for n in range(60)))
        assert sum(decision.allowed for decision in decisions) == 20
        refused = [decision for decision in decisions if not decision.allowed]
        assert all(decision.retry_after >= 1 for decision in refused)
        assert (await limiters[1].take(("conv", "10.0.0.2"))).allowed  # another client is served
    finally:
        await one.close()
        await other.close()


async def test_two_gateways_share_one_allowance_per_conversation(redis_url: str, tmp_path: Path) -> None:
    fake = FakeRasa()
    async with AsyncExitStack() as stack:
        fake.url = await stack.enter_async_context(serve(fake.app()))
        fake.port = int(fake.url.rsplit(":", 1)[1])
        settings = dataclasses.replace(gateway_settings(fake.port, fake.token, tmp_path), redis_url=redis_url)
        options = GatewayOptions.from_settings(settings, messages_per_minute=5)
        gateways = [await stack.enter_async_context(serve(create_app(settings, options))) for _ in range(2)]
        session = await stack.enter_async_context(aiohttp.ClientSession())
        statuses = []
        for n in range(10):
            async with session.post(
                f"{gateways[n % 2]}/api/messages",
                json={"message": f"질문 {n}"},
                headers={"Cookie": f"{COOKIE}={'A' * 22}"},
            ) as response:
                statuses.append(response.status)
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429] * 5  # not 10 x 200, as two in-memory limits would allow
    assert len(fake.requests) == 5

    keys = [key.decode() for key in redis_client.Redis.from_url(redis_url).keys("ratelimit:*")]
    assert keys and not any("127.0.0.1" in key or "A" * 22 in key for key in keys)


async def test_without_redis_the_limit_still_holds_in_memory() -> None:
    store = redis_buckets(f"redis://127.0.0.1:{free_port()}/1")  # nothing listens there
    try:
        limiter = RateLimiter("messages", Limit(2), store)
        decisions = [await limiter.take("client") for _ in range(3)]
    finally:
        await store.close()
    assert [decision.allowed for decision in decisions] == [True, True, False]
