"""Rasa lock stores for several Rasa workers and replicas: Redis when
``REDIS_URL`` is set, otherwise the project's SQL database.

Rasa serialises the messages of one conversation with a ticket lock kept in a
lock store. Its default store lives in process memory, and with it Rasa
silently runs a single Sanic worker whatever ``SANIC_WORKERS`` says.
endpoints.yml names :class:`ProjectLockStore`, which picks:

* :class:`RedisTicketLockStore` when ``REDIS_URL`` is set (the cluster and
  production set-up: every replica sees the same locks);
* :class:`SQLLockStore` otherwise: a ``rasa_locks`` table in a small SQLite
  file of its own beside a SQLite database (``var/locks.db``; tickets churn on
  every message and must not wait behind the tracker store's writes) or, for a
  server database such as PostgreSQL, in that database.

Rasa's base ``LockStore`` changes a lock by reading it, changing it and writing
it back; two replicas doing that at once lose one change (a ticket issued
twice, a finished ticket coming back and blocking the conversation until it
expires). Both stores here make every change one atomic read-modify-write
(:meth:`AtomicLockStore._modify`): a transaction holding the row's lock in SQL,
an optimistic ``WATCH``/``MULTI`` transaction in Redis.

Rasa's ``LockStore`` methods are synchronous, and Rasa's own ``lock()`` calls
them on the event loop, where a SQLite write waiting for another worker (up to
``LOCK_BUSY_TIMEOUT_MS``) or a slow network round trip would stall every
conversation of the worker. :meth:`AtomicLockStore.lock` is Rasa's ticket lock
with each of those calls made in a worker thread instead.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import zlib
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Optional, Text, Tuple, TypeVar
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore, RedisLockStore
from sqlalchemy import Column, MetaData, String, Table, delete, select
from sqlalchemy import Text as SqlText
from sqlalchemy.engine import Engine

from core.db import create_project_engine, create_tables, take_write_lock
from core.settings import get_settings

LOCK_BUSY_TIMEOUT_MS = 2000

#: First key of the PostgreSQL advisory locks that guard one conversation's row.
PG_LOCK_NAMESPACE = 7406150

T = TypeVar("T")
#: Given the stored lock (or None), return the lock to store (None: delete it) and a result.
LockChange = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]]

_metadata = MetaData()
locks_table = Table(
    "rasa_locks",
    _metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("data", SqlText, nullable=False),
)


logger = logging.getLogger(__name__)


class AtomicLockStore(LockStore):
    """A lock store whose every change to a lock is one atomic read-modify-write,
    and whose ``lock()`` never blocks the event loop on the store."""

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        """Hold ``conversation_id``'s lock for the body, as Rasa's ``LockStore.lock``:
        take a ticket, wait (``wait_time_in_seconds`` between looks) until it is
        served, and give it back at the end, whatever happens. Raises
        ``LockError`` when the lock expired while waiting."""
        ticket = await asyncio.to_thread(self.issue_ticket, conversation_id, lock_lifetime)
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            await asyncio.to_thread(self.cleanup, conversation_id, ticket)

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        """Rasa's wait for ``ticket`` to be served, reading the store in a worker thread."""
        while True:
            lock = await asyncio.to_thread(self.get_lock, conversation_id)
            if not lock:  # expired while waiting
                break
            if not lock.is_locked(ticket):
                return lock
            logger.debug("conversation lock busy: %d ticket(s) ahead", ticket - (lock.now_serving or 0))
            await asyncio.sleep(wait_time_in_seconds)
            await asyncio.to_thread(self.update_lock, conversation_id)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

    def _modify(self, conversation_id: Text, change: LockChange[T]) -> T:
        """Apply ``change`` to the stored lock of ``conversation_id`` atomically; return its result."""
        raise NotImplementedError

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket for ``conversation_id``; no two callers ever get the same one."""

        def issue(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._modify(conversation_id, issue)
        except Exception as error:  # noqa: BLE001 - Rasa expects a LockError, with the cause
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        """Remove the expired tickets of ``conversation_id``'s lock (a waiter calls this)."""

        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._modify(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove ticket ``ticket_number`` from ``conversation_id``'s lock."""

        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._modify(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove ticket ``ticket_number``, and the whole lock when no one else holds a ticket."""

        def finish_and_drop(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], bool]:
            if lock is None:
                return None, False
            lock.remove_ticket_for(ticket_number)
            return (lock, False) if lock.is_someone_waiting() else (None, True)

        if self._modify(conversation_id, finish_and_drop):
            self._log_deletion(conversation_id, True)


def default_lock_database_url() -> str:
    """Where the locks live: a SQLite file beside a SQLite database, else the database itself."""
    settings = get_settings()
    url = settings.database_url
    if url.startswith("sqlite"):
        return f"sqlite:///{Path(settings.var_dir) / 'locks.db'}"
    return url


def prepare_lock_table() -> None:
    """Create the SQL lock store's table now, unless the locks live in Redis
    (``REDIS_URL``): :mod:`core.serve_rasa` calls this once before Rasa forks
    its workers, so they find the table instead of racing to create it."""
    if os.environ.get("REDIS_URL", "").strip():
        return
    engine = create_project_engine(default_lock_database_url(), busy_timeout_ms=LOCK_BUSY_TIMEOUT_MS)
    try:
        create_tables(_metadata, engine)
    finally:
        engine.dispose()


def _pg_lock_key(conversation_id: Text) -> int:
    """A signed 32-bit key for ``conversation_id`` (collisions only make two conversations wait in turn)."""
    key = zlib.crc32(conversation_id.encode("utf-8"))
    return key - (1 << 32) if key >= 1 << 31 else key


class SQLLockStore(AtomicLockStore):
    """Ticket locks in a SQL table (see the module docstring)."""

    def __init__(self, url: Optional[Text] = None, **_kwargs: Any) -> None:
        self.engine: Engine = create_project_engine(
            url or default_lock_database_url(), busy_timeout_ms=LOCK_BUSY_TIMEOUT_MS
        )
        create_tables(_metadata, self.engine)
        super().__init__()

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        """The stored lock of ``conversation_id``, or None."""
        with self.engine.connect() as connection:
            data = connection.execute(
                select(locks_table.c.data).where(locks_table.c.conversation_id == conversation_id)
            ).scalar()
        return TicketLock.from_dict(json.loads(data)) if data else None

    def delete_lock(self, conversation_id: Text) -> None:
        """Remove the lock of ``conversation_id`` (nothing happens when there is none)."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(locks_table).where(locks_table.c.conversation_id == conversation_id))
        self._log_deletion(conversation_id, bool(result.rowcount))

    def save_lock(self, lock: TicketLock) -> None:
        """Store ``lock``, replacing the conversation's previous one."""
        with self.engine.begin() as connection:
            self._write(connection, lock)

    def _modify(self, conversation_id: Text, change: LockChange[T]) -> T:
        """One transaction that holds the conversation's lock row from the read to the write."""
        dialect = self.engine.dialect.name
        with self.engine.begin() as connection:
            take_write_lock(connection)  # SQLite: no other worker reads the lock in between
            if dialect == "postgresql":
                # SELECT ... FOR UPDATE cannot lock a row that does not exist
                # yet; an advisory lock on the conversation also covers the first ticket.
                connection.exec_driver_sql(
                    f"SELECT pg_advisory_xact_lock({PG_LOCK_NAMESPACE}, {_pg_lock_key(conversation_id)})"
                )
            query = select(locks_table.c.data).where(locks_table.c.conversation_id == conversation_id)
            if dialect not in ("sqlite", "postgresql"):
                query = query.with_for_update()
            data = connection.execute(query).scalar()
            lock, result = change(TicketLock.from_dict(json.loads(data)) if data else None)
            if lock is not None:
                self._write(connection, lock)
            elif data is not None:
                connection.execute(delete(locks_table).where(locks_table.c.conversation_id == conversation_id))
        return result

    def _write(self, connection: Any, lock: TicketLock) -> None:
        values = {"conversation_id": lock.conversation_id, "data": lock.dumps()}
        dialect = self.engine.dialect.name
        if dialect in ("sqlite", "postgresql"):
            if dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert
            else:
                from sqlalchemy.dialects.postgresql import insert
            statement = insert(locks_table).values(**values)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[locks_table.c.conversation_id], set_={"data": statement.excluded.data}
                )
            )
            return
        same_conversation = locks_table.c.conversation_id == lock.conversation_id
        updated = connection.execute(locks_table.update().where(same_conversation).values(data=values["data"]))
        if not updated.rowcount:
            connection.execute(locks_table.insert().values(**values))


def redis_options(url: Text) -> dict:
    """Keyword arguments of Rasa's ``RedisLockStore`` for a ``redis://`` or ``rediss://`` URL.

    ``redis://[user:password@]host[:port][/db]``; the database defaults to 1
    (Rasa's default for locks). Raises ``ValueError`` for another scheme.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError(f"REDIS_URL must start with redis:// or rediss://, got {parts.scheme or url!r}")
    path = parts.path.strip("/")
    return {
        "host": parts.hostname or "localhost",
        "port": parts.port or 6379,
        "db": int(path) if path else 1,
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "use_ssl": parts.scheme == "rediss",
    }


class RedisTicketLockStore(AtomicLockStore, RedisLockStore):
    """Rasa's RedisLockStore with atomic lock changes (see the module docstring)."""

    @classmethod
    def from_url(cls, url: Text, **kwargs: Any) -> "RedisTicketLockStore":
        """A store for the Redis server at ``url`` (see :func:`redis_options`)."""
        return cls(**{**redis_options(url), **kwargs})

    def _modify(self, conversation_id: Text, change: LockChange[T]) -> T:
        """``WATCH`` the key, read, change and write it in ``MULTI``; retried when another writer came first."""
        key = self.key_prefix + conversation_id
        outcome: list = []

        def transaction(pipe: Any) -> None:
            data = pipe.get(key)
            lock, result = change(TicketLock.from_dict(json.loads(data)) if data else None)
            outcome[:] = [result]
            pipe.multi()
            if lock is not None:
                pipe.set(key, lock.dumps())
            elif data is not None:
                pipe.delete(key)

        self.red.transaction(transaction, key)
        return outcome[0]


class ProjectLockStore:
    """The lock store endpoints.yml names: Redis when ``REDIS_URL`` is set, else SQL.

    Rasa builds a custom lock store by calling its class with
    ``endpoint_config=``; calling this class returns a
    :class:`RedisTicketLockStore` or a :class:`SQLLockStore` (``url`` in the
    endpoint config, if any, is the SQL database of the locks).
    """

    def __new__(cls, endpoint_config: Any = None, **kwargs: Any) -> AtomicLockStore:  # type: ignore[misc]
        redis_url = os.environ.get("REDIS_URL", "").strip()
        if redis_url:
            return RedisTicketLockStore.from_url(redis_url)
        url = getattr(endpoint_config, "url", None) or kwargs.get("url")
        return SQLLockStore(url)
