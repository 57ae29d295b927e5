"""Open figures (issue 17, item 4): ``GET /api/v1/figures`` and ``/api/v1/figures.csv``.

Monthly aggregates of :func:`records.figures.monthly_cube`: per month, the
total and each channel and each language. A group of fewer than
:data:`MIN_GROUP` conversations is suppressed (its numbers are ``null``, its
row says ``suppressed``); when exactly one group of a month and dimension is
suppressed, the next smallest is too, so no suppressed count can be worked
out by subtracting the others from the month's total. The figures are
computed in a worker thread at most every :data:`REFRESH_SECONDS` per process.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from aiohttp import web

from records.figures import ALL, Figures, monthly_cube

MIN_GROUP = 5
REFRESH_SECONDS = 600.0
FIELDS = (
    "month", "channel", "language", "suppressed", "conversations", "messages", "containment_rate",
    "fallback_rate", "handoff_rate", "helpful_rate", "median_turns", "median_response_seconds",
)
_NUMBERS = FIELDS[4:]


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 4)


def _row(month: str, channel: str, language: str, figures: Figures, suppressed: bool) -> Dict[str, Any]:
    row: Dict[str, Any] = {"month": month, "channel": channel, "language": language, "suppressed": suppressed}
    values = {
        "conversations": figures.conversations,
        "messages": figures.messages,
        "containment_rate": _round(figures.containment_rate),
        "fallback_rate": _round(figures.fallback_rate),
        "handoff_rate": _round(figures.handoff_rate),
        "helpful_rate": _round(figures.helpful_rate),
        "median_turns": figures.median_turns,
        "median_response_seconds": figures.median_response_seconds,
    }
    row.update({key: None if suppressed else value for key, value in values.items()})
    return row


def _suppressed(cube: Dict[Tuple[str, str, str], Figures]) -> set:
    """The keys whose numbers may not be published (primary and secondary suppression)."""
    hidden = {key for key, figures in cube.items() if figures.conversations < MIN_GROUP}
    months = sorted({key[0] for key in cube})
    for month in months:
        for position in (1, 2):  # channel, language
            groups = [key for key in cube if key[0] == month and key[position] != ALL
                      and key[3 - position] == ALL]
            shown = sorted((key for key in groups if key not in hidden), key=lambda k: (cube[k].conversations, k))
            if len(groups) - len(shown) == 1 and shown and (month, ALL, ALL) not in hidden:
                hidden.add(shown[0])
    return hidden


def public_rows(cube: Dict[Tuple[str, str, str], Figures]) -> List[Dict[str, Any]]:
    """The rows of the open figures, month by month: the total, then each channel, then each language."""
    hidden = _suppressed(cube)

    def order(key: Tuple[str, str, str]) -> Tuple[str, int, str, str]:
        month, channel, language = key
        return month, 0 if channel == ALL and language == ALL else 1 if language == ALL else 2, channel, language

    return [_row(*key, cube[key], key in hidden) for key in sorted(cube, key=order)]


def rows_csv(rows: List[Dict[str, Any]]) -> str:
    """The rows as CSV with a header row; a suppressed number is empty."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(FIELDS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: ("" if row[key] is None else str(row[key]).lower() if isinstance(row[key], bool)
                               else row[key]) for key in FIELDS})
    return buffer.getvalue()


@dataclass
class FiguresCache:
    """The open figures of one database, recomputed at most every ``refresh`` seconds."""

    database_url: str
    refresh: float = REFRESH_SECONDS
    clock: Callable[[], float] = time.monotonic
    _rows: Optional[List[Dict[str, Any]]] = None
    _at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def _compute(self) -> List[Dict[str, Any]]:
        from core.db import create_schema, get_engine

        return public_rows(monthly_cube(create_schema(get_engine(self.database_url))))

    async def rows(self) -> List[Dict[str, Any]]:
        """The current rows (computed in a worker thread when stale)."""
        async with self._lock:
            if self._rows is None or self.clock() - self._at >= self.refresh:
                self._rows = await asyncio.to_thread(self._compute)
                self._at = self.clock()
            return self._rows


FIGURES_CACHE = web.AppKey("public_api_figures", FiguresCache)


def etag_of(body: bytes) -> str:
    """A strong ETag of an answer's body."""
    return f'"{hashlib.sha256(body).hexdigest()[:24]}"'


def figures_document(rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The JSON answer of ``/api/v1/figures``."""
    return {
        "minimum_group": MIN_GROUP,
        "total": len(rows),
        "items": rows,
    }
