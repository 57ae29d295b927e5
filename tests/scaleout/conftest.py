"""Real PostgreSQL and Redis servers for the scale-out tests.

Each server runs from Debian's binaries in a temporary folder on a free
loopback port for the whole test session and is stopped at the end (the
session fixtures ``pg_server`` and ``redis_server`` live in tests/conftest.py,
so a PostgreSQL-backend run shares them); each test gets a fresh PostgreSQL
database or an emptied Redis database of its own.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from scripts.cluster_services import Postgres, Redis


def new_database(server: Postgres) -> str:
    """Create an empty database on ``server``; returns its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return server.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def pg_url(pg_server: Postgres) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return new_database(pg_server)


@pytest.fixture
def redis_url(redis_server: Redis) -> str:
    """The Redis lock database, emptied."""
    import redis as redis_client

    client = redis_client.Redis.from_url(redis_server.url)
    client.flushdb()
    client.close()
    return redis_server.url
