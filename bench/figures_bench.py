"""The figures over 100,000 stored events (issue 17): how long one computation takes.

    python -m bench.figures_bench                         # 100,000 events on a fresh SQLite file
    python -m bench.figures_bench --events 200000 --database-url postgresql://... --json reports/bench/figures.json

The events are Rasa's own (``Event.as_dict()``) in the masking tracker store's
``events`` table, written in bulk: ten per conversation (a session start, two
questions, the answers, a slot, one in eight answered by the fallback action),
spread over twelve months, three channels and both languages, with a handoff
and a rating for some. Then :func:`records.figures.compute_figures` (what the
CLI, the dashboard and the open figures call) runs ``--rounds`` times; the
median and the slowest are printed. The target is under 5 seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from sqlalchemy import insert

from core.db import create_schema, get_engine
from core.tracker_store import MaskingSQLTrackerStore
from records.figures import compute_figures, monthly_cube
from records.models import Feedback, Handoff

EVENTS_PER_CONVERSATION = 10
TARGET_SECONDS = 5.0
START = datetime(2025, 12, 1, tzinfo=timezone.utc)
CHANNELS = ("web", "telegram", "kakao")
SERVICES = ("passport_reissue", "resident_copy", "child_allowance", "unemployment_benefit")


def _conversation(index: int) -> List[Event]:
    at = (START + timedelta(minutes=index * 5)).timestamp()
    channel = CHANNELS[index % 3]
    korean = index % 4 != 0
    service = SERVICES[index % len(SERVICES)]
    fallback = index % 8 == 0
    first = "여권 재발급 수수료 얼마예요" if korean else "how much is a passport reissue"
    second = "감사합니다" if korean else "thanks"
    metadata = {"channel": "web"} if channel == "web" else {}
    return [
        ActionExecuted("action_session_start", timestamp=at),
        SessionStarted(timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(first, intent={"name": "ask_service_fee", "confidence": 0.5 if fallback else 0.93},
                    entities=[{"entity": "service", "value": service, "start": 0, "end": 6}],
                    input_channel="rest" if channel == "web" else channel, metadata=metadata, timestamp=at + 1),
        ActionExecuted("action_handle_fallback" if fallback else "action_answer_service_fee", timestamp=at + 2),
        SlotSet("current_service", service, timestamp=at + 2),
        BotUttered("답변" if korean else "answer", timestamp=at + 2.5),
        UserUttered(second, intent={"name": "thank", "confidence": 0.99}, timestamp=at + 20,
                    input_channel="rest" if channel == "web" else channel, metadata=metadata),
        ActionExecuted("utter_thank", timestamp=at + 21),
        BotUttered("천만에요" if korean else "you're welcome", timestamp=at + 21.4),
    ]


def _row(sender_id: str, event: Event) -> Dict[str, Any]:
    data = event.as_dict()
    intent = data.get("parse_data", {}).get("intent", {}).get("name") if data["event"] == "user" else None
    return {
        "sender_id": sender_id, "type_name": data["event"], "timestamp": data["timestamp"],
        "intent_name": intent, "action_name": data.get("name") if data["event"] == "action" else None,
        "data": json.dumps(data, ensure_ascii=False),
    }


def fill(database_url: str, events: int) -> Dict[str, float]:
    """Write ``events`` events (and the records beside them); returns the counts and time taken."""
    started = time.perf_counter()
    engine = create_schema(get_engine(database_url))
    domain = Domain.from_dict({"slots": {"current_service": {"type": "text", "mappings": [{"type": "custom"}]}}})
    store = MaskingSQLTrackerStore(domain=domain, host=database_url, seal_secret=b"bench")
    table = store.SQLEvent.__table__
    conversations = max(1, events // EVENTS_PER_CONVERSATION)
    handoffs: List[Dict[str, Any]] = []
    ratings: List[Dict[str, Any]] = []
    with store.engine.begin() as connection:
        batch: List[Dict[str, Any]] = []
        for index in range(conversations):
            sender = f"bench-{index}"
            batch.extend(_row(sender, event) for event in _conversation(index))
            at = (START + timedelta(minutes=index * 5, seconds=25)).replace(tzinfo=None)
            if index % 8 == 0:
                handoffs.append({"sender_id": sender, "reason": "repeated_fallback", "language": "ko", "at": at,
                                 "open_now": False, "transcript": []})
            if index % 5 == 0:
                ratings.append({"sender_id": sender, "helpful": index % 3 != 0, "language": "ko", "at": at})
            if len(batch) >= 5000:
                connection.execute(insert(table), batch)
                batch = []
        if batch:
            connection.execute(insert(table), batch)
    store.engine.dispose()
    with engine.begin() as connection:
        connection.execute(insert(Handoff.__table__), handoffs)
        connection.execute(insert(Feedback.__table__), ratings)
    return {"events": conversations * EVENTS_PER_CONVERSATION, "conversations": conversations,
            "fill_seconds": round(time.perf_counter() - started, 2)}


def measure(database_url: str, rounds: int) -> Dict[str, Any]:
    """Time :func:`compute_figures` (and the open figures' cube) ``rounds`` times."""
    engine = get_engine(database_url)
    timings, cube_timings = [], []
    conversations = 0
    for _ in range(rounds):
        started = time.perf_counter()
        report = compute_figures(engine)
        timings.append(time.perf_counter() - started)
        conversations = report.overall.conversations
        started = time.perf_counter()
        monthly_cube(engine)
        cube_timings.append(time.perf_counter() - started)
    return {
        "conversations_counted": conversations,
        "figures_median_seconds": round(statistics.median(timings), 3),
        "figures_max_seconds": round(max(timings), 3),
        "open_figures_median_seconds": round(statistics.median(cube_timings), 3),
    }


def main(argv: List[str] | None = None) -> int:
    """Fill, measure, print; exit 1 when the median is over the target."""
    parser = argparse.ArgumentParser(prog="python -m bench.figures_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to store (default 100,000)")
    parser.add_argument("--rounds", type=int, default=3, help="computations timed (default 3)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="figures-bench-") as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        result = {**fill(url, args.events), **measure(url, max(1, args.rounds)), "target_seconds": TARGET_SECONDS}
    print(
        f"figures over {result['events']:,} events ({result['conversations']:,} conversations): "
        f"median {result['figures_median_seconds']} s, slowest {result['figures_max_seconds']} s "
        f"(target < {TARGET_SECONDS:g} s); open figures {result['open_figures_median_seconds']} s; "
        f"fill {result['fill_seconds']} s"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["figures_median_seconds"] < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
