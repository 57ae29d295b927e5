"""Is a phone line open right now? Korea time, weekdays, public holidays.

Government call centres answer on weekdays from 09:00 to 18:00 Korea time and
are closed on public holidays (:file:`actions/public_holidays.yml`, incl. 설날,
추석 and substitute holidays). An agency's hours come from the catalogue text
("평일 09:00~18:00", "연중무휴 24시간"), read with :func:`parse_hours`. The
clock is passed in, so tests can stand at any moment.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

import yaml

KST = timezone(timedelta(hours=9), "KST")
HOLIDAYS_FILE = Path(__file__).resolve().parent / "public_holidays.yml"

Clock = Callable[[], datetime]

_RANGE = re.compile(r"(\d{1,2}):(\d{2})\s*[~\-–]\s*(\d{1,2}):(\d{2})")
_lock = threading.Lock()
_cache: Dict[str, object] = {"key": None, "holidays": {}}


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Holiday:
    """A public holiday and its name in both languages."""

    day: date
    name_ko: str
    name_en: str

    def name(self, language: str) -> str:
        """The holiday's name in ``language``."""
        return self.name_en if language == "en" else self.name_ko


@dataclass(frozen=True)
class OfficeHours:
    """When a line answers: every day round the clock, or [opens, closes) on working days."""

    opens: time = time(9, 0)
    closes: time = time(18, 0)
    always_open: bool = False


DEFAULT_HOURS = OfficeHours()


def parse_hours(text: Optional[str]) -> OfficeHours:
    """Office hours from a catalogue text; weekdays 09:00-18:00 when it says no more.

    "연중무휴 24시간" / "24 hours" means always open. Closures on weekends and
    public holidays always apply otherwise: the catalogue's lines are public
    offices.
    """
    if not text:
        return DEFAULT_HOURS
    round_the_clock = "24시간" in text or re.search(r"24\s*hours", text, re.IGNORECASE)
    every_day = "연중무휴" in text or re.search(r"every day|24/7", text, re.IGNORECASE)
    if round_the_clock and every_day:
        return OfficeHours(always_open=True)
    match = _RANGE.search(text)
    if not match:
        return DEFAULT_HOURS
    start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
    if not (0 <= start_h < 24 and 0 <= end_h <= 24 and 0 <= start_m < 60 and 0 <= end_m < 60):
        return DEFAULT_HOURS
    closes = time(23, 59, 59) if end_h == 24 else time(end_h, end_m)
    return OfficeHours(opens=time(start_h, start_m), closes=closes)


def load_holidays(path: Path = HOLIDAYS_FILE) -> Dict[date, Holiday]:
    """The public holidays by date; the file is re-read only when it changed."""
    key: Tuple[str, float] = (str(path), path.stat().st_mtime)
    with _lock:
        if _cache["key"] == key:
            return _cache["holidays"]  # type: ignore[return-value]
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        holidays = {}
        for entry in data.get("holidays") or []:
            day = entry["date"] if isinstance(entry["date"], date) else date.fromisoformat(str(entry["date"]))
            holidays[day] = Holiday(day, str(entry["ko"]), str(entry["en"]))
        _cache.update(key=key, holidays=holidays)
        return holidays


@dataclass(frozen=True)
class Availability:
    """Whether a line is open at a moment, and if not why and when it opens next."""

    open_now: bool
    closed_because: Optional[str] = None  # weekend | holiday | outside_hours
    holiday: Optional[Holiday] = None
    next_open: Optional[datetime] = None  # Korea time


def _as_korea_time(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # the project stores and passes naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(KST)


def _working_day(day: date, holidays: Dict[date, Holiday]) -> bool:
    return day.weekday() < 5 and day not in holidays


def _next_opening(now: datetime, hours: OfficeHours, holidays: Dict[date, Holiday]) -> datetime:
    day = now.date()
    if now.time() >= hours.opens or not _working_day(day, holidays):
        day += timedelta(days=1)
    for _ in range(30):  # the longest closure (설날 + weekend) is far shorter
        if _working_day(day, holidays):
            return datetime.combine(day, hours.opens, KST)
        day += timedelta(days=1)
    return datetime.combine(day, hours.opens, KST)


def availability(
    hours: OfficeHours, moment: datetime, holidays: Optional[Dict[date, Holiday]] = None
) -> Availability:
    """Whether a line with ``hours`` answers at ``moment`` (any time zone; naive = UTC)."""
    holidays = load_holidays() if holidays is None else holidays
    if hours.always_open:
        return Availability(True)
    now = _as_korea_time(moment)
    today = now.date()
    if today in holidays:
        return Availability(False, "holiday", holidays[today], _next_opening(now, hours, holidays))
    if today.weekday() >= 5:
        return Availability(False, "weekend", None, _next_opening(now, hours, holidays))
    if hours.opens <= now.time() < hours.closes:
        return Availability(True)
    return Availability(False, "outside_hours", None, _next_opening(now, hours, holidays))


_WEEKDAYS = {
    "ko": ("월", "화", "수", "목", "금", "토", "일"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def format_opening(moment: datetime, language: str) -> str:
    """``3월 3일(화) 09:00`` / ``Tue 3 Mar, 09:00``."""
    if language == "en":
        return f"{_WEEKDAYS['en'][moment.weekday()]} {moment.day} {moment.strftime('%b')}, {moment:%H:%M}"
    return f"{moment.month}월 {moment.day}일({_WEEKDAYS['ko'][moment.weekday()]}) {moment:%H:%M}"
