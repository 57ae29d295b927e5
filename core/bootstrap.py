"""Create the database schema and seed the sample data (idempotent).

    python -m core.bootstrap

Run by ``make run``, ``make db``, ``make cluster`` and before the processes of a
deployment start. Applies the Alembic migrations (core/migrations) to
``DATABASE_URL`` (SQLite or PostgreSQL; a database made before migrations is
adopted) and, when the tables are empty, loads the service catalogue from
knowledge/catalogue/ and the illustrative sample applications. Existing data
is never overwritten.
"""

from __future__ import annotations

import importlib
import logging
from typing import Callable, Dict, Optional

from sqlalchemy.engine import Engine

from core.db import create_schema, get_engine
from core.migrations import current_revision
from core.settings import get_settings

logger = logging.getLogger(__name__)

# (module, function) pairs that seed one part of the data; each takes the
# engine and returns how many rows it added (0 when the data already exists).
SEEDERS = (
    ("knowledge.seed", "seed_catalogue"),
    ("applications.seed", "seed_applications"),
)


def _load(module_name: str, function_name: str) -> Optional[Callable[[Engine], int]]:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            return None
        raise
    return getattr(module, function_name)


def bootstrap(engine: Optional[Engine] = None) -> Dict[str, int]:
    """Migrate the schema to the newest revision and run every available seeder;
    returns rows added per seeder."""
    engine = create_schema(engine or get_engine())
    added: Dict[str, int] = {}
    for module_name, function_name in SEEDERS:
        seeder = _load(module_name, function_name)
        if seeder is not None:
            added[module_name] = seeder(engine)
    return added


def main() -> None:
    """Command-line entry point: prints what was created."""
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    added = bootstrap()
    where = settings.database_url.split("@")[-1]
    revision = current_revision(get_engine())
    summary = ", ".join(f"{name}: {count} added" for name, count in added.items()) or "schema only"
    print(f"database ready ({where}, schema revision {revision}); {summary}")


if __name__ == "__main__":
    main()
