"""Alembic environment for the project's own tables (not Rasa's ``events``).

Run by :func:`core.migrations.upgrade` with a connection in
``config.attributes["connection"]``, or by the ``alembic`` command with
alembic.ini, which connects to ``DATABASE_URL`` (default the SQLite file under
var/). On PostgreSQL the whole upgrade holds an advisory lock, so replicas
starting together migrate one after the other instead of racing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from core.migrations import MIGRATION_LOCK_KEY, project_metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=project_metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over the connection handed in, or one made from ``DATABASE_URL``."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from core.db import create_project_engine
    from core.settings import get_settings

    engine = create_project_engine(context.config.get_main_option("sqlalchemy.url") or get_settings().database_url)
    try:
        with engine.connect() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
