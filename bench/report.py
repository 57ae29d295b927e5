"""The benchmark's table, JSON report and plot (reports/bench/)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bench.load import LoadResult


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value * 1000:.0f}"


def comparison_rows(ours: Sequence[LoadResult], stock: Sequence[LoadResult]) -> List[Dict[str, Any]]:
    """One row per scenario and load, our figures beside the stock bot's and the ratio ours/stock."""
    stock_by_key = {(r.scenario, r.concurrency): r for r in stock}
    rows = []
    for result in ours:
        other = stock_by_key.get((result.scenario, result.concurrency))
        ratio = (
            result.turns_per_second / other.turns_per_second
            if other is not None and other.turns_per_second
            else None
        )
        rows.append({"ours": result, "stock": other, "ratio": ratio})
    return rows


def table(rows: Sequence[Mapping[str, Any]]) -> str:
    """A fixed-width text table of the comparison rows."""
    header = (
        f"{'scenario':<8} {'conv':>4} | {'ours t/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'err':>4} | "
        f"{'stock t/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'err':>4} | {'ratio':>5}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        ours: LoadResult = row["ours"]
        stock: Optional[LoadResult] = row["stock"]
        stock_part = (
            f"{stock.turns_per_second:>9.1f} {_ms(stock.percentile(0.5)):>7} {_ms(stock.percentile(0.95)):>7} "
            f"{stock.errors:>4}"
            if stock
            else f"{'-':>9} {'-':>7} {'-':>7} {'-':>4}"
        )
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "-"
        lines.append(
            f"{ours.scenario:<8} {ours.concurrency:>4} | {ours.turns_per_second:>8.1f} "
            f"{_ms(ours.percentile(0.5)):>7} {_ms(ours.percentile(0.95)):>7} {ours.errors:>4} | "
            f"{stock_part} | {ratio:>5}"
        )
    return "\n".join(lines)


def write_json(report: Mapping[str, Any], folder: Path) -> Path:
    """Write ``bench.json`` under ``folder``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def write_plot(ours: Sequence[LoadResult], stock: Sequence[LoadResult], folder: Path) -> Path:
    """Throughput and p95 latency against concurrency (closed loop), both bots; ``bench.png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for label, results, style in (("this assistant", ours, "o-"), ("stock rasa init", stock, "s--")):
        closed = [r for r in results if r.scenario == "closed"]
        if not closed:
            continue
        levels = [r.concurrency for r in closed]
        left.plot(levels, [r.turns_per_second for r in closed], style, label=label)
        right.plot(levels, [r.percentile(0.95) * 1000 for r in closed], style, label=label)
    left.set(title="Throughput (closed loop)", xlabel="concurrent conversations", ylabel="turns/s")
    right.set(title="p95 latency (closed loop)", xlabel="concurrent conversations", ylabel="ms")
    for axis in (left, right):
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.tight_layout()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.png"
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
