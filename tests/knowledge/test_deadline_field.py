"""The catalogue's `deadline` field: validated, imported, exported, set by staff, added to older databases."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from sqlalchemy import inspect, text

from core.db import Base, create_schema, get_engine, session_scope
from knowledge.cli import main
from knowledge.models import Service
from knowledge.schema import load_documents, validate_documents
from knowledge.seed import CATALOGUE_DIR
from tests.knowledge.conftest import MINI_CATALOGUE


def run(*argv: str) -> tuple:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/deadline.db"
    monkeypatch.setenv("DATABASE_URL", url)
    assert run("import", str(MINI_CATALOGUE), "--by", "test")[0] == 0
    return url


def service(url: str, service_id: str = "fishing_permit") -> Service:
    with session_scope(get_engine(url)) as session:
        found = session.get(Service, service_id)
        assert found is not None
        session.expunge(found)
        return found


def test_every_service_of_the_real_catalogue_has_a_deadline_in_both_languages() -> None:
    documents, issues = load_documents(CATALOGUE_DIR)
    assert issues == [] and validate_documents(documents) == []
    services = [entry for document in documents for entry in document.services]
    assert len(services) >= 62
    missing = [entry["id"] for entry in services if not (entry.get("deadline") or {}).get("ko")]
    assert missing == []
    assert all(entry["deadline"]["en"].strip() for entry in services)


def test_a_deadline_needs_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "services" / "x.yml"
    path.parent.mkdir()
    entry = yaml.safe_load((MINI_CATALOGUE / "services" / "permits.yml").read_text(encoding="utf-8"))
    entry["services"][0]["deadline"] = {"ko": "14일 안에 신고해야 해요."}
    path.write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    (tmp_path / "agencies.yml").write_text((MINI_CATALOGUE / "agencies.yml").read_text(encoding="utf-8"))
    code, out = run("validate", str(tmp_path))
    assert code == 1 and "deadline.en" in out


def test_staff_set_a_deadline_and_the_export_keeps_it(database: str, tmp_path: Path) -> None:
    assert service(database).deadline_ko is None
    code, _ = run("set", "fishing_permit", "deadline", "{ko: 허가 전에 신청해요., en: Apply before you fish.}", "--by", "kim")
    assert code == 0
    assert service(database).deadline_en == "Apply before you fish."
    assert run("set", "fishing_permit", "deadline.ko", "낚시 전에 신청해 주세요.", "--by", "kim")[0] == 0
    assert service(database).deadline_ko == "낚시 전에 신청해 주세요."
    assert run("export", str(tmp_path / "out"))[0] == 0
    exported = [
        entry
        for path in (tmp_path / "out" / "services").glob("*.yml")
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["services"]
    ]
    permit = next(entry for entry in exported if entry["id"] == "fishing_permit")
    assert permit["deadline"] == {"ko": "낚시 전에 신청해 주세요.", "en": "Apply before you fish."}
    assert all("deadline" not in entry for entry in exported if entry["id"] != "fishing_permit")
    assert run("set", "fishing_permit", "deadline", "null", "--by", "kim")[0] == 0
    assert service(database).deadline_ko is None


def test_an_older_database_gets_the_new_column(tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path}/old.db")
    Base.metadata.create_all(engine)  # as before migrations existed
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE catalogue_service DROP COLUMN deadline_ko"))
    assert "deadline_ko" not in {c["name"] for c in inspect(engine).get_columns("catalogue_service")}
    create_schema(engine)
    assert "deadline_ko" in {c["name"] for c in inspect(engine).get_columns("catalogue_service")}
