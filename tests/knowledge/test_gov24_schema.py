"""The source table's migration, and the national-format import on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import knowledge.sources  # noqa: F401  (the model must be in the metadata compared)
from core.db import create_project_engine, create_schema
from core.migrations import project_metadata
from knowledge.gov24_export import export_gov24
from knowledge.gov24_import import import_gov24
from knowledge.seed import CATALOGUE_DIR, seed_catalogue
from knowledge.sources import ServiceSource
from tests.knowledge.conftest import FIXTURES
from tests.scaleout.conftest import new_database

FILES = [FIXTURES / "gov24" / "serviceList.json", FIXTURES / "gov24" / "serviceDetail.json"]
TABLE = ServiceSource.__tablename__


def _differences(engine) -> list:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        found = compare_metadata(MigrationContext.configure(connection), project_metadata())
    return [difference for difference in found if TABLE in repr(difference)]


def test_the_migration_builds_the_source_table_as_the_model_declares(tmp_path: Path) -> None:
    engine = create_schema(create_project_engine(f"sqlite:///{tmp_path}/new.db"))
    assert TABLE in inspect(engine).get_table_names()
    assert _differences(engine) == []
    engine.dispose()


def test_import_reimport_and_export_on_postgresql(pg_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine = create_project_engine(new_database(pg_server))
    seed_catalogue(engine, CATALOGUE_DIR)
    assert _differences(engine) == []
    first = import_gov24(engine, FILES, actor="kim")
    assert len(first.created) == 3 and first.matched == ["youth_monthly_rent_support"]
    again = import_gov24(engine, FILES, actor="kim")
    assert again.catalogue.created == [] and again.catalogue.updated == []
    pages = export_gov24(engine, tmp_path)
    back = import_gov24(engine, pages, actor="kim")
    assert back.catalogue.created == [] and back.catalogue.updated == []
    engine.dispose()
