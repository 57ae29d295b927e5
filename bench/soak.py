"""Soak: 200 conversations at once for 60 s, then count what was lost (issue 14).

    python -m bench.soak                          # 200 conversations, 60 s, a fresh stack
    python -m bench.soak --conversations 50 --seconds 20

Every conversation plays the bench script (``bench.load.SCRIPT``) again and
again without pauses, so the stack runs flat out with 200 conversations in
flight. Afterwards the tracker store is read: a turn is **lost** when the
citizen got HTTP 200 but their message is not stored. Prints turns, errors by
kind, p95 and lost turns; exits 1 when a turn was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import tempfile
import time
import uuid
from pathlib import Path
from typing import Counter, Dict, Optional, Sequence

import aiohttp
import sqlalchemy as sa

from bench.load import SCRIPT, LoadResult, _session


async def soak(rasa_url: str, conversations: int, seconds: float) -> tuple:
    """Run the load; returns (LoadResult, answered turns per sender)."""
    result = LoadResult("ours", "soak", conversations)
    answered: Counter = collections.Counter()
    url = f"{rasa_url}/webhooks/rest/webhook"
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    async with _session() as session:

        async def citizen() -> None:
            sender = f"soak-{uuid.uuid4().hex[:12]}"
            turn = 0
            while time.monotonic() < deadline:
                text = SCRIPT[turn % len(SCRIPT)]
                turn += 1
                began = time.perf_counter()
                try:
                    async with session.post(url, json={"sender": sender, "message": text}) as response:
                        await response.read()
                        if response.status != 200:
                            result.fail(f"HTTP {response.status}")
                            continue
                except asyncio.TimeoutError:
                    result.fail("timeout")
                    continue
                except aiohttp.ClientError as error:
                    result.fail(type(error).__name__)
                    continue
                result.latencies.append(time.perf_counter() - began)
                answered[sender] += 1

        await asyncio.gather(*(citizen() for _ in range(conversations)))
    result.seconds = time.perf_counter() - started
    return result, answered


def stored_user_turns(database_url: str, senders: Sequence[str]) -> Dict[str, int]:
    """How many user messages the tracker store holds for each sender."""
    engine = sa.create_engine(database_url)
    query = sa.text("SELECT sender_id, COUNT(*) FROM events WHERE type_name = 'user' GROUP BY sender_id")
    with engine.connect() as connection:
        counts = {sender: count for sender, count in connection.execute(query)}
    engine.dispose()
    return {sender: counts.get(sender, 0) for sender in senders}


def lost_turns(answered: Counter, stored: Dict[str, int]) -> int:
    """Turns answered with 200 whose message is not in the tracker store."""
    return sum(max(0, answered[sender] - stored.get(sender, 0)) for sender in answered)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Start a fresh stack, soak it, check the tracker store, print the figures."""
    from tests.support.stack import start_stack

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="soak-") as folder, start_stack(Path(folder)) as stack:
        result, answered = asyncio.run(soak(stack.rasa_url, args.conversations, args.seconds))
        stored = stored_user_turns(stack.database_url, list(answered))
    lost = lost_turns(answered, stored)
    figures = {**result.as_dict(), "lost_turns": lost, "conversations": args.conversations}
    print(
        f"soak: {args.conversations} conversations for {args.seconds:.0f} s: {result.turns} turns, "
        f"{result.turns_per_second:.1f} answered/s, p95 {figures['p95_ms']:.0f} ms, errors {result.errors} "
        f"{dict(result.error_kinds) or ''}, lost turns {lost}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
