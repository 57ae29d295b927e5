"""A Rasa lock store in the project's SQL database, so several Rasa workers (or
replicas) can share conversations without Redis.

Rasa serialises the messages of one conversation with a ticket lock kept in a
lock store. Its default store lives in process memory, and with it Rasa
silently runs a single Sanic worker whatever ``SANIC_WORKERS`` says. This store
keeps the locks in a ``rasa_locks`` table: in a small SQLite file of its own
beside the database (``var/locks.db``; tickets churn on every message and must
not wait behind the tracker store's writes) or, for a server database such as
PostgreSQL, in that database. With ``REDIS_URL`` set, Rasa's own
``RedisLockStore`` is the better choice (see endpoints.yml).

Rasa's ``LockStore`` interface is synchronous: like Rasa's RedisLockStore, each
call runs on the event loop. A call is one indexed row read or write on a
pooled connection (tens of microseconds on SQLite in WAL mode); the SQLite busy
timeout is kept short (``LOCK_BUSY_TIMEOUT_MS``) so a stuck writer cannot stall
the loop for long. Issuing a ticket reads and writes the row in one
transaction, so two workers can never hand out the same ticket number.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from sqlalchemy import Column, MetaData, String, Table, delete, event, select
from sqlalchemy import Text as SqlText
from sqlalchemy.engine import Engine

from core.db import create_project_engine
from core.settings import get_settings

LOCK_BUSY_TIMEOUT_MS = 2000

_metadata = MetaData()
locks_table = Table(
    "rasa_locks",
    _metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("data", SqlText, nullable=False),
)


def default_lock_database_url() -> str:
    """Where the locks live: a SQLite file beside a SQLite database, else the database itself."""
    settings = get_settings()
    url = settings.database_url
    if url.startswith("sqlite"):
        return f"sqlite:///{Path(settings.var_dir) / 'locks.db'}"
    return url


def _short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={LOCK_BUSY_TIMEOUT_MS}")
    cursor.close()


class SQLLockStore(LockStore):
    """Ticket locks in a SQL table (see the module docstring)."""

    def __init__(self, url: Optional[Text] = None, **_kwargs: Any) -> None:
        self.engine: Engine = create_project_engine(url or default_lock_database_url())
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _short_busy_timeout)
        _metadata.create_all(self.engine)
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

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket for ``conversation_id``, read-modify-written in one transaction."""
        try:
            with self.engine.begin() as connection:
                if self.engine.dialect.name == "sqlite":
                    # Take SQLite's write lock before reading, so no other worker
                    # reads the same ticket counter in between.
                    # (pysqlite has not begun one yet: it only does so before DML.)
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                query = select(locks_table.c.data).where(locks_table.c.conversation_id == conversation_id)
                if self.engine.dialect.name == "postgresql":
                    query = query.with_for_update()
                data = connection.execute(query).scalar()
                lock = TicketLock.from_dict(json.loads(data)) if data else TicketLock(conversation_id)
                ticket = lock.issue_ticket(lock_lifetime)
                self._write(connection, lock)
            return ticket
        except Exception as error:  # noqa: BLE001 - Rasa expects a LockError, with the cause
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

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
