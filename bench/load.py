"""Load generators for the REST channel: closed loop and open loop.

Both play the same bilingual script (``SCRIPT``) as separate conversations
(one fresh sender id each) and collect per-turn latencies and failures.

* Closed loop: ``concurrency`` conversations run at once; each sends its next
  message as soon as the previous reply arrives. Throughput is what the bot can
  do flat out.
* Open loop: every conversation waits a random think time (exponential, mean
  ``mean_think`` seconds) before each message, the way citizens type, so the
  offered load does not slow down when the bot does. Latency is what a citizen
  sees at that load.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Sequence

import aiohttp

SCRIPT: Sequence[str] = (
    "안녕하세요",
    "뭐 할 수 있어요?",
    "여권 재발급 수수료 얼마예요?",
    "기한은요?",
    "hello",
    "what documents do I need to renew my passport?",
    "how long does it take?",
    "감사합니다",
)
REQUEST_TIMEOUT_S = 120.0


@dataclass
class LoadResult:
    """Figures for one run of one bot at one load."""

    bot: str
    scenario: str
    concurrency: int
    latencies: List[float] = field(default_factory=list)
    error_kinds: Dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(self.error_kinds.values())

    @property
    def turns(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def turns_per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """The latency (seconds) under which ``fraction`` of the answered turns fall; NaN with none."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]

    def fail(self, kind: str) -> None:
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def as_dict(self) -> Dict[str, object]:
        return {
            "bot": self.bot,
            "scenario": self.scenario,
            "concurrency": self.concurrency,
            "turns": self.turns,
            "seconds": round(self.seconds, 2),
            "turns_per_second": round(self.turns_per_second, 2),
            "p50_ms": round(self.percentile(0.5) * 1000, 1),
            "p95_ms": round(self.percentile(0.95) * 1000, 1),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else None,
            "errors": self.errors,
            "error_kinds": dict(self.error_kinds),
        }


async def _turn(
    session: aiohttp.ClientSession, url: str, sender: str, text: str, result: LoadResult, empty_is_error: bool
) -> None:
    started = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.json(content_type=None)
            if response.status != 200:
                result.fail(f"HTTP {response.status}")
                return
            if empty_is_error and not body:
                result.fail("empty reply")
                return
    except asyncio.TimeoutError:
        result.fail("timeout")
        return
    except (aiohttp.ClientError, ValueError) as error:
        result.fail(type(error).__name__)
        return
    result.latencies.append(time.perf_counter() - started)


def _session() -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=0)  # one connection per conversation, as separate citizens
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S))


async def closed_loop(
    bot: str, rasa_url: str, concurrency: int, conversations: int, empty_is_error: bool = True
) -> LoadResult:
    """Play ``conversations`` scripted conversations, ``concurrency`` at a time, without pauses."""
    result = LoadResult(bot, "closed", concurrency)
    url = f"{rasa_url}/webhooks/rest/webhook"
    semaphore = asyncio.Semaphore(concurrency)
    async with _session() as session:

        async def conversation() -> None:
            async with semaphore:
                sender = f"bench-{uuid.uuid4().hex[:12]}"
                for text in SCRIPT:
                    await _turn(session, url, sender, text, result, empty_is_error)

        started = time.perf_counter()
        await asyncio.gather(*(conversation() for _ in range(conversations)))
        result.seconds = time.perf_counter() - started
    return result


async def open_loop(
    bot: str,
    rasa_url: str,
    conversations: int = 100,
    mean_think: float = 5.0,
    duration: float = 60.0,
    seed: int = 7,
    empty_is_error: bool = True,
) -> LoadResult:
    """``conversations`` citizens for ``duration`` seconds, each pausing a random
    think time (exponential, mean ``mean_think`` s) before every message and
    starting a new conversation after the script's last turn: a steady offer of
    about ``conversations / mean_think`` turns/s that does not slow down when the
    bot does. Turns still unanswered at the end are waited for and counted."""
    result = LoadResult(bot, "open", conversations)
    url = f"{rasa_url}/webhooks/rest/webhook"
    generator = random.Random(seed)
    async with _session() as session:
        started = time.perf_counter()
        stop_at = started + duration

        async def citizen() -> None:
            while True:
                sender = f"bench-{uuid.uuid4().hex[:12]}"
                for text in SCRIPT:
                    await asyncio.sleep(generator.expovariate(1.0 / mean_think))
                    if time.perf_counter() >= stop_at:
                        return
                    await _turn(session, url, sender, text, result, empty_is_error)

        await asyncio.gather(*(citizen() for _ in range(conversations)))
        # Turns are sent only within ``duration``; the citizens' last pauses
        # after it are not load, so they do not dilute the rate.
        result.seconds = min(time.perf_counter() - started, duration)
    return result
