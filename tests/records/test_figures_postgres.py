"""The figures, the review inbox and the open figures on PostgreSQL (Debian's, started by the test session)."""

from __future__ import annotations

import pytest

from channels.web.public_api.figures import public_rows
from core.db import create_schema, get_engine
from records.figures import compute_figures, monthly_cube
from records.review import collect, export_training, find_span, label, list_items
from tests.records.insight_support import fill_store


@pytest.fixture
def pg_url(pg_server):
    from tests.scaleout.conftest import new_database

    url = new_database(pg_server)
    yield url
    get_engine(url).dispose()


async def test_the_same_hand_counts_hold_on_postgresql(pg_url: str) -> None:
    engine = create_schema(get_engine(pg_url))
    await fill_store(pg_url, engine)

    figures = compute_figures(engine).overall
    assert (figures.conversations, figures.messages, figures.fallbacks, figures.handed_off) == (5, 8, 2, 2)
    assert (figures.helpful_rate, figures.median_turns, figures.median_response_seconds) == (0.5, 2.0, 3.0)
    assert {key: f.conversations for key, f in compute_figures(engine).by_channel.items()} == {
        "kakao": 1, "telegram": 1, "web": 3,
    }
    assert all(row["suppressed"] for row in public_rows(monthly_cube(engine)))  # every group is under five

    assert collect(engine) == 4 and collect(engine) == 0
    item = next(row for row in list_items(engine) if row.source == "nlu_fallback" and "licence" in row.text)
    label(engine, item.id, "accepted", "trainer1", "ask_service_how_to_apply", find_span(item.text, "licence"))
    assert "[licence](service)" in export_training(engine).text
