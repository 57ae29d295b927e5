"""Turn throughput and latency through the REST channel, side by side with a
stock ``rasa init`` bot measured in the same run (``make bench``).

    make bench                                   # everything below, in one run
    python -m bench.rest_bench --quick           # fewer conversations, for a smoke run
    python -m bench.rest_bench --rasa-url http://127.0.0.1:5005   # ours only, an already running stack

What it does, in order:

1. in-process NLU parse rate of both models (a turn cannot beat its parse);
2. starts our stack (action server + Rasa, a fresh seeded SQLite database under a
   temporary folder) and times it from process start to the first answered message;
3. serves the stock bot (built once under build/stock_bot, in-memory tracker store);
4. closed loop at 1, 10, 20 and 50 concurrent conversations, ours then stock at each
   level, every conversation playing the same eight-turn Korean/English script;
5. open loop for 60 s: 100 citizens each pausing about 5 s (exponential) before
   every message, starting a new conversation after the script's end: about 20
   turns/s offered, whatever the bot's speed;
6. catalogue search latency at 60, 1,000 and 10,000 services (bench.search_bench);
7. prints the table and writes reports/bench/bench.json and bench.png.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import aiohttp

from bench.load import SCRIPT, LoadResult, closed_loop, open_loop
from bench.report import comparison_rows, table, write_json, write_plot
from core.settings import get_settings

REPORT_DIR = Path(__file__).resolve().parents[1] / "reports" / "bench"
CLOSED_LEVELS: Tuple[Tuple[int, int], ...] = ((1, 4), (10, 20), (20, 40), (50, 100))
QUICK_LEVELS: Tuple[Tuple[int, int], ...] = ((1, 2), (10, 10))
OPEN_CONVERSATIONS = 100
OPEN_MEAN_THINK_S = 5.0
OPEN_DURATION_S = 60.0


def machine() -> str:
    """One line that says where the figures come from."""
    memory = ""
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages * page_size / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


async def first_answer(rasa_url: str, started_at: float, timeout: float = 300.0) -> float:
    """Seconds from ``started_at`` (time.monotonic) until a greeting gets a non-empty reply."""
    url = f"{rasa_url}/webhooks/rest/webhook"
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        while time.monotonic() < deadline:
            try:
                async with session.post(url, json={"sender": "bench-ready", "message": "안녕하세요"}) as response:
                    if response.status == 200 and await response.json(content_type=None):
                        return time.monotonic() - started_at
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"no answer from {rasa_url} within {timeout:.0f} s")


async def drive(
    ours_url: str, stock_url: Optional[str], levels: Tuple[Tuple[int, int], ...], open_conversations: int
) -> Tuple[List[LoadResult], List[LoadResult]]:
    """Warm both bots up, then run every closed-loop level and the open loop, ours first at each."""
    bots = [("ours", ours_url, True)] + ([("stock", stock_url, False)] if stock_url else [])
    for name, url, empty_is_error in bots:
        await closed_loop(name, url, 1, 1, empty_is_error)
    results: Dict[str, List[LoadResult]] = {"ours": [], "stock": []}
    for concurrency, conversations in levels:
        for name, url, empty_is_error in bots:
            result = await closed_loop(name, url, concurrency, conversations, empty_is_error)
            results[name].append(result)
            print(f"  {name:<5} closed c{concurrency:<3} {result.turns_per_second:6.1f} turns/s, "
                  f"p95 {result.percentile(0.95) * 1000:6.0f} ms, {result.errors} errors", flush=True)
    if open_conversations:
        for name, url, empty_is_error in bots:
            result = await open_loop(
                name, url, open_conversations, OPEN_MEAN_THINK_S, OPEN_DURATION_S, empty_is_error=empty_is_error
            )
            results[name].append(result)
            print(f"  {name:<5} open   n{open_conversations:<3} {result.turns_per_second:6.1f} turns/s, "
                  f"p95 {result.percentile(0.95) * 1000:6.0f} ms, {result.errors} errors", flush=True)
    return results["ours"], results["stock"]


def search_figures(quick: bool) -> List[Dict[str, Any]]:
    """Catalogue search latency per catalogue size (bench.search_bench)."""
    from bench.search_bench import run

    return run(sizes=(60, 1000) if quick else (60, 1000, 10000))


def main(argv: Optional[List[str]] = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="REST benchmark of the assistant beside a stock Rasa bot")
    parser.add_argument("--rasa-url", help="bench an already running Rasa (ours only, no stock bot, no start-up time)")
    parser.add_argument("--quick", action="store_true", help="fewer conversations and no open loop (smoke run)")
    parser.add_argument("--no-stock", action="store_true", help="skip the stock bot")
    parser.add_argument("--no-search", action="store_true", help="skip the catalogue search benchmark")
    parser.add_argument(
        "--workers", type=int, default=None,
        help="Sanic workers of our Rasa (SANIC_WORKERS; default: as configured, else Rasa's 1)",
    )
    args = parser.parse_args(argv)
    if args.workers:
        os.environ["SANIC_WORKERS"] = str(args.workers)
    levels = QUICK_LEVELS if args.quick else CLOSED_LEVELS
    open_conversations = 0 if args.quick else OPEN_CONVERSATIONS
    report: Dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "script": list(SCRIPT),
        "rasa_workers": get_settings().rasa_workers,
    }
    print(f"{report['date']}, {report['machine']}, our Rasa with {report['rasa_workers']} Sanic worker(s)", flush=True)

    if args.rasa_url:
        ours, stock = asyncio.run(drive(args.rasa_url.rstrip("/"), None, levels, open_conversations))
    else:
        ours, stock = _run_with_own_stacks(args, levels, open_conversations, report)

    rows = comparison_rows(ours, stock)
    report["results"] = [r.as_dict() for r in ours + stock]
    if not args.no_search:
        report["search"] = search_figures(args.quick)
    print()
    print(table(rows))
    _print_summary(report, ours)
    write_json(report, REPORT_DIR)
    write_plot(ours, stock, REPORT_DIR)
    print(f"\nwritten: {REPORT_DIR / 'bench.json'}, {REPORT_DIR / 'bench.png'}")


def _run_with_own_stacks(
    args: argparse.Namespace, levels: Tuple[Tuple[int, int], ...], open_conversations: int, report: Dict[str, Any]
) -> Tuple[List[LoadResult], List[LoadResult]]:
    from bench.parse_rate import parse_rate
    from bench.stock_bot import ensure_stock_model, serve_stock_bot
    from tests.support.stack import MODEL_PATH, start_stack

    stock_model = None if args.no_stock else ensure_stock_model()
    report["parse_rate"] = {"ours": round(asyncio.run(parse_rate(MODEL_PATH)), 1)}
    if stock_model is not None:
        report["parse_rate"]["stock"] = round(asyncio.run(parse_rate(stock_model)), 1)
    print(f"in-process NLU parse rate: {report['parse_rate']}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-") as folder, start_stack(Path(folder) / "ours") as stack:
        report["ready_seconds"] = round(asyncio.run(first_answer(stack.rasa_url, stack.started_at)), 1)
        print(f"our stack answered its first message {report['ready_seconds']} s after its processes started",
              flush=True)
        if stock_model is None:
            return asyncio.run(drive(stack.rasa_url, None, levels, open_conversations))
        with serve_stock_bot(Path(folder) / "stock") as stock_url:
            return asyncio.run(drive(stack.rasa_url, stock_url, levels, open_conversations))


def _print_summary(report: Dict[str, Any], ours: List[LoadResult]) -> None:
    parse = report.get("parse_rate", {})
    closed = [r for r in ours if r.scenario == "closed"]
    if parse.get("ours") and closed:
        best = max(r.turns_per_second for r in closed)
        report["turn_parse_ratio"] = round(best / parse["ours"], 3)
        line = (
            "\nturn/parse ratio (best closed-loop turns/s ÷ in-process parses/s): "
            f"ours {report['turn_parse_ratio']:.2f}"
        )
        stock_closed = [r for r in report["results"] if r["bot"] == "stock" and r["scenario"] == "closed"]
        if parse.get("stock") and stock_closed:
            stock_ratio = max(r["turns_per_second"] for r in stock_closed) / parse["stock"]
            report["stock_turn_parse_ratio"] = round(stock_ratio, 3)
            line += f", stock {stock_ratio:.2f}"
        print(line)
    if "ready_seconds" in report:
        print(f"ready to answer: {report['ready_seconds']} s after the processes started")
    for row in report.get("search", []):
        print(
            f"search at {row['services']:>6} services: p50 {row['p50_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms"
            + (f", fixtures {row['fixture_accuracy']:.1%}" if row.get("fixture_accuracy") is not None else "")
        )


if __name__ == "__main__":
    main()
