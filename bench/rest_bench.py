"""Throughput and latency of the running assistant through the REST channel.

    make bench                      # starts its own stack on free ports
    python -m bench.rest_bench --rasa-url http://127.0.0.1:5005 --token $RASA_TOKEN

Drives 1, 10 and 50 concurrent conversations, each playing the same bilingual
script, and prints turns per second, p50/p95 latency and errors per level,
beside the NLU parse rate of the same model through ``/model/parse`` (one
client, sequential): a turn includes a parse, so a turn cannot be faster.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import aiohttp

SCRIPT = (
    "안녕하세요",
    "뭐 할 수 있어요?",
    "여권 재발급 수수료 얼마예요?",
    "hello",
    "what documents do I need to renew my passport?",
    "감사합니다",
)
LEVELS = ((1, 4), (10, 20), (50, 50))  # (concurrent conversations, conversations in all)


@dataclass
class LevelResult:
    """Figures for one concurrency level."""

    concurrency: int
    latencies: List[float] = field(default_factory=list)
    error_kinds: Dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(self.error_kinds.values())

    def fail(self, kind: str) -> None:
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    @property
    def turns(self) -> int:
        return len(self.latencies) + self.errors

    def row(self) -> str:
        ordered = sorted(self.latencies) or [float("nan")]
        p50 = statistics.median(ordered)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        return (
            f"{self.concurrency:>11} {self.turns:>6} {self.turns / self.seconds:>10.1f} "
            f"{p50 * 1000:>9.0f} {p95 * 1000:>9.0f} {self.errors:>7}"
            + (f"  ({', '.join(f'{k}: {v}' for k, v in sorted(self.error_kinds.items()))})" if self.errors else "")
        )


async def _conversation(session: aiohttp.ClientSession, url: str, result: LevelResult) -> None:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    for text in SCRIPT:
        started = time.perf_counter()
        try:
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                body = await response.json(content_type=None)
                if response.status != 200:
                    result.fail(f"HTTP {response.status}")
                    continue
                if not body:
                    result.fail("empty reply")
                    continue
        except asyncio.TimeoutError:
            result.fail("timeout")
            continue
        except aiohttp.ClientError as error:
            result.fail(type(error).__name__)
            continue
        result.latencies.append(time.perf_counter() - started)


async def run_level(rasa_url: str, concurrency: int, conversations: int) -> LevelResult:
    """Play ``conversations`` scripted conversations, ``concurrency`` at a time."""
    result = LevelResult(concurrency)
    url = f"{rasa_url}/webhooks/rest/webhook"
    semaphore = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def one() -> None:
            async with semaphore:
                await _conversation(session, url, result)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(conversations)))
        result.seconds = time.perf_counter() - started
    return result


async def parse_rate(rasa_url: str, token: str, rounds: int = 10) -> Tuple[float, int]:
    """Sequential /model/parse calls over the script; returns (parses per second, errors)."""
    url = f"{rasa_url}/model/parse?token={token}"
    errors = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        started = time.perf_counter()
        for _ in range(rounds):
            for text in SCRIPT:
                async with session.post(url, json={"text": text}) as response:
                    if response.status != 200:
                        errors += 1
                    await response.read()
        elapsed = time.perf_counter() - started
    return rounds * len(SCRIPT) / elapsed, errors


async def benchmark(rasa_url: str, token: str) -> None:
    """Warm up, then print the table."""
    await run_level(rasa_url, 1, 1)
    rate, parse_errors = await parse_rate(rasa_url, token)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"NLU parse rate (/model/parse, 1 client): {rate:.1f} parses/s, {parse_errors} errors")
    print(f"{'concurrency':>11} {'turns':>6} {'turns/s':>10} {'p50 ms':>9} {'p95 ms':>9} {'errors':>7}")
    for concurrency, conversations in LEVELS:
        result = await run_level(rasa_url, concurrency, conversations)
        print(result.row(), flush=True)


@contextlib.contextmanager
def own_stack() -> Iterator[Tuple[str, str]]:
    """Start Rasa and the action server on free ports, as the tests do."""
    import tempfile

    from tests.support.stack import start_stack

    with tempfile.TemporaryDirectory(prefix="bench-") as folder, start_stack(Path(folder)) as stack:
        yield stack.rasa_url, stack.rasa_token


def main(argv: Optional[List[str]] = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="REST-channel benchmark of the assistant")
    parser.add_argument("--rasa-url", help="a running Rasa (default: start one)")
    parser.add_argument("--token", default=os.environ.get("RASA_TOKEN", ""), help="Rasa API token")
    args = parser.parse_args(argv)
    if args.rasa_url:
        asyncio.run(benchmark(args.rasa_url.rstrip("/"), args.token))
        return
    with own_stack() as (url, token):
        asyncio.run(benchmark(url, token))


if __name__ == "__main__":
    main()
