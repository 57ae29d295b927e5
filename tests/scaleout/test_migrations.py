"""Alembic migrations build and adopt the project's schema on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from core.bootstrap import bootstrap
from core.db import Base, create_project_engine, create_schema, session_scope
from core.migrations import current_revision, head_revision, project_metadata
from core.tracker_store import EVENT_INDEXES, MaskingSQLTrackerStore
from tests.support.stack import PROJECT_ROOT


def schema_differences(engine: Engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), project_metadata())


def test_a_new_sqlite_database_is_at_the_newest_revision_and_matches_the_models(tmp_path: Path) -> None:
    engine = create_schema(create_project_engine(f"sqlite:///{tmp_path}/new.db"))
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == [], "a model changed without a migration"


def test_a_database_made_before_migrations_is_adopted_and_keeps_its_rows(tmp_path: Path) -> None:
    engine = create_project_engine(f"sqlite:///{tmp_path}/old.db")
    Base.metadata.create_all(engine)  # how the schema was made before migrations
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE catalogue_service DROP COLUMN deadline_en"))
        connection.execute(text("DROP TABLE records_feedback"))
        connection.execute(
            text(
                "INSERT INTO catalogue_agency (id, name_ko, name_en, source_file, position, updated_at)"
                " VALUES ('mois', '행정안전부', 'Ministry of the Interior', 'agencies.yml', 0, '2026-01-01')"
            )
        )
    assert current_revision(engine) is None
    create_schema(engine)
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name_en FROM catalogue_agency")).scalar() == "Ministry of the Interior"


def test_postgresql_gets_the_schema_and_the_seeds_once(pg_url: str) -> None:
    engine = create_project_engine(pg_url)
    added = bootstrap(engine)
    assert added and all(count > 0 for count in added.values()), added
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    assert all(count == 0 for count in bootstrap(engine).values())
    with session_scope(engine) as session:
        assert session.execute(text("SELECT count(*) FROM catalogue_service")).scalar() > 10
        assert session.execute(text("SELECT count(*) FROM applications")).scalar() > 0
    engine.dispose()


def test_replicas_that_migrate_together_do_not_collide(pg_url: str) -> None:
    """Four processes upgrade the same empty database at once (the advisory lock serialises them)."""
    script = "import sys; from core.db import create_project_engine; from core.migrations import upgrade; " \
        "upgrade(create_project_engine(sys.argv[1]))"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    processes = [
        subprocess.Popen([sys.executable, "-c", script, pg_url], env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    failures = [process.communicate(timeout=120)[1] for process in processes if process.wait(timeout=120)]
    assert failures == []
    engine = create_project_engine(pg_url)
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    engine.dispose()


def test_rasa_events_get_the_indexes_its_queries_need_on_both_databases(pg_url: str, tmp_path: Path) -> None:
    for url in (pg_url, f"sqlite:///{tmp_path}/tracker.db"):
        for _ in range(2):  # a second replica starting finds them made
            store = MaskingSQLTrackerStore(host=url)
            names = {index["name"] for index in inspect(store.engine).get_indexes("events")}
            assert set(EVENT_INDEXES) <= names, (url, names)
            store.engine.dispose()
