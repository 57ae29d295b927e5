"""Fixtures for the applications package: a fresh SQLite database and a hasher."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.engine import Engine

from applications.hashing import BirthDateHasher
from core.db import create_schema, get_engine


@pytest.fixture
def engine(tmp_path) -> Engine:
    """An empty database with every table, private to the test."""
    return create_schema(get_engine(f"sqlite:///{tmp_path}/t.db"))


@pytest.fixture
def hasher() -> BirthDateHasher:
    return BirthDateHasher(b"test-pepper")


@pytest.fixture
def now() -> datetime:
    """A fixed naive-UTC 'now' (10:00 KST on 1 June 2026)."""
    return datetime(2026, 6, 1, 1, 0)
