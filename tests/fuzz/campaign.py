"""Send hostile inputs to every public edge of a running assistant and check
that nothing answers 5xx and every process stays up (issue 14, item 8).

``make fuzz`` runs :func:`main`: it starts the stack (action server, Rasa
with the REST and Telegram channels), the web gateway and a fake Telegram Bot
API on loopback ports, sends ``--count`` inputs (default 10,000) spread over
the three edges, prints what came back and exits 1 on any 5xx, any refused
connection or any process that died. tests/fuzz/test_fuzz.py runs the same
campaign with a few hundred inputs in ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Counter, Dict, List, Optional

import aiohttp

from tests.fuzz.inputs import Target, inputs, rest_body, telegram_body, web_body
from tests.support.edges import Edges, public_edges


@dataclass
class Report:
    """What the edges answered."""

    statuses: Dict[str, Counter] = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    server_errors: List[str] = field(default_factory=list)
    connection_errors: List[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return sum(sum(counter.values()) for counter in self.statuses.values()) + len(self.connection_errors)

    def describe(self) -> str:
        lines = [f"{self.sent} inputs in {self.seconds:.0f} s"]
        for name, counter in sorted(self.statuses.items()):
            lines.append(f"  {name:9} " + ", ".join(f"{status}: {n}" for status, n in sorted(counter.items())))
        lines.append(f"  5xx: {len(self.server_errors)}, refused or dropped connections: {len(self.connection_errors)}")
        lines += [f"    {example}" for example in (self.server_errors + self.connection_errors)[:10]]
        return "\n".join(lines)


async def send_all(targets: List[Target], count: int, seed: int, concurrency: int = 8) -> Report:
    """POST ``count`` hostile bodies, ``concurrency`` at a time; record every answer."""
    report = Report()
    queue = collections.deque(inputs(targets, count, seed))
    started = time.monotonic()
    timeout = aiohttp.ClientTimeout(total=120)
    # One connection per input: a server may close a connection whose oversized body
    # it refused unread (413), and a reused one would then fail on the client's side.
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:

        async def worker() -> None:
            while queue:
                target, body = queue.popleft()
                try:
                    async with session.post(target.url, data=body, headers=target.headers) as response:
                        await response.read()
                        report.statuses[target.name][response.status] += 1
                        if response.status >= 500:
                            report.server_errors.append(f"{target.name} {response.status} for {body[:120]!r}")
                except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                    report.connection_errors.append(f"{target.name} {type(error).__name__} for {body[:120]!r}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    report.seconds = time.monotonic() - started
    return report


def targets_for(edges: Edges) -> List[Target]:
    """The three edges the fuzz aims at (Kakao's has its own validator tests)."""
    json_headers = {"Content-Type": "application/json"}
    return [
        Target("rest", edges.rest_url, rest_body, json_headers),
        Target("web", f"{edges.gateway_url}/api/messages", web_body, json_headers),
        Target("telegram", edges.telegram_url, telegram_body, edges.telegram_headers),
    ]


async def still_up(rasa_url: str, action_url: str, gateway_url: str) -> List[str]:
    """The processes that do not answer their health check any more."""
    down = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        for name, url in (("rasa", f"{rasa_url}/"), ("actions", f"{action_url}/health"),
                          ("web", f"{gateway_url}/healthz")):
            try:
                async with session.get(url) as response:
                    if response.status != 200:
                        down.append(f"{name} answered {response.status}")
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                down.append(f"{name}: {type(error).__name__}")
    return down


async def fuzz_stack(count: int, seed: int, workdir: Path) -> tuple:
    """Start everything, fuzz it, check it; returns (report, processes down)."""
    async with public_edges(workdir) as edges:
        stack = edges.stack
        report = await send_all(targets_for(edges), count, seed)
        down = await still_up(stack.rasa_url, stack.action_url, edges.gateway_url)
        down += [f"{process.args[:3]} exited with {process.poll()}" for process in stack.processes
                 if process.poll() is not None]
        return report, down


def main(argv: Optional[List[str]] = None) -> int:
    """``make fuzz``: 10,000 hostile inputs against a fresh stack."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        report, down = asyncio.run(fuzz_stack(args.count, args.seed, Path(folder)))
    print(report.describe())
    print("every process still up" if not down else "DOWN: " + "; ".join(down))
    return 1 if report.server_errors or report.connection_errors or down else 0


if __name__ == "__main__":
    sys.exit(main())
