"""Server-side charts of the figures over time (matplotlib, SVG).

Each chart is drawn from the same numbers as the data table printed beside it
on the dashboard, so a screen-reader user reads the table and loses nothing.
Matplotlib's object API is used (no pyplot state), one drawing at a time.
"""

from __future__ import annotations

import io
import threading
from typing import Dict, List, Optional, Sequence, Tuple

from records.figures import Figures

CHARTS = ("volume", "rates")
_lock = threading.Lock()
#: Hangul and Latin in one font (Debian's fonts-noto-cjk: every CJK face has Hangul), else the default.
FONT_FAMILY = ["Noto Sans CJK JP", "Noto Sans CJK KR", "DejaVu Sans"]


def chart_series(chart: str, by_period: Dict[str, Figures]) -> Tuple[List[str], Dict[str, List[Optional[float]]]]:
    """The periods and, per series key, the values a chart draws (rates in percent)."""
    periods = list(by_period)
    figures = [by_period[period] for period in periods]

    def percent(value: Optional[float]) -> Optional[float]:
        return None if value is None else round(value * 100, 1)

    if chart == "volume":
        return periods, {"conversations": [float(f.conversations) for f in figures],
                         "handed_off": [float(f.handed_off) for f in figures]}
    if chart == "rates":
        return periods, {"containment_rate": [percent(f.containment_rate) for f in figures],
                         "fallback_rate": [percent(f.fallback_rate) for f in figures],
                         "helpful_rate": [percent(f.helpful_rate) for f in figures]}
    raise ValueError(f"unknown chart {chart!r}")


def render_svg(chart: str, by_period: Dict[str, Figures], labels: Dict[str, str], title: str) -> bytes:
    """The chart as an SVG document; ``labels`` names each series in the page's language."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    periods, series = chart_series(chart, by_period)
    with _lock, rc_context({"font.family": "sans-serif", "font.sans-serif": FONT_FAMILY, "svg.fonttype": "path",
                            "svg.hashsalt": "insight"}):
        figure = Figure(figsize=(6.4, 3.2), dpi=100)
        FigureCanvasSVG(figure)
        axes = figure.add_subplot(1, 1, 1)
        positions = list(range(len(periods)))
        if chart == "volume":
            width = 0.4
            for offset, key in ((-width / 2, "conversations"), (width / 2, "handed_off")):
                axes.bar([p + offset for p in positions], _numbers(series[key]), width, label=labels[key])
        else:
            for key, marker in (("containment_rate", "o"), ("fallback_rate", "s"), ("helpful_rate", "^")):
                axes.plot(positions, [v if v is not None else float("nan") for v in series[key]],
                          marker=marker, label=labels[key])
            axes.set_ylim(0, 100)
            axes.set_ylabel("%")
        axes.set_xticks(positions)
        axes.set_xticklabels(periods, rotation=30 if len(periods) > 6 else 0)
        axes.set_title(title)
        axes.legend(loc="best", fontsize="small")
        axes.grid(axis="y", alpha=0.3)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _numbers(values: Sequence[Optional[float]]) -> List[float]:
    return [value or 0.0 for value in values]
