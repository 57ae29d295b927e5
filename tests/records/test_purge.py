"""Retention (issue 14, item 3): ``python -m records purge`` with a fixed clock."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine

from applications.models import VerificationFailure, VerificationLockout
from core.db import create_schema, get_engine, session_scope
from core.tracker_store import MaskingSQLTrackerStore
from records.callback_models import CallbackRequest
from records.callbacks import create_request
from records.cli import _interval, cmd_purge, main
from records.purge import PurgeReport, RetentionPolicy, purge
from records.repository import list_handoffs, overall_rate, record_feedback, record_handoff

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 6, 1, 3, 0)  # naive UTC, the fixed clock
EPOCH = (NOW - datetime(1970, 1, 1)).total_seconds()
DAY = 86400.0
SECRET = b"test pepper"
DOMAIN = Domain.from_dict(
    {
        "intents": ["inform"],
        "slots": {
            "application_number": {"type": "any", "mappings": [{"type": "custom"}]},
            "language": {"type": "text", "mappings": [{"type": "custom"}]},
        },
    }
)


def store_at(path: Path, now: float = EPOCH) -> MaskingSQLTrackerStore:
    return MaskingSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{path}", seal_secret=SECRET, clock=lambda: now)


def session(tracker: DialogueStateTracker, at: float, text: str = "여권 재발급 문의") -> None:
    """One session of a conversation, every event at ``at`` (seconds since the epoch)."""
    tracker.update(ActionExecuted("action_session_start", timestamp=at))
    tracker.update(SessionStarted(timestamp=at))
    tracker.update(ActionExecuted("action_listen", timestamp=at))
    tracker.update(UserUttered(text, intent={"name": "inform", "confidence": 1.0}, timestamp=at + 1))


def senders(path: Path) -> dict:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("select sender_id, count(*) from events group by sender_id").fetchall()
    return dict(rows)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "assistant.db"


@pytest.fixture
def engine(database: Path) -> Engine:
    return create_schema(get_engine(f"sqlite:///{database}"))


async def fill(database: Path, engine: Engine) -> None:
    """Conversations and records of every age around the default periods."""
    store = store_at(database)
    old = DialogueStateTracker("old", DOMAIN.slots)
    session(old, EPOCH - 100 * DAY)
    recent = DialogueStateTracker("recent", DOMAIN.slots)
    session(recent, EPOCH - 10 * DAY)
    regular = DialogueStateTracker("regular", DOMAIN.slots)  # a messenger user who comes back
    session(regular, EPOCH - 200 * DAY, "작년 질문")
    session(regular, EPOCH - 5 * DAY, "이번 질문")
    long_session = DialogueStateTracker("long-session", DOMAIN.slots)  # one session, still in use
    session(long_session, EPOCH - 100 * DAY)
    long_session.update(UserUttered("아직 대화 중", intent={"name": "inform", "confidence": 1.0}, timestamp=EPOCH - DAY))
    for tracker in (old, recent, regular, long_session):
        await store.save(tracker)
    left_open = DialogueStateTracker("left-open", DOMAIN.slots)  # a status form abandoned 2 hours ago
    session(left_open, EPOCH - 7200)
    left_open.update(SlotSet("application_number", "2026-0012347", timestamp=EPOCH - 7200))
    await store_at(database, EPOCH - 7200).save(left_open)
    open_now = DialogueStateTracker("open-now", DOMAIN.slots)  # a form open for 10 minutes
    session(open_now, EPOCH - 600)
    open_now.update(SlotSet("application_number", "2026-0012347", timestamp=EPOCH - 600))
    await store_at(database, EPOCH - 600).save(open_now)
    store.engine.dispose()

    for days in (400, 30):
        at = NOW - timedelta(days=days)
        record_handoff(engine, sender_id=f"h{days}", reason="requested", language="ko", service_id=None,
                       agency_id=None, open_now=False, transcript=[], at=at)
        record_feedback(engine, sender_id=f"f{days}", helpful=True, language="ko", intent=None, service_id=None,
                        question="q", at=at)
    with session_scope(engine) as db:  # the status-check guard: 40 and 2 days old
        for days in (40, 2):
            at = NOW - timedelta(days=days)
            db.add(VerificationFailure(sender_id=f"v{days}", application_number="2026-0012347", failed_at=at))
            db.add(VerificationLockout(kind="sender", key=f"v{days}", locked_at=at, locked_until=at + timedelta(minutes=30)))
    for days in (31, 29):  # call-back requests, kept the 30 days their consent notice states
        create_request(engine, phone="010-1234-5678", message=f"c{days}", language="ko", channel="web",
                       agency_id=None, reason="no_agent", consent=True, secret=b"test pepper",
                       now=NOW - timedelta(days=days))


async def test_a_purge_deletes_what_outlived_its_period_and_keeps_the_rest(database: Path, engine: Engine) -> None:
    await fill(database, engine)
    before = senders(database)

    report = purge(engine, NOW, RetentionPolicy())

    assert report == PurgeReport(
        conversations=1, conversation_events=before["old"], old_session_events=4, expired_seals=1,
        handoffs=1, feedback=1, verification_failures=1, lockouts=1, callback_requests=1,
    )
    after = senders(database)
    assert "old" not in after
    assert after["recent"] == before["recent"] and after["long-session"] == before["long-session"]
    assert after["regular"] == before["regular"] - 4
    assert [row.sender_id for row in list_handoffs(engine)] == ["h30"]
    assert overall_rate(engine).total == 1
    with session_scope(engine) as db:
        assert [row.sender_id for row in db.query(VerificationFailure)] == ["v2"]
        assert [row.key for row in db.query(VerificationLockout)] == ["v2"]
        assert [row.message for row in db.query(CallbackRequest)] == ["c29"]

    # The returning citizen's current session reads as before; the abandoned
    # form's application number is gone from disk, the open one still opens.
    store = store_at(database)
    regular = await store.retrieve_full_tracker("regular")
    assert regular is not None
    assert [e.text for e in regular.events if isinstance(e, UserUttered)] == ["이번 질문"]
    raw = {sender: data for sender, data in sqlite3.connect(database).execute(
        "select sender_id, data from events where type_name = 'slot'")}
    assert "sealed" not in json.loads(raw["left-open"]) and "sealed" in json.loads(raw["open-now"])
    open_now = await store.retrieve("open-now")
    assert open_now is not None and open_now.get_slot("application_number") == "2026-0012347"

    assert purge(engine, NOW, RetentionPolicy()) == PurgeReport()  # nothing left to do


async def test_a_dry_run_counts_the_same_and_deletes_nothing(database: Path, engine: Engine) -> None:
    await fill(database, engine)
    before = senders(database)

    dry = purge(engine, NOW, RetentionPolicy(), dry_run=True)

    assert senders(database) == before
    assert len(list_handoffs(engine)) == 2
    real = purge(engine, NOW, RetentionPolicy())
    assert dry == PurgeReport(**{**real.__dict__, "dry_run": True})


async def test_shorter_periods_from_the_environment_delete_more(database: Path, engine: Engine) -> None:
    await fill(database, engine)
    policy = RetentionPolicy.from_env(
        {"ASSISTANT_CONVERSATION_RETENTION_DAYS": "7", "ASSISTANT_RECORD_RETENTION_DAYS": "20"}
    )

    report = purge(engine, NOW, policy)

    assert policy == RetentionPolicy(conversation_days=7, record_days=20)
    assert report.conversations == 2  # "old" and "recent"
    assert report.handoffs == 2 and report.feedback == 2
    assert set(senders(database)) == {"regular", "long-session", "left-open", "open-now"}


@pytest.mark.parametrize("value", ["abc", "0", "-5", "3651", "1.5"])
def test_a_bad_period_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(ValueError, match="ASSISTANT_RECORD_RETENTION_DAYS"):
        RetentionPolicy.from_env({"ASSISTANT_RECORD_RETENTION_DAYS": value})
    assert RetentionPolicy.from_env({}) == RetentionPolicy(conversation_days=90, record_days=365)


async def test_the_command_prints_counts_only_in_both_languages(database: Path, engine: Engine) -> None:
    await fill(database, engine)
    out = io.StringIO()

    assert cmd_purge(engine, dry_run=True, every=None, out=out, now=lambda: NOW) == 0

    printed = out.getvalue()
    assert "대화 1건" in printed and "conversations would be deleted: 1" in printed
    assert "handoff records would be deleted: 1" in printed and "dry run" in printed
    assert "여권" not in printed  # no text
    assert [sender for sender in ("recent", "regular", "long-session", "left-open") if sender in printed] == []
    assert len(list_handoffs(engine)) == 2


async def test_loop_mode_purges_again_after_each_interval(database: Path, engine: Engine) -> None:
    await fill(database, engine)
    out = io.StringIO()
    slept: List[float] = []
    moments = iter([NOW, NOW + timedelta(days=340)])

    assert cmd_purge(engine, False, 86400.0, out, now=lambda: next(moments), sleep=slept.append, rounds=2) == 0

    assert slept == [86400.0]
    assert out.getvalue().count("handoff records deleted") == 2
    assert list_handoffs(engine) == []  # the second round, 340 days later, took the rest
    assert _interval("24h") == 86400.0 and _interval("30m") == 1800.0 and _interval("1d") == 86400.0


def test_a_bad_environment_is_reported_not_raised(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_CONVERSATION_RETENTION_DAYS", "ninety")
    out = io.StringIO()
    assert main(["purge"], out=out, engine=engine) == 1
    assert "ASSISTANT_CONVERSATION_RETENTION_DAYS" in out.getvalue()


def test_python_m_records_purge_runs_on_the_configured_database(database: Path, engine: Engine) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("ASSISTANT_CONVERSATION_RETENTION_DAYS", None)
    result = subprocess.run(
        [sys.executable, "-m", "records", "purge", "--dry-run"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "conversations would be deleted: 0" in result.stdout

    bad = subprocess.run(
        [sys.executable, "-m", "records", "purge", "--every", "5s"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert bad.returncode == 2 and "24h" in bad.stderr
