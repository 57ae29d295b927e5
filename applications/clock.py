"""Time in one place, so tests can pass their own clock.

Timestamps are stored as naive UTC (SQLite keeps no time zone); dates shown to
citizens and deadlines are Korean calendar dates (KST, UTC+9).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Callable

KST = timezone(timedelta(hours=9), "KST")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time as a naive UTC datetime, the form the database stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def korean_date(moment: datetime) -> date:
    """The calendar date in Korea at ``moment`` (a naive UTC datetime)."""
    return moment.replace(tzinfo=timezone.utc).astimezone(KST).date()
