"""The figures (issue 17, item 1): every figure equals its hand count."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from core.db import create_schema, get_engine
from records.cli import main
from records.figures import compute_figures, summarise
from tests.records.insight_support import fill_store

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MARCH = datetime(2026, 2, 28, 15, 0)  # 2026-03-01 00:00 Korea time, as naive UTC
APRIL = datetime(2026, 3, 31, 15, 0)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "assistant.db"


@pytest.fixture
async def engine(database: Path) -> Engine:
    engine = create_schema(get_engine(f"sqlite:///{database}"))
    await fill_store(database, engine)
    return engine


def test_every_figure_of_all_conversations_equals_its_hand_count(engine: Engine) -> None:
    figures = compute_figures(engine).overall

    assert figures.conversations == 5
    assert figures.messages == 8
    assert figures.fallbacks == 2 and figures.fallback_rate == pytest.approx(2 / 8)
    assert figures.handed_off == 2 and figures.handoff_rate == pytest.approx(0.4)
    assert figures.containment_rate == pytest.approx(0.6)
    assert figures.handoff_reasons == {"repeated_fallback": 1, "requested": 1}
    assert (figures.ratings, figures.helpful, figures.helpful_rate) == (2, 1, 0.5)
    assert figures.top_services == [("passport-reissue", 1), ("resident-copy", 1)]
    assert figures.median_turns == 2.0  # 2, 2, 2, 1, 1
    assert figures.median_response_seconds == 3.0  # 1, 1, 2, 3, 3, 4, 6


def test_the_breakdowns_split_by_month_channel_language_and_service(engine: Engine) -> None:
    report = compute_figures(engine)

    assert {key: f.conversations for key, f in report.by_period.items()} == {
        "2026-02": 1, "2026-03": 3, "2026-04": 1,
    }
    assert {key: f.conversations for key, f in report.by_channel.items()} == {"kakao": 1, "telegram": 1, "web": 3}
    assert {key: f.conversations for key, f in report.by_language.items()} == {"en": 2, "ko": 3}
    assert {key: f.conversations for key, f in report.by_service.items()} == {
        "-": 3, "passport-reissue": 1, "resident-copy": 1,
    }
    assert report.by_channel["telegram"].handoff_rate == 1.0
    assert report.by_channel["web"].helpful_rate == 1.0
    assert report.by_language["en"].messages == 3
    assert report.by_period["2026-03"].median_response_seconds == 3.0  # 1, 2, 3, 4, 6


def test_a_period_and_filters_choose_the_conversations(engine: Engine) -> None:
    march = compute_figures(engine, since=MARCH, until=APRIL).overall
    assert (march.conversations, march.messages, march.fallbacks, march.handed_off) == (3, 6, 2, 2)
    assert march.containment_rate == pytest.approx(1 / 3)
    assert march.median_turns == 2.0

    april = compute_figures(engine, since=APRIL).overall
    assert (april.conversations, april.messages, april.ratings) == (1, 1, 0)
    assert april.top_services == [("resident-copy", 1)]

    telegram = compute_figures(engine, channel="telegram").overall
    assert (telegram.conversations, telegram.helpful_rate, telegram.handoff_reasons) == (1, 0.0, {"requested": 1})
    korean_march = compute_figures(engine, since=MARCH, until=APRIL, language="ko").overall
    assert (korean_march.conversations, korean_march.fallbacks) == (2, 1)

    days = compute_figures(engine, since=MARCH, until=APRIL, period="day").by_period
    assert sorted(days) == ["2026-03-10", "2026-03-12", "2026-03-20"]
    with pytest.raises(ValueError):
        compute_figures(engine, period="year")


def test_no_conversations_give_empty_rates_not_errors(tmp_path: Path) -> None:
    engine = create_schema(get_engine(f"sqlite:///{tmp_path}/empty.db"))
    figures = compute_figures(engine).overall
    assert figures == summarise([])
    assert (figures.conversations, figures.fallback_rate, figures.median_turns) == (0, None, None)
    assert figures.as_dict()["top_services"] == []


def test_the_command_prints_the_figures_in_both_languages(engine: Engine) -> None:
    out = io.StringIO()
    assert main(["figures", "--since", "2026-03-01", "--until", "2026-03-31"], out=out, engine=engine) == 0
    printed = out.getvalue()
    assert "대화 / Conversations" in printed and " 3\n" in printed
    assert "자체 해결률 / Containment rate" in printed and "33.3%" in printed
    assert "requested 1" in printed and "repeated_fallback 1" in printed
    assert "채널별 / By channel" in printed and "telegram" in printed
    assert "licence" not in printed and "010" not in printed  # no citizen text

    out = io.StringIO()
    assert main(["report", "--since", "2026-04-01", "--language", "ko"], out=out, engine=engine) == 0
    assert "resident-copy 1" in out.getvalue()


def test_python_m_records_report_runs_on_the_configured_database(database: Path, engine: Engine) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "records", "report", "--since", "2026-03-01"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "운영 지표 / Figures  2026-03-01" in result.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "records", "figures", "--since", "March"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert bad.returncode == 2 and "2026-03-02" in bad.stderr


def test_figures_are_read_from_the_masked_store(database: Path, engine: Engine) -> None:
    import sqlite3

    with sqlite3.connect(database) as connection:
        texts = " ".join(row[0] for row in connection.execute("select data from events"))
    assert "010-1234-5678" not in texts  # the store masked it; the figures read only this
    started = time.perf_counter()
    compute_figures(engine)
    assert time.perf_counter() - started < 5
