"""core.db.create_tables: processes creating the same tables at the same
moment (Rasa's workers, replicas) all succeed."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, inspect

from core.db import create_project_engine, create_tables

PROCESSES = 6


def _metadata() -> MetaData:
    metadata = MetaData()
    for name in ("alpha", "beta", "gamma", "delta"):
        Table(name, metadata, Column("id", Integer, primary_key=True), Column("value", String(40)))
    return metadata


def _create(url: str, start: "multiprocessing.synchronize.Barrier", results: "multiprocessing.Queue") -> None:
    engine = create_project_engine(url)
    start.wait()
    try:
        create_tables(_metadata(), engine)
        results.put("ok")
    except Exception as error:  # noqa: BLE001 - reported to the test
        results.put(repr(error))


def test_processes_racing_to_create_the_same_tables_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(PROCESSES), context.Queue()
    processes = [context.Process(target=_create, args=(url, start, results)) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert outcomes == ["ok"] * PROCESSES
    assert set(inspect(create_project_engine(url)).get_table_names()) == {"alpha", "beta", "gamma", "delta"}


def test_a_failure_other_than_the_race_is_raised(tmp_path: Path) -> None:
    (tmp_path / "not-a-database").write_text("this is not SQLite")
    engine = create_project_engine(f"sqlite:///{tmp_path / 'not-a-database'}")
    try:
        create_tables(_metadata(), engine)
    except Exception as error:  # noqa: BLE001
        assert "not a database" in str(error)
    else:
        raise AssertionError("a file that is not a database must be refused")
