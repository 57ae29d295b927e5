"""Shared pieces of the notice tests: a database with applications, a clock,
trackers as a messenger delivers them, and the fake Telegram Bot API of the
channel tests (tests/channels/telegram/conftest.py, loaded by path because that
folder is deliberately not a package)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Optional

from rasa_sdk import Tracker
from sqlalchemy.engine import Engine

from applications.hashing import BirthDateHasher
from applications.repository import add_application, default_handling, move_application
from applications.statuses import ApplicationStatus
from core.db import create_schema, get_engine, session_scope
from records.notices import subscribe

PROJECT_ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 6, 1, 1, 0)  # naive UTC: 10:00 Korea time
BIRTH = "1985-03-12"
PEPPER = b"notice-test-pepper"
HASHER = BirthDateHasher(PEPPER)


def _load_fake_bot_api_module() -> Any:
    name = "notice_tests_fake_bot_api"
    if name not in sys.modules:
        path = PROJECT_ROOT / "tests" / "channels" / "telegram" / "conftest.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_telegram_fixtures = _load_fake_bot_api_module()
FakeBotApi = _telegram_fixtures.FakeBotApi
BOT_TOKEN = _telegram_fixtures.BOT_TOKEN
WEBHOOK_SECRET = _telegram_fixtures.WEBHOOK_SECRET
Updates = _telegram_fixtures.Updates
ServedChannel = _telegram_fixtures.ServedChannel


class Clock:
    """A clock tests move by hand (naive UTC)."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class DaytimeClock:
    """Real time, shifted so that it is 12:00 Korea time when the test starts:
    retries and ``retry_after`` waits run in real time, outside quiet hours."""

    def __init__(self) -> None:
        real = datetime.now(timezone.utc).replace(tzinfo=None)
        noon_kst = datetime.combine(real.date(), datetime.min.time()) + timedelta(hours=3)
        self._offset = noon_kst - real

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc).replace(tzinfo=None) + self._offset


def new_engine(tmp_path: Path) -> Engine:
    """A fresh SQLite database with the newest schema."""
    return create_schema(get_engine(f"sqlite:///{tmp_path}/notices.db"))


def add_app(engine: Engine, service_id: str = "passport_reissue", status: Optional[ApplicationStatus] = None,
            now: datetime = START) -> str:
    """Register an application (received), optionally moved to ``status``; returns its number."""
    with session_scope(engine) as session:
        application = add_application(
            session,
            service_id=service_id,
            birth_date=date.fromisoformat(BIRTH),
            handling=default_handling(service_id),
            hasher=HASHER,
            now=now - timedelta(days=3),
            created_by="test",
        )
        number = application.number
    if status is not None and status is not ApplicationStatus.RECEIVED:
        move(engine, number, status, now=now - timedelta(days=2))
    return number


def move(engine: Engine, number: str, status: ApplicationStatus, *, now: datetime = START, **details: Any) -> None:
    """A clerk's move, as the staff CLI and the console make it."""
    if status is ApplicationStatus.SUPPLEMENT_REQUESTED:
        details.setdefault("documents_ko", ["여권용 사진 1매"])
        details.setdefault("documents_en", ["One passport photo"])
        details.setdefault("deadline", date(2026, 6, 15))
    with session_scope(engine) as session:
        move_application(session, number, status, by="clerk", now=now, force=True, **details)


def application_id(engine: Engine, number: str) -> int:
    from applications.repository import find_application

    with session_scope(engine) as session:
        found = find_application(session, number)
        assert found is not None
        return int(found.id)


def subscribe_chat(engine: Engine, number: str, chat_id: int, language: str = "ko", *, now: datetime = START,
                   quiet_hours: bool = True) -> int:
    """Subscribe Telegram chat ``chat_id`` to application ``number``; returns the subscription id."""
    with session_scope(engine) as session:
        subscription = subscribe(
            session, application_id=application_id(engine, number), channel="telegram",
            recipient=f"telegram:{chat_id}", language=language, now=now, quiet_hours=quiet_hours,
        )
        return int(subscription.id)


def tracker(sender: str, channel: Optional[str], language: str = "ko", slots: Optional[Dict[str, Any]] = None,
            intent: str = "inform") -> Tracker:
    """A tracker whose latest message came in on ``channel`` (None: no channel)."""
    event: Dict[str, Any] = {
        "event": "user", "text": "...", "parse_data": {"intent": {"name": intent}, "entities": []},
    }
    if channel is not None:
        event["input_channel"] = channel
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": {"language": language, **(slots or {})},
            "latest_message": {"text": "...", "intent": {"name": intent}},
            "events": [event],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )
