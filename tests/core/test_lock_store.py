"""The SQL lock store hands out tickets that several Rasa workers can share."""

import asyncio
import threading
import time
from pathlib import Path
from typing import List

import pytest
from rasa.core.lock_store import LockStore

from core.lock_store import SQLLockStore


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'locks.db'}"


def test_rasa_loads_it_from_an_endpoint_config_and_allows_several_workers(url: str, monkeypatch) -> None:
    from rasa.core.utils import number_of_sanic_workers
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig(type="core.lock_store.SQLLockStore", url=url)
    assert isinstance(LockStore.create(config), SQLLockStore)
    monkeypatch.setenv("SANIC_WORKERS", "2")
    assert number_of_sanic_workers(config) == 2


def test_tickets_are_served_in_order_and_the_lock_goes_when_done(url: str) -> None:
    store = SQLLockStore(url)
    first = store.issue_ticket("citizen")
    second = store.issue_ticket("citizen")
    assert (first, second) == (0, 1)
    lock = store.get_lock("citizen")
    assert lock is not None and not lock.is_locked(first) and lock.is_locked(second)

    store.cleanup("citizen", first)
    lock = store.get_lock("citizen")
    assert lock is not None and not lock.is_locked(second)
    store.cleanup("citizen", second)
    assert store.get_lock("citizen") is None


async def test_the_lock_context_serialises_one_conversation(url: str) -> None:
    store = SQLLockStore(url)
    async with store.lock("citizen") as lock:
        assert lock.conversation_id == "citizen"
    assert store.get_lock("citizen") is None


def test_parallel_workers_never_get_the_same_ticket(url: str) -> None:
    """Eight stores (as eight worker processes would have) issue 20 tickets each at once."""
    stores = [SQLLockStore(url) for _ in range(8)]
    tickets: List[int] = []
    guard = threading.Lock()
    start = threading.Barrier(len(stores))

    def issue(store: SQLLockStore) -> None:
        start.wait()
        for _ in range(20):
            ticket = store.issue_ticket("busy")
            with guard:
                tickets.append(ticket)

    threads = [threading.Thread(target=issue, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(tickets) == list(range(160))


async def test_waiting_for_the_store_does_not_stall_the_event_loop(url: str) -> None:
    """A store call that blocks (a SQLite write waiting for another worker) runs in
    a thread: the worker's other conversations go on meanwhile."""

    class SlowStore(SQLLockStore):
        def issue_ticket(self, conversation_id: str, lock_lifetime: float = 60) -> int:
            time.sleep(0.3)
            return super().issue_ticket(conversation_id, lock_lifetime)

    store = SlowStore(url)
    ticks = 0

    async def other_conversations() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(other_conversations())
    async with store.lock("citizen"):
        pass
    ticker.cancel()
    assert ticks >= 10, f"the event loop ran only {ticks} times during a 0.3 s store call"
    assert store.get_lock("citizen") is None


async def test_two_messages_of_one_conversation_take_turns(url: str) -> None:
    store = SQLLockStore(url)
    order: List[str] = []

    async def handle(name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        async with store.lock("citizen", wait_time_in_seconds=0.02):
            order.append(f"{name} in")
            await asyncio.sleep(0.1)
            order.append(f"{name} out")

    await asyncio.gather(handle("first", 0), handle("second", 0.02))
    assert order == ["first in", "first out", "second in", "second out"]
    assert store.get_lock("citizen") is None
