"""The lock stores that several Rasa processes share: Redis (REDIS_URL) and SQL on PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Callable, List

import pytest
from rasa.core.lock_store import LockStore
from rasa.core.utils import number_of_sanic_workers
from rasa.utils.endpoints import EndpointConfig

from core.lock_store import AtomicLockStore, RedisTicketLockStore, SQLLockStore, redis_options

PROJECT_STORE = EndpointConfig(type="core.lock_store.ProjectLockStore")


def test_endpoints_pick_redis_when_redis_url_is_set_and_allow_several_workers(
    redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(LockStore.create(PROJECT_STORE), SQLLockStore)
    monkeypatch.setenv("REDIS_URL", redis_url)
    store = LockStore.create(PROJECT_STORE)
    assert isinstance(store, RedisTicketLockStore)
    assert store.red.ping()
    monkeypatch.setenv("SANIC_WORKERS", "2")
    assert number_of_sanic_workers(PROJECT_STORE) == 2


def test_redis_urls_are_read_like_redis_py_reads_them() -> None:
    assert redis_options("redis://127.0.0.1:6380/2") == {
        "host": "127.0.0.1", "port": 6380, "db": 2, "username": None, "password": None, "use_ssl": False,
    }
    secure = redis_options("rediss://locks:p%40ss@redis.internal")
    assert (secure["host"], secure["port"], secure["db"], secure["username"], secure["password"], secure["use_ssl"]) == (
        "redis.internal", 6379, 1, "locks", "p@ss", True,
    )
    with pytest.raises(ValueError, match="REDIS_URL"):
        redis_options("http://localhost:6379")


@pytest.fixture(params=["redis", "postgresql"])
def make_store(request: pytest.FixtureRequest) -> Callable[[], AtomicLockStore]:
    """A factory of stores that share one backend, as replicas do."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        return lambda: RedisTicketLockStore.from_url(url)
    url = request.getfixturevalue("pg_url")
    return lambda: SQLLockStore(url)


def run_together(count: int, work: Callable[[int], None]) -> None:
    start = threading.Barrier(count)
    errors: List[BaseException] = []

    def run(index: int) -> None:
        start.wait()
        try:
            work(index)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def test_stores_on_one_backend_never_issue_the_same_ticket(make_store: Callable[[], AtomicLockStore]) -> None:
    """Eight stores (eight Rasa processes) ask for tickets of a brand-new conversation at once."""
    stores = [make_store() for _ in range(8)]
    conversation = f"c-{uuid.uuid4().hex}"
    tickets: List[int] = []
    guard = threading.Lock()

    def issue(index: int) -> None:
        for _ in range(15):
            ticket = stores[index].issue_ticket(conversation)
            with guard:
                tickets.append(ticket)

    run_together(len(stores), issue)
    assert sorted(tickets) == list(range(120))


def test_tickets_are_served_one_at_a_time_in_order_and_the_lock_is_removed(
    make_store: Callable[[], AtomicLockStore],
) -> None:
    """Four processes serve one conversation the way Rasa does (issue, wait with update_lock, cleanup).

    With a read-modify-write that is not atomic, a waiter's update_lock or a
    finishing cleanup can bring a finished ticket back, and the conversation
    then stalls until that ticket expires (30 s here): this would time out.
    """
    stores = [make_store() for _ in range(4)]
    conversation = f"c-{uuid.uuid4().hex}"
    served: List[int] = []
    inside = threading.Lock()

    def serve(index: int) -> None:
        store = stores[index]
        for _ in range(10):
            ticket = store.issue_ticket(conversation, 30)
            deadline = time.monotonic() + 20
            while True:
                lock = store.get_lock(conversation)
                if lock is None or not lock.is_locked(ticket):
                    break
                assert time.monotonic() < deadline, f"ticket {ticket} stalled behind {lock.tickets}"
                store.update_lock(conversation)
                time.sleep(0.002)
            assert inside.acquire(blocking=False), "two tickets were served at once"
            served.append(ticket)
            inside.release()
            store.cleanup(conversation, ticket)

    run_together(len(stores), serve)
    assert len(served) == 40
    # Tickets are served in the order issued. When nobody holds or waits for a
    # ticket the lock is deleted, and the next one starts again at 0 (Rasa's
    # own semantics), so numbers may repeat but only after such a restart.
    for before, after in zip(served, served[1:], strict=False):
        assert after > before or after == 0, served
    assert stores[0].get_lock(conversation) is None
