"""One audit log for the CLIs and the console: application moves and lockout lifts by
``python -m applications`` and catalogue changes by ``python -m knowledge`` land in it."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.engine import Engine

from applications.cli import run as applications_cli
from applications.models import VerificationLockout
from core.db import session_scope
from knowledge.cli import main as knowledge_cli
from knowledge.models import AuditLog

from .conftest import APPLICATION_NUMBER


def audit_rows(engine: Engine, entity_id: str) -> list:
    with session_scope(engine) as session:
        return [row.as_dict() for row in session.scalars(
            select(AuditLog).where(AuditLog.entity_id == entity_id).order_by(AuditLog.id))]


def test_an_application_move_by_the_cli_is_audited_with_before_and_after(console_engine: Engine) -> None:
    url = str(console_engine.url)
    code = applications_cli(
        ["--database-url", url, "move", APPLICATION_NUMBER, "supplement_requested", "--by", "lee",
         "--documents", "여권용 사진 1매", "--deadline", "2026-12-15"],
        clock=lambda: datetime(2026, 12, 1, tzinfo=timezone.utc), out=io.StringIO(),
    )
    assert code == 0
    rows = audit_rows(console_engine, APPLICATION_NUMBER)
    assert [(r["actor"], r["action"], r["field"], r["old_value"], r["new_value"], r["source"]) for r in rows] == [
        ("lee", "move", "status", "received", "supplement_requested", "cli"),
        ("lee", "move", "supplement_documents", None, "여권용 사진 1매", "cli"),
        ("lee", "move", "supplement_deadline", None, date(2026, 12, 15).isoformat(), "cli"),
    ]


def test_a_refused_move_writes_no_audit_row(console_engine: Engine) -> None:
    code = applications_cli(["--database-url", str(console_engine.url), "move", APPLICATION_NUMBER,
                             "supplement_requested", "--by", "lee"], out=io.StringIO())
    assert code == 1
    assert audit_rows(console_engine, APPLICATION_NUMBER) == []


def test_a_lockout_lifted_by_the_cli_is_audited(console_engine: Engine) -> None:
    now = datetime.utcnow()
    with session_scope(console_engine) as session:
        session.add(VerificationLockout(kind="application_number", key=APPLICATION_NUMBER, locked_at=now,
                                        locked_until=now + timedelta(hours=1)))
    assert applications_cli(["--database-url", str(console_engine.url), "unlock", "--number", APPLICATION_NUMBER],
                            out=io.StringIO()) == 0
    rows = audit_rows(console_engine, APPLICATION_NUMBER)
    assert [(r["action"], r["new_value"], r["source"]) for r in rows] == [("unlock", "1 lifted", "cli")]


def test_a_catalogue_change_by_the_cli_is_versioned_for_the_consoles_history(
    console_engine: Engine, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from console.changes import history

    monkeypatch.setenv("DATABASE_URL", str(console_engine.url))
    assert knowledge_cli(["set", "passport_reissue", "fee.en", "KRW 53,000", "--by", "kim"], out=io.StringIO()) == 0
    latest = history(console_engine, "passport_reissue")[0]
    assert latest.actor == "kim" and latest.source == "cli"
    assert [change[0] for change in latest.changes] == ["fee.en"]
    rows = [r for r in audit_rows(console_engine, "passport_reissue") if r["actor"] == "kim"]
    assert rows[0]["field"] == "fee.en" and rows[0]["new_value"] == "KRW 53,000" and rows[0]["change_id"]
