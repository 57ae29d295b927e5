"""Call-back requests (issue 18, item 1) on a real SQLite database: phone
checks in both digit widths, a resident registration number refused and never
stored, consent required, the number sealed, the message masked, the agency
list, done, and the purge after the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from core.db import create_project_engine, create_schema, session_scope
from records.callback_models import CallbackRequest
from records.callbacks import (
    MESSAGE_MAX_CHARS,
    RETENTION_DAYS,
    check_phone,
    create_request,
    mark_done,
    open_requests,
    purge_callbacks,
)

SECRET = b"test pepper for call-backs"
START = datetime(2026, 12, 2, 12, 0)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return create_schema(create_project_engine(f"sqlite:///{tmp_path}/callbacks.db"))


@pytest.mark.parametrize("typed, number", [
    ("010-1234-5678", "01012345678"),
    ("01012345678", "01012345678"),
    ("０１０－１２３４－５６７８", "01012345678"),
    ("010 1234 5678", "01012345678"),
    ("+82 10-1234-5678", "01012345678"),
    ("02-120-1234", "021201234"),
    ("(031) 123-4567", "0311234567"),
    ("070-1234-5678", "07012345678"),
    ("1588-1234", "15881234"),
])
def test_korean_numbers_in_both_widths_are_read(typed: str, number: str) -> None:
    assert check_phone(typed).number == number


@pytest.mark.parametrize("typed", ["12345", "phone please", "010-12-34", "099-1234-5678", ""])
def test_what_is_not_a_phone_number_is_refused(typed: str) -> None:
    checked = check_phone(typed)
    assert checked.number is None and checked.problem == "invalid"


@pytest.mark.parametrize("typed", ["900101-1234567", "9001011234567", "９００１０１－１２３４５６７"])
def test_a_resident_number_typed_as_the_phone_is_refused(typed: str) -> None:
    checked = check_phone(typed)
    assert checked == type(checked)(None, "resident_number")


def test_a_request_is_stored_sealed_and_masked(engine: Engine, tmp_path: Path) -> None:
    request_id = create_request(
        engine, phone="010-9876-5432", message="여권 재발급 문의, 생년월일 1985-03-12, 다른 번호 010-1111-2222",
        language="ko", channel="web", agency_id="mofa", reason="out_of_hours", consent=True,
        secret=SECRET, now=START)
    assert request_id is not None
    with session_scope(engine) as session:
        row = session.execute(select(CallbackRequest)).scalar_one()
        assert "9876" not in row.phone_sealed and "5432" not in row.phone_sealed
        assert "1985" not in row.message and "1111-2222" not in row.message
        assert row.consent_at == START and row.state == "open"
    raw = (tmp_path / "callbacks.db").read_bytes()
    assert b"01098765432" not in raw and b"9876" not in raw
    [view] = open_requests(engine, "mofa", secret=SECRET)
    assert view.phone == "010-9876-5432" and view.reason == "out_of_hours"


def test_without_consent_or_with_a_resident_number_nothing_is_stored(engine: Engine, tmp_path: Path) -> None:
    assert create_request(engine, phone="010-9876-5432", message="", language="en", channel="web",
                          agency_id=None, reason="no_agent", consent=False, secret=SECRET) is None
    assert create_request(engine, phone="900101-1234567", message="", language="ko", channel="web",
                          agency_id=None, reason="no_agent", consent=True, secret=SECRET) is None
    with engine.connect() as connection:
        assert connection.execute(text("select count(*) from callback_requests")).scalar() == 0
    assert b"1234567" not in (tmp_path / "callbacks.db").read_bytes()


def test_the_message_is_bounded(engine: Engine) -> None:
    create_request(engine, phone="01012345678", message="가" * 2000, language="ko", channel="telegram",
                   agency_id=None, reason="timed_out", consent=True, secret=SECRET)
    [view] = open_requests(engine, None, secret=SECRET)
    assert len(view.message) == MESSAGE_MAX_CHARS


def test_staff_see_their_agency_and_the_pool_and_mark_done_once(engine: Engine) -> None:
    mofa = create_request(engine, phone="01011112222", message="", language="ko", channel="web",
                          agency_id="mofa", reason="no_agent", consent=True, secret=SECRET, now=START)
    pool = create_request(engine, phone="0212345678", message="", language="en", channel="web",
                          agency_id=None, reason="out_of_hours", consent=True, secret=SECRET,
                          now=START + timedelta(minutes=1))
    mois = create_request(engine, phone="01033334444", message="", language="ko", channel="kakao",
                          agency_id="mois", reason="no_agent", consent=True, secret=SECRET,
                          now=START + timedelta(minutes=2))
    assert [v.id for v in open_requests(engine, "mofa", secret=SECRET)] == [mofa, pool]
    assert [v.id for v in open_requests(engine, None, secret=SECRET)] == [mofa, pool, mois]
    assert not mark_done(engine, mois, "agent.mofa", "mofa")
    assert mark_done(engine, mofa, "agent.mofa", "mofa")
    assert not mark_done(engine, mofa, "agent.mofa", "mofa")
    assert [v.id for v in open_requests(engine, "mofa", secret=SECRET)] == [pool]


def test_requests_are_purged_after_the_retention_period(engine: Engine) -> None:
    old = create_request(engine, phone="01011112222", message="", language="ko", channel="web",
                         agency_id=None, reason="no_agent", consent=True, secret=SECRET, now=START)
    create_request(engine, phone="01033334444", message="", language="ko", channel="web",
                   agency_id=None, reason="no_agent", consent=True, secret=SECRET,
                   now=START + timedelta(days=RETENTION_DAYS))
    later = START + timedelta(days=RETENTION_DAYS, hours=1)
    assert purge_callbacks(engine, now=later, dry_run=True) == 1
    assert purge_callbacks(engine, now=later) == 1
    assert old not in [v.id for v in open_requests(engine, None, secret=SECRET)]
    assert len(open_requests(engine, None, secret=SECRET)) == 1


def test_migration_0008_creates_the_table_after_0007(tmp_path: Path) -> None:
    from sqlalchemy import inspect

    from core.migrations import current_revision, head_revision, upgrade

    engine = create_project_engine(f"sqlite:///{tmp_path}/migrated.db")
    upgrade(engine, "0007")
    assert "callback_requests" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert head_revision() == "0008" and current_revision(engine) == "0008"
    assert "callback_requests" in inspect(engine).get_table_names()
