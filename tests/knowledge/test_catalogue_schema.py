"""Validation of catalogue YAML: named messages, and nothing written when invalid."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from core.db import session_scope
from knowledge.importer import current_version, import_catalogue, validate_path
from knowledge.models import Agency, AuditLog, LifeEvent, Service, ServiceAlias
from knowledge.schema import CatalogueValidationError
from knowledge.seed import CATALOGUE_DIR
from tests.knowledge.conftest import MINI_CATALOGUE


def _copy_mini(tmp_path: Path) -> Path:
    target = tmp_path / "catalogue"
    shutil.copytree(MINI_CATALOGUE, target)
    return target


def _edit_service(catalogue: Path, index: int, change) -> None:  # type: ignore[no-untyped-def]
    path = catalogue / "services" / "permits.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["services"][index])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _snapshot(engine: Engine) -> Dict[str, int]:
    with session_scope(engine) as session:
        counts = {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Agency, Service, ServiceAlias, LifeEvent, AuditLog)
        }
        counts["version"] = current_version(session)
        fee = session.get(Service, "fishing_permit")
        counts["fee"] = fee.fee_ko if fee else None
    return counts


def _messages(error: pytest.ExceptionInfo) -> str:
    return "\n".join(str(issue) for issue in error.value.issues)


def test_the_shipped_catalogue_and_the_fixture_are_valid() -> None:
    assert validate_path(None, CATALOGUE_DIR) == []
    assert validate_path(None, MINI_CATALOGUE) == []


def test_missing_korean_name_is_refused_naming_file_entry_and_field(
    tmp_path: Path, empty_engine: Engine
) -> None:
    catalogue = _copy_mini(tmp_path)
    _edit_service(catalogue, 0, lambda entry: entry["name"].pop("ko"))
    with pytest.raises(CatalogueValidationError) as error:
        import_catalogue(empty_engine, catalogue, actor="tester")
    assert "services/permits.yml: entry 'fishing_permit': field 'name.ko' is missing" in _messages(error)
    assert _snapshot(empty_engine)["Service"] == 0


def test_duplicate_id_names_both_files(tmp_path: Path, empty_engine: Engine) -> None:
    catalogue = _copy_mini(tmp_path)
    shutil.copy(catalogue / "services" / "permits.yml", catalogue / "services" / "copy.yml")
    with pytest.raises(CatalogueValidationError) as error:
        import_catalogue(empty_engine, catalogue)
    messages = _messages(error)
    assert "entry 'fishing_permit'" in messages
    assert "defined in both services/copy.yml and services/permits.yml" in messages


def test_fee_given_as_a_list_is_refused(tmp_path: Path, empty_engine: Engine) -> None:
    catalogue = _copy_mini(tmp_path)
    _edit_service(catalogue, 0, lambda entry: entry.__setitem__("fee", [3000, 4000]))
    with pytest.raises(CatalogueValidationError) as error:
        import_catalogue(empty_engine, catalogue)
    assert "entry 'fishing_permit': field 'fee' must be text in ko and en, or an amount" in _messages(error)


def test_bare_number_fee_is_accepted_and_written_out_in_both_languages(empty_engine: Engine) -> None:
    import_catalogue(empty_engine, MINI_CATALOGUE)
    with session_scope(empty_engine) as session:
        boat = session.get(Service, "boat_licence")
        assert (boat.fee("ko"), boat.fee("en")) == ("5,000원", "KRW 5,000")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda e: e.__setitem__("agency", "nowhere"),
            "field 'agency' refers to an unknown agency 'nowhere'",
        ),
        (
            lambda e: e.__setitem__("life_events", ["moon_landing"]),
            "field 'life_events' refers to an unknown life event 'moon_landing'",
        ),
        (lambda e: e.pop("source"), "field 'source' is missing"),
        (lambda e: e.pop("last_reviewed"), "field 'last_reviewed' is missing"),
        (lambda e: e.__setitem__("last_reviewed", "last week"), "field 'last_reviewed' must be a date"),
        (
            lambda e: e["eligibility"]["rules"]["all"][0].__setitem__("fact", "height"),
            "field 'eligibility.rules.all[0].fact' must be one of age",
        ),
        (
            lambda e: e["eligibility"]["rules"]["all"][0].__setitem__("op", "=>"),
            "field 'eligibility.rules.all[0].op' must be one of",
        ),
        (
            lambda e: e["eligibility"]["rules"]["all"][1]["any"][1].__setitem__("value", ["pirate"]),
            "field 'eligibility.rules.all[1].any[1].value' must be one of employed",
        ),
        (
            lambda e: e["eligibility"]["rules"]["all"][1]["any"][0].__setitem__("op", ">"),
            "field 'eligibility.rules.all[1].any[0].op' '>' only works with numbers",
        ),
        (lambda e: e.__setitem__("feee", "typo"), "field 'feee' is not a known field"),
        (
            lambda e: e["documents"].__setitem__("en", "Photo ID"),
            "field 'documents.en' must be a list of texts",
        ),
    ],
)
def test_each_kind_of_mistake_is_named(tmp_path: Path, empty_engine: Engine, change, expected: str) -> None:  # type: ignore[no-untyped-def]
    catalogue = _copy_mini(tmp_path)
    _edit_service(catalogue, 0, change)
    with pytest.raises(CatalogueValidationError) as error:
        import_catalogue(empty_engine, catalogue)
    assert "services/permits.yml: entry 'fishing_permit': " + expected in _messages(error)


def test_invalid_update_changes_nothing_in_a_filled_database(tmp_path: Path, empty_engine: Engine) -> None:
    import_catalogue(empty_engine, MINI_CATALOGUE, actor="seed")
    before = _snapshot(empty_engine)
    catalogue = _copy_mini(tmp_path)
    # A valid change to one service and an invalid one to another, in one import.
    _edit_service(catalogue, 0, lambda entry: entry["fee"].__setitem__("ko", "9,000원"))
    _edit_service(catalogue, 1, lambda entry: entry["name"].pop("ko"))
    with pytest.raises(CatalogueValidationError) as error:
        import_catalogue(empty_engine, catalogue, actor="clerk")
    assert "entry 'boat_licence': field 'name.ko' is missing" in _messages(error)
    assert _snapshot(empty_engine) == before


def test_broken_yaml_is_reported_with_its_line(tmp_path: Path, empty_engine: Engine) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("services:\n  - id: x\n    name: {ko: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogueValidationError) as error:
        import_catalogue(empty_engine, broken)
    assert "broken.yml: is not valid YAML (line" in _messages(error)


def test_a_single_new_file_may_reference_ids_already_in_the_database(empty_engine: Engine) -> None:
    import_catalogue(empty_engine, MINI_CATALOGUE)
    single = MINI_CATALOGUE / "services" / "permits.yml"
    assert validate_path(None, single) != []  # alone, its agency is unknown
    assert validate_path(empty_engine, single) == []
