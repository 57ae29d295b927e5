"""The live-agent queue on PostgreSQL (Debian's, started by the test session):
the migration, places in line, and many agents taking the same chats at once
with exactly one winner each."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from core.db import create_schema, get_engine
from records.live_agents import chat_figures, end_chat, get_chat, join_queue, take_chat

START = datetime(2026, 12, 2, 1, 0)


@pytest.fixture
def pg_engine(pg_server):  # type: ignore[no-untyped-def]
    from tests.scaleout.conftest import new_database

    engine = create_schema(get_engine(new_database(pg_server)))
    yield engine
    engine.dispose()


def test_each_chat_goes_to_exactly_one_of_many_agents_on_postgresql(pg_engine) -> None:  # type: ignore[no-untyped-def]
    chats = [
        join_queue(pg_engine, sender_id=f"telegram:{n}", language="ko", reason="requested", agency_id=None,
                   transcript=[{"who": "user", "text": "상담원"}], now=START + timedelta(seconds=n)).chat_id
        for n in range(10)
    ]
    assert join_queue(pg_engine, sender_id="late", language="en", reason="requested", agency_id=None,
                      now=START + timedelta(minutes=1)).position == 11
    wins: list = []
    barrier = threading.Barrier(6)

    def agent(staff_id: int) -> None:
        barrier.wait()
        for chat_id in chats:
            if take_chat(pg_engine, chat_id, staff_id, f"agent{staff_id}", None, now=START + timedelta(minutes=2)):
                wins.append(chat_id)

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == sorted(chats)
    for chat_id in chats:
        chat = get_chat(pg_engine, chat_id)
        assert end_chat(pg_engine, chat_id, chat.agent_id, now=START + timedelta(minutes=4))
    assert chat_figures(pg_engine, since=START)["handled"] == 10
