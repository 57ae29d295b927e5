"""The project's SQLite engine: what it promises about the file on disk."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from core.db import create_project_engine

MARKER = "purged-marker-0123456789"


def test_deleted_rows_do_not_linger_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "assistant.db"
    engine = create_project_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        for n in range(200):  # enough rows to fill pages that then become free
            connection.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": f"{MARKER} {n}"})
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM notes"))
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("assistant.db"))
    assert MARKER.encode() not in written
