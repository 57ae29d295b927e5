"""The test backends themselves (tests/conftest.py): whichever
``ASSISTANT_TEST_BACKEND`` a run selects, the conversation fixtures really use
it, so the PostgreSQL + Redis run of ``make test`` is not SQLite in disguise.
Runs in both modes (``make test`` runs it in the PostgreSQL one)."""

from __future__ import annotations

import os
import uuid
from typing import Any

import sqlalchemy as sa

from tests.conftest import TEST_BACKEND


def _inner(store: Any) -> Any:
    """The store under Rasa's wrappers (AwaitableTrackerStore, FailSafeTrackerStore)."""
    seen = set()
    while id(store) not in seen:
        seen.add(id(store))
        store = getattr(store, "_tracker_store", store)
    return store


async def test_the_agent_keeps_conversations_where_the_backend_says(rasa_agent: Any, action_server: str) -> None:
    sender = f"backend-{uuid.uuid4().hex[:10]}"
    replies = await rasa_agent.handle_text("안녕하세요", sender_id=sender)
    assert replies, "the assistant answered nothing"
    tracker_store = _inner(rasa_agent.tracker_store)
    lock_store = rasa_agent.lock_store
    if TEST_BACKEND == "sqlite":
        assert type(tracker_store).__name__ == "InMemoryTrackerStore"
        assert os.environ["DATABASE_URL"].startswith("sqlite:///")
        return
    assert TEST_BACKEND == "postgres"
    assert type(tracker_store).__name__ == "MaskingSQLTrackerStore"
    assert type(lock_store).__name__ == "RedisTicketLockStore"
    url = os.environ["DATABASE_URL"]
    assert url.startswith("postgresql://") and os.environ["REDIS_URL"].startswith("redis://")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                sa.text("SELECT count(*) FROM events WHERE sender_id = :sender AND type_name = 'user'"),
                {"sender": sender},
            ).scalar_one()
    finally:
        engine.dispose()
    assert stored == 1  # the turn is in PostgreSQL, where the action server's data is too
