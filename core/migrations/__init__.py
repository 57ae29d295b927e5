"""Schema migrations of the project's own tables, with Alembic.

The revisions live in ``core/migrations/versions``; :func:`upgrade` brings a
database to the newest one and is what :func:`core.db.create_schema` runs, so
``make db`` (``python -m core.bootstrap``), the launchers and every process
that first touches the database all apply them. The first revision is the
baseline: it also adopts a database that ``create_all`` made before migrations
existed (missing tables and optional columns are added, nothing is dropped).

Rasa's conversation table (``events``) is not here: Rasa creates it, and the
tracker store adds the indexes its queries need (core/tracker_store.py).
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent

#: Modules whose models are the project's tables (the migrations' target).
MODEL_MODULES = (
    "knowledge.models",
    "knowledge.sources",
    "applications.models",
    "records.models",
    "records.review_models",
    "records.live_agent_models",
    "records.callback_models",
    "console.models",
)

#: PostgreSQL advisory lock held while migrating, so replicas never migrate at once.
MIGRATION_LOCK_KEY = 7406150001

# Alembic's migration context is global to the process: one upgrade at a time.
_process_lock = threading.Lock()


def project_metadata() -> MetaData:
    """The metadata of every project table (importing the model modules that exist)."""
    for module in MODEL_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name is None or not module.startswith(error.name):
                raise
    from core.db import Base

    return Base.metadata


def alembic_config() -> Config:
    """An Alembic configuration for this package, built without alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migration found in {MIGRATIONS_DIR / 'versions'}")
    return head


def current_revision(engine: Engine) -> Optional[str]:
    """The revision ``engine``'s database is at, or None before the first upgrade."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` to ``engine``'s database.

    One transaction where the database allows it (PostgreSQL), under an
    advisory lock there, so processes that start together migrate in turn.
    """
    config = alembic_config()
    with _process_lock, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
