"""The console's race-sensitive writes on PostgreSQL: the login lockout and the stale-edit check."""

from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from console import changes
from console.accounts import LoginOutcome, authenticate
from console.catalogue import get_service
from core.db import create_project_engine
from knowledge.importer import StaleEditError
from tests.scaleout.conftest import new_database

from .conftest import PASSWORD, seed_console_data


@pytest.fixture
def pg_engine(pg_server):  # type: ignore[no-untyped-def]
    engine = create_project_engine(new_database(pg_server))
    seed_console_data(engine)
    yield engine
    engine.dispose()


def test_parallel_guesses_on_postgresql_get_no_more_than_the_allowed_attempts(pg_engine) -> None:  # type: ignore[no-untyped-def]
    def guess(i: int) -> LoginOutcome:
        return authenticate(pg_engine, "analyst1", f"guess-{i}-wrong", max_failures=5,
                            lockout=timedelta(minutes=15)).outcome

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(guess, range(20)))
    assert outcomes.count(LoginOutcome.INVALID) <= 4
    assert authenticate(pg_engine, "analyst1", PASSWORD, max_failures=5,
                        lockout=timedelta(minutes=15)).outcome is LoginOutcome.LOCKED


def test_two_parallel_publishes_from_the_same_revision_let_exactly_one_through(pg_engine) -> None:  # type: ignore[no-untyped-def]
    detail = get_service(pg_engine, "passport_reissue")

    def publish(fee: str) -> str:
        entry = copy.deepcopy(detail.entry)
        entry["fee"] = {"ko": fee, "en": fee}
        try:
            changes.publish_entry(pg_engine, entry, detail.revision, "reviewer1", detail.source_file)
        except StaleEditError:
            return "stale"
        return "ok"

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(publish, ["1원", "2원", "3원", "4원"]))
    assert results.count("ok") == 1 and results.count("stale") == 3
    assert get_service(pg_engine, "passport_reissue").revision == detail.revision + 1
