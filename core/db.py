"""The one SQL database: declarative base, engine factory and sessions.

All packages (catalogue, applications, audit, feedback) declare their models on
:data:`Base` so one ``create_all`` builds the schema. Nothing connects at import
time: engines are built by :func:`get_engine` on first use and cached per URL.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from core.settings import get_settings

Base = declarative_base()

_engines: Dict[str, Engine] = {}
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the bot read while a staff command writes; with WAL, NORMAL
    # syncs at checkpoints instead of on every commit, and a committed turn
    # still survives a crash of the process (only a power cut can lose the
    # last few). busy_timeout waits for another writer instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_project_engine(url: str, **kwargs: Any) -> Engine:
    """A new engine for ``url`` with the project's settings (not cached; see :func:`get_engine`).

    For a SQLite file: the parent folder is created, connections are pooled
    (SQLAlchemy 1.4 would open a new one per session) and shared across the
    worker threads that run database work, and every connection gets the
    pragmas above. Other databases get ``pool_pre_ping``.
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
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, **kwargs)


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
    """Create every table declared on :data:`Base` that does not exist yet.

    Importing the model modules registers their tables; this function imports
    the ones that exist so callers need not know them.
    """
    import importlib

    for module in ("knowledge.models", "applications.models", "records.models"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name is None or not module.startswith(error.name):
                raise
    engine = engine or get_engine()
    Base.metadata.create_all(engine)
    _add_missing_nullable_columns(engine)
    return engine


def _add_missing_nullable_columns(engine: Engine) -> None:
    """Add the optional columns a newer model declares to a database made by an older one.

    ``create_all`` makes missing tables but never changes an existing one, so a
    database seeded before a field such as ``deadline`` existed would fail on
    every read. Only nullable columns without a server default are added; any
    other schema change needs a real migration.
    """
    inspector = inspect(engine)
    existing_tables = set(inspector.get_table_names())
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present or not column.nullable or column.server_default is not None:
                    continue
                column_type = column.type.compile(dialect=engine.dialect)
                preparer = engine.dialect.identifier_preparer
                connection.execute(
                    text(
                        f"ALTER TABLE {preparer.quote(table.name)} "
                        f"ADD COLUMN {preparer.quote(column.name)} {column_type}"
                    )
                )


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
