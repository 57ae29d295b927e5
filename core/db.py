"""The one SQL database: declarative base, engine factory and sessions.

All packages (catalogue, applications, audit, feedback) declare their models on
:data:`Base`; the schema is built and changed by the Alembic migrations in
``core/migrations`` (:func:`create_schema`). Nothing connects at import
time: engines are built by :func:`get_engine` on first use and cached per URL.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Optional

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from core.settings import get_settings

Base = declarative_base()

_engines: Dict[str, Engine] = {}
_lock = threading.Lock()
# Engines whose database this process has already migrated (see create_schema).
_migrated: "weakref.WeakSet[Engine]" = weakref.WeakSet()
_migration_lock = threading.Lock()


DEFAULT_BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets the bot read while a staff command writes; with WAL, NORMAL
        # syncs at checkpoints instead of on every commit, and a committed turn
        # still survives a crash of the process (only a power cut can lose the
        # last few). busy_timeout waits for another writer instead of failing.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # Deleted rows (a purged conversation, an expired sealed value) are
        # overwritten with zeros instead of lingering in free pages of the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return apply


def create_project_engine(url: str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """A new engine for ``url`` with the project's settings (not cached; see :func:`get_engine`).

    For a SQLite file: the parent folder is created, connections are pooled
    (SQLAlchemy 1.4 would open a new one per session) and shared across the
    worker threads that run database work, and every connection gets the
    pragmas above, waiting up to ``busy_timeout_ms`` for another writer (a
    store called on an event loop passes a shorter wait). Other databases get
    ``pool_pre_ping``.
    """
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:") or url.startswith("sqlite:///:memory:")
        if not in_memory:
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
            kwargs.setdefault("poolclass", QueuePool)
            kwargs.setdefault("pool_size", 8)
            kwargs.setdefault("max_overflow", 8)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(url, future=True, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, **kwargs)


#: How often :func:`create_tables` tries when another process creates the same tables.
CREATE_TABLE_ATTEMPTS = 3


def create_tables(metadata: MetaData, engine: Engine) -> None:
    """Create the tables of ``metadata`` that ``engine``'s database lacks.

    Safe when several processes do it at the same moment (Rasa's Sanic
    workers, replicas starting together): ``create_all`` checks and then
    creates, so a loser of that race is told the table already exists
    (SQLite, PostgreSQL) or hits a duplicate catalogue key (PostgreSQL); it
    then checks again and finds the table. Any other failure is raised.
    """
    for attempt in range(1, CREATE_TABLE_ATTEMPTS + 1):
        try:
            metadata.create_all(engine)
            return
        except DBAPIError:
            if attempt == CREATE_TABLE_ATTEMPTS:
                raise


def take_write_lock(connection: Connection) -> None:
    """On SQLite, begin ``connection``'s transaction holding the database's write
    lock (``BEGIN IMMEDIATE``), so nothing read in it can change before it
    writes; pysqlite has not begun one yet, as it only does so before DML.
    Other databases lock rows themselves (``FOR UPDATE``, advisory locks)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def get_engine(url: Optional[str] = None) -> Engine:
    """Return the engine for ``url`` (default: ``DATABASE_URL``), creating it once
    with :func:`create_project_engine`."""
    url = url or get_settings().database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create_project_engine(url)
            _engines[url] = engine
    return engine


def create_schema(engine: Optional[Engine] = None) -> Engine:
    """Bring the database of ``engine`` (default: ``DATABASE_URL``) to the newest schema.

    Applies the Alembic migrations in ``core/migrations`` (a database that
    ``create_all`` made before migrations existed is adopted by the baseline
    revision). The check runs once per engine and process: later calls return
    at once, so request handlers may call this before every write.
    """
    engine = engine or get_engine()
    with _lock:
        if engine in _migrated:
            return engine
    from core.migrations import upgrade

    with _migration_lock:
        if engine not in _migrated:
            upgrade(engine)
            with _lock:
                _migrated.add(engine)
    return engine


@contextlib.contextmanager
def session_scope(engine: Optional[Engine] = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any exception."""
    factory = sessionmaker(bind=engine or get_engine(), future=True, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engines() -> None:
    """Close every cached engine (for tests and clean shutdown)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
