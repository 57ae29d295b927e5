"""Cluster profile of the benchmark: one Rasa worker against two.

    python -m bench.cluster_bench            # 10 and 50 conversations per setup
    python -m bench.cluster_bench --quick    # fewer conversations (smoke run)

Three setups, all on PostgreSQL (tracker store and project tables) and the
Redis lock store, PostgreSQL and Redis from Debian's packages in a temporary
folder (scripts/cluster_services):

* ``1 worker``     one Rasa process, ``SANIC_WORKERS=1``;
* ``2 workers``    one Rasa process, ``SANIC_WORKERS=2``;
* ``2 replicas``   two Rasa processes of one worker each, behind nginx.

Each gets the same closed-loop script (:func:`bench.load.closed_loop`) at 10
and 50 concurrent conversations after one warm-up conversation; the figures
are printed side by side with errors (0 expected), the resident memory of
every process is measured after the run, and everything is written to
``reports/bench/cluster.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bench.load import LoadResult, closed_loop

REPORT_DIR = Path(__file__).resolve().parents[1] / "reports" / "bench"
#: (concurrent conversations, conversations played) per level.
LEVELS: Tuple[Tuple[int, int], ...] = ((10, 30), (50, 100))
QUICK_LEVELS: Tuple[Tuple[int, int], ...] = ((10, 10), (50, 50))
#: name, Rasa processes, Sanic workers each.
SETUPS: Tuple[Tuple[str, int, int], ...] = (("1 worker", 1, 1), ("2 workers", 1, 2), ("2 replicas", 2, 1))


def tree_rss_mb(pid: int) -> float:
    """Resident memory (MB) of process ``pid`` and all its descendants, read from /proc."""
    children: Dict[int, List[int]] = {}
    rss: Dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        child = int(entry.name)
        children.setdefault(int(fields[1]), []).append(child)
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[child] = int(line.split()[1])
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += rss.get(current, 0)
        pending.extend(children.get(current, []))
    return round(total / 1024, 1)


def memory(processes: Sequence[subprocess.Popen]) -> Dict[str, float]:
    """RSS (MB) of each stack process with its workers: ``actions``, ``rasa``, ``rasa-1``..."""
    names = ["actions"] + [f"rasa-{index}" if index else "rasa" for index in range(len(processes) - 1)]
    return {name: tree_rss_mb(process.pid) for name, process in zip(names, processes, strict=True)}


async def drive(name: str, url: str, levels: Sequence[Tuple[int, int]]) -> List[LoadResult]:
    """Warm up with one conversation, then run each closed-loop level against ``url``."""
    await closed_loop(name, url, 1, 1)
    results = []
    for concurrency, conversations in levels:
        result = await closed_loop(name, url, concurrency, conversations)
        print(f"  {name:<10} c{concurrency:<3} {result.turns_per_second:6.1f} turns/s  "
              f"p95 {result.percentile(0.95) * 1000:6.0f} ms  errors {result.errors}", flush=True)
        results.append(result)
    return results


def run_setup(
    name: str, replicas: int, workers: int, levels: Sequence[Tuple[int, int]], database_url: str, redis_url: str,
    workdir: Path,
) -> Tuple[List[LoadResult], Dict[str, float], float]:
    """Start the stack of one setup, drive it, measure memory; returns (results, RSS MB, start-up s)."""
    from scripts.cluster_services import free_port, nginx
    from tests.support.stack import start_stack

    env = {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "SANIC_WORKERS": str(workers)}
    started = time.monotonic()
    with ExitStack() as stack_scope:
        stack = stack_scope.enter_context(start_stack(workdir, extra_env=env, rasa_replicas=replicas))
        url = stack.rasa_url
        if replicas > 1:
            port = free_port()
            stack_scope.enter_context(nginx(workdir / "nginx", port, stack.replica_ports))
            url = f"http://127.0.0.1:{port}"
        startup = time.monotonic() - started
        print(f"{name}: {replicas} Rasa process(es) x {workers} worker(s) up in {startup:.0f} s at {url}", flush=True)
        results = asyncio.run(drive(name, url, levels))
        rss = memory(stack.processes)
    return results, rss, startup


def side_by_side(results: Dict[str, List[LoadResult]]) -> str:
    """One row per load level, the setups' turns/s, p95 and errors beside each other."""
    names = list(results)
    header = f"{'conv':>4} | " + " | ".join(f"{name + ' t/s':>15} {'p95 ms':>7} {'err':>3}" for name in names)
    lines = [header, "-" * len(header)]
    for row in range(len(next(iter(results.values())))):
        cells = []
        for name in names:
            result = results[name][row]
            cells.append(f"{result.turns_per_second:>15.1f} {result.percentile(0.95) * 1000:>7.0f} {result.errors:>3}")
        lines.append(f"{results[names[0]][row].concurrency:>4} | " + " | ".join(cells))
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    """Run the three setups one after the other, print the table, write reports/bench/cluster.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer conversations per level")
    args = parser.parse_args(argv)
    levels = QUICK_LEVELS if args.quick else LEVELS
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from scripts.cluster_services import have_binaries, postgres, redis
    from tests.scaleout.conftest import new_database

    missing = have_binaries()
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: apt-get install -y postgresql redis-server nginx")
    results: Dict[str, List[LoadResult]] = {}
    setups: Dict[str, Dict[str, Any]] = {}
    root = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    os.chmod(root, 0o755)  # noqa: S103 - the postgres user traverses it, never writes
    with postgres(root / "postgres") as pg, redis(root / "redis") as lock_server:
        for name, replicas, workers in SETUPS:
            database_url = new_database(pg)  # each setup starts on an empty, freshly seeded database
            run, rss, startup = run_setup(name, replicas, workers, levels, database_url, lock_server.url,
                                          root / name.replace(" ", "-"))
            results[name] = run
            setups[name] = {"rasa_processes": replicas, "sanic_workers": workers, "startup_s": round(startup, 1),
                            "rss_mb": rss, "results": [result.as_dict() for result in run]}
    report = {
        "machine": f"{platform.node()} {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "backend": "PostgreSQL 15 + Redis lock store",
        "script_turns_per_conversation": 8,
        "levels": [{"concurrency": c, "conversations": n} for c, n in levels],
        "setups": setups,
    }
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "cluster.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print("\n" + side_by_side(results))
    print("\nRSS MB: " + "; ".join(f"{name}: {setup['rss_mb']}" for name, setup in setups.items()))
    errors = sum(result.errors for run in results.values() for result in run)
    print(f"errors: {errors}\nwritten: {REPORT_DIR / 'cluster.json'}")
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
