"""Import (upsert + audit), export and the round trip between them; seeding."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.db import create_schema, get_engine, session_scope
from knowledge.entries import life_event_service_ids
from knowledge.exporter import catalogue_as_documents, export_catalogue
from knowledge.importer import current_version, import_catalogue, set_service_field
from knowledge.models import AuditLog, Service
from knowledge.seed import CATALOGUE_DIR, seed_catalogue
from tests.knowledge.conftest import MINI_CATALOGUE


def _load_tree(folder: Path) -> dict:
    return {
        p.relative_to(folder).as_posix(): yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted(folder.rglob("*.yml"))
    }


def test_import_creates_entries_and_audits_each_one(empty_engine: Engine) -> None:
    report = import_catalogue(empty_engine, MINI_CATALOGUE, actor="kim")
    assert sorted(report.created) == [
        "agency:test_agency",
        "life_event:retire",
        "service:boat_licence",
        "service:fishing_permit",
    ]
    with session_scope(empty_engine) as session:
        rows = session.scalars(select(AuditLog)).all()
        assert {(r.actor, r.action, r.entity_id) for r in rows} >= {("kim", "create", "fishing_permit")}
        assert life_event_service_ids(session, "retire") == ["boat_licence", "fishing_permit"]
        assert session.get(Service, "fishing_permit").eligibility_rules["all"][0]["fact"] == "age"
        assert current_version(session) == 1


def test_reimporting_unchanged_files_changes_nothing(empty_engine: Engine) -> None:
    import_catalogue(empty_engine, MINI_CATALOGUE)
    report = import_catalogue(empty_engine, MINI_CATALOGUE)
    assert not report.changed and report.audit_rows == 0
    with session_scope(empty_engine) as session:
        assert current_version(session) == 1


def test_a_field_change_is_one_audit_row_with_old_and_new_value(empty_engine: Engine) -> None:
    import_catalogue(empty_engine, MINI_CATALOGUE, actor="seed")
    report = set_service_field(empty_engine, "fishing_permit", "fee.ko", "4,000원", actor="lee")
    assert report.updated == ["service:fishing_permit"] and report.audit_rows == 1
    with session_scope(empty_engine) as session:
        row = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
        assert (row.actor, row.action, row.field, row.old_value, row.new_value) == (
            "lee",
            "update",
            "fee.ko",
            "3,000원",
            "4,000원",
        )
        assert row.at is not None
        assert current_version(session) == 2


def test_export_then_import_round_trip_keeps_every_field(tmp_path: Path) -> None:
    first = create_schema(get_engine(f"sqlite:///{tmp_path}/first.db"))
    import_catalogue(first, CATALOGUE_DIR)
    export_catalogue(first, tmp_path / "export1")
    second = create_schema(get_engine(f"sqlite:///{tmp_path}/second.db"))
    import_catalogue(second, tmp_path / "export1")
    export_catalogue(second, tmp_path / "export2")
    assert _load_tree(tmp_path / "export1") == _load_tree(tmp_path / "export2")
    assert catalogue_as_documents(first) == catalogue_as_documents(second)
    # Re-importing the export into the original database is a no-op.
    assert not import_catalogue(first, tmp_path / "export1").changed


def test_export_matches_the_source_files_field_by_field(tmp_path: Path, empty_engine: Engine) -> None:
    import_catalogue(empty_engine, CATALOGUE_DIR)
    export_catalogue(empty_engine, tmp_path / "out")
    exported = _load_tree(tmp_path / "out")
    source = _load_tree(CATALOGUE_DIR)
    assert set(exported) == set(source)
    for label, content in source.items():
        for section, entries in content.items():
            by_id = {entry["id"]: entry for entry in exported[label][section]}
            for entry in entries:
                for field, value in entry.items():
                    assert by_id[entry["id"]][field] == value, (label, entry["id"], field)


def test_seed_imports_once_and_is_idempotent(tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path}/seed.db")
    services = sum(
        len(yaml.safe_load(p.read_text(encoding="utf-8"))["services"])
        for p in (CATALOGUE_DIR / "services").glob("*.yml")
    )
    assert seed_catalogue(engine) == services
    assert seed_catalogue(engine) == 0
    with session_scope(engine) as session:
        assert len(session.scalars(select(Service.id)).all()) == services
