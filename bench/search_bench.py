"""Catalogue search latency at 60, 1,000 and 10,000 services.

    python -m bench.search_bench                       # all three sizes
    python -m bench.search_bench --sizes 60 1000 --json reports/bench/search.json

For each size a fresh SQLite database gets the catalogue (the real one, or a
synthetic one from ``scripts/synthetic_catalogue.py``), the search index is
built once (its build time is printed), then every question is searched once
through :class:`knowledge.search.CatalogueSearch`, as the action server does:
the 193 fixture questions of ``tests/knowledge/fixtures/resolution_queries.tsv``
and, at the synthetic sizes, questions naming synthetic services. The Korean
analyser's cache is emptied after the build, so each question is analysed as a
new message would be. Prints p50/p95/max latency per size and the top-1
accuracy of the fixture questions (100% expected at the real catalogue).

:func:`run` returns the same figures for other benchmarks to embed in their reports.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from core.db import create_schema, get_engine
from knowledge.importer import import_documents
from knowledge.search import CatalogueSearch
from knowledge.text import clear_analysis_cache
from scripts.synthetic_catalogue import DEFAULT_SEED, generate, queries_for

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_QUERIES = ROOT / "tests" / "knowledge" / "fixtures" / "resolution_queries.tsv"
SIZES = (60, 1000, 10000)
SYNTHETIC_QUERIES = 40
TARGET_P95_MS = 10.0


def fixture_queries(path: Path = FIXTURE_QUERIES) -> List[Tuple[str, str]]:
    """The fixture questions as (expected service id, question) pairs."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, query = line.split("\t")
            rows.append((expected, query))
    return rows


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (``fraction`` 0.95 for p95); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _accuracy(pairs: Sequence[Tuple[str, str]], tops: Dict[str, Optional[str]]) -> float | None:
    if not pairs:
        return None
    return sum(tops[query] == expected for expected, query in pairs) / len(pairs)


def measure(size: int, seed: int = DEFAULT_SEED, synthetic_queries: int = SYNTHETIC_QUERIES) -> Dict[str, Any]:
    """Build a catalogue of ``size`` services in a temporary database and time its searches."""
    documents, made = generate(size, seed)
    fixtures = fixture_queries()
    synthetic = queries_for(made, synthetic_queries, seed) if made else []
    with tempfile.TemporaryDirectory(prefix="search-bench-") as folder:
        engine = create_schema(get_engine(f"sqlite:///{folder}/catalogue.db"))
        try:
            started = time.perf_counter()
            import_documents(engine, documents, actor="bench")
            import_seconds = time.perf_counter() - started
            search = CatalogueSearch(engine)
            started = time.perf_counter()
            index = search.index()
            build_seconds = time.perf_counter() - started
            clear_analysis_cache()
            latencies: List[float] = []
            tops: Dict[str, Optional[str]] = {}
            for _, query in [*fixtures, *synthetic]:
                started = time.perf_counter()
                result = search.search(query)
                latencies.append((time.perf_counter() - started) * 1000)
                tops[query] = result.ranking[0].service_id if result.ranking else None
        finally:
            engine.dispose()
    return {
        "services": len(index.names),
        "phrases": len(index.phrases),
        "import_s": round(import_seconds, 2),
        "build_s": round(build_seconds, 2),
        "queries": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "max_ms": round(max(latencies), 2),
        "fixture_accuracy": _accuracy(fixtures, tops),
        "synthetic_accuracy": _accuracy(synthetic, tops),
    }


def run(
    sizes: Sequence[int] = SIZES,
    seed: int = DEFAULT_SEED,
    synthetic_queries: int = SYNTHETIC_QUERIES,
    progress: Callable[[Dict[str, Any]], None] | None = None,
) -> List[Dict[str, Any]]:
    """Figures for each size in ``sizes`` (see :func:`measure`); ``progress`` gets each as it is done."""
    results = []
    for size in sizes:
        figures = measure(size, seed, synthetic_queries)
        results.append(figures)
        if progress is not None:
            progress(figures)
    return results


HEADER = (
    f"{'services':>9} {'phrases':>8} {'import s':>9} {'build s':>8} {'queries':>8} "
    f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'fixture top-1':>14} {'synthetic top-1':>16}"
)


def row(figures: Dict[str, Any]) -> str:
    """One line of the table for one size."""

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    return (
        f"{figures['services']:>9} {figures['phrases']:>8} {figures['import_s']:>9.1f} {figures['build_s']:>8.2f} "
        f"{figures['queries']:>8} {figures['p50_ms']:>8.2f} {figures['p95_ms']:>8.2f} {figures['max_ms']:>8.2f} "
        f"{share(figures['fixture_accuracy']):>14} {share(figures['synthetic_accuracy']):>16}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table (and write JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description="Catalogue search latency by catalogue size")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--synthetic-queries", type=int, default=SYNTHETIC_QUERIES)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"catalogue search, one question at a time (target: p95 <= {TARGET_P95_MS:g} ms at 10,000 services)")
    print(HEADER, flush=True)
    results = run(args.sizes, args.seed, args.synthetic_queries, progress=lambda f: print(row(f), flush=True))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
