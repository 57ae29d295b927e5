"""Databases for the catalogue tests: each test gets its own SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from core.db import create_schema, get_engine
from knowledge.seed import CATALOGUE_DIR, seed_catalogue

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI_CATALOGUE = FIXTURES / "mini"


@pytest.fixture
def empty_engine(tmp_path: Path) -> Engine:
    """An engine on a fresh database with the schema and no catalogue."""
    return create_schema(get_engine(f"sqlite:///{tmp_path}/catalogue.db"))


@pytest.fixture
def catalogue_engine(tmp_path: Path) -> Engine:
    """An engine on a fresh database seeded with the real catalogue."""
    engine = get_engine(f"sqlite:///{tmp_path}/catalogue.db")
    assert seed_catalogue(engine, CATALOGUE_DIR) > 0
    return engine
