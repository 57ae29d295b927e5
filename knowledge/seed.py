"""Seed the catalogue from the YAML files shipped in ``knowledge/catalogue/``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from core.db import create_schema, session_scope
from knowledge.importer import import_catalogue, service_count

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"


def seed_catalogue(engine: Engine, path: Path | None = None, actor: str = "seed") -> int:
    """Import the shipped catalogue when the database has no service yet.

    Idempotent: a second call (or a catalogue staff already edited) changes
    nothing and returns 0; otherwise returns the number of services imported.
    Raises ``CatalogueValidationError`` if the shipped files are invalid.
    """
    create_schema(engine)
    with session_scope(engine) as session:
        if service_count(session):
            return 0
    report = import_catalogue(engine, path or CATALOGUE_DIR, actor=actor)
    return sum(1 for item in report.created if item.startswith("service:"))
