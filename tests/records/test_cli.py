"""The staff command ``python -m records``: handoffs and feedback, masked."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from core.db import create_schema, get_engine
from records.cli import main
from records.repository import record_feedback, record_handoff

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def engine_at(tmp_path: Path) -> Engine:
    return create_schema(get_engine(f"sqlite:///{tmp_path}/records.db"))


def run(engine: Engine, *argv: str) -> str:
    out = io.StringIO()
    assert main(list(argv), out=out, engine=engine) == 0
    return out.getvalue()


def test_handoffs_are_listed_with_a_masked_transcript_and_since_filters(tmp_path: Path) -> None:
    engine = engine_at(tmp_path)
    record_handoff(engine, sender_id="old", reason="requested", language="ko", service_id=None, agency_id=None,
                   open_now=False, transcript=[], at=datetime(2026, 1, 5, 1, 0))
    record_handoff(engine, sender_id="web-1", reason="thumbs_down", language="en", service_id="passport_reissue",
                   agency_id="mofa", open_now=True,
                   transcript=[{"who": "user", "text": "born 1985-03-12, app 2026-0012347"}],
                   at=datetime(2026, 3, 4, 1, 0))
    everything = run(engine, "handoffs")
    assert "2 handoff(s)." in everything
    assert "2026-03-04 10:00 KST  sender=web-1  reason=thumbs_down  service=passport_reissue  agency=mofa" in everything
    assert "1985-03-12" not in everything and "2026-0012347" not in everything
    recent = run(engine, "handoffs", "--since", "2026-03-01")
    assert "sender=web-1" in recent and "sender=old" not in recent


def test_no_handoffs(tmp_path: Path) -> None:
    assert "No handoffs recorded." in run(engine_at(tmp_path), "handoffs")


def test_feedback_rates_by_service(tmp_path: Path) -> None:
    engine = engine_at(tmp_path)
    for helpful in (True, True, False):
        record_feedback(engine, sender_id="s", helpful=helpful, language="ko", intent="ask_service_fee",
                        service_id="passport_reissue", question="여권 수수료")
    record_feedback(engine, sender_id="s", helpful=True, language="en", intent="goodbye", service_id=None,
                    question=None)
    report = run(engine, "feedback", "--by-service")
    assert "Helpful: 3 of 4 ratings (75%)" in report
    assert "passport_reissue" in report and "2 / 3" in report
    assert "Questions that failed (1):" in report


def test_not_understood_messages_come_from_rasas_tracker_store(tmp_path: Path) -> None:
    engine = engine_at(tmp_path)
    with engine.begin() as connection:
        connection.execute(text(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, "
            "intent_name TEXT, action_name TEXT, data TEXT)"))
        for intent, message in (("nlu_fallback", "asdfgh 900101-1234567"), ("greet", "hello")):
            connection.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp, intent_name, data) "
                     "VALUES ('s', 'user', 1772000000, :intent, :data)"),
                {"intent": intent, "data": json.dumps({"event": "user", "text": message})},
            )
    report = run(engine, "feedback")
    assert "nlu_fallback: asdfgh ******-*******" in report
    assert "hello" not in report


def test_python_dash_m_records_runs(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run([sys.executable, "-m", "records", "handoffs"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "No handoffs recorded." in result.stdout
    bad = subprocess.run([sys.executable, "-m", "records", "handoffs", "--since", "yesterday"], cwd=PROJECT_ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "not a date" in bad.stderr
