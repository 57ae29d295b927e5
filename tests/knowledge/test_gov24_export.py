"""Exporting the catalogue in the national format, and importing the export again."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import Engine

from core.db import session_scope
from knowledge.gov24_export import export_gov24
from knowledge.gov24_format import LIST_FIELDS
from knowledge.gov24_import import import_gov24
from knowledge.importer import service_count, set_service_field
from tests.knowledge.conftest import FIXTURES

FILES = [FIXTURES / "gov24" / "serviceList.json", FIXTURES / "gov24" / "serviceDetail.json"]


def _records(folder: Path, name: str) -> dict:
    page = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    assert set(page) == {"currentCount", "matchCount", "page", "perPage", "totalCount", "data"}
    return {record["서비스ID"]: record for record in page["data"]}


def test_export_sends_back_the_source_record_with_corrections(catalogue_engine: Engine, tmp_path: Path) -> None:
    import_gov24(catalogue_engine, FILES, actor="kim")
    set_service_field(catalogue_engine, "gov24_wii000001234", "deadline.ko", "매년 3월 공고 기간", actor="lee")
    written = export_gov24(catalogue_engine, tmp_path)
    assert sorted(path.name for path in written) == ["serviceDetail.json", "serviceList.json"]
    detail, listing = _records(tmp_path, "serviceDetail"), _records(tmp_path, "serviceList")
    with session_scope(catalogue_engine) as session:
        assert len(detail) == len(listing) == service_count(session)
    corrected = detail["WII000001234"]
    assert corrected["신청기한"] == "매년 3월 공고 기간"
    assert corrected["조회수"] == 310 and corrected["법령"] == "농업·농촌 및 식품산업 기본법"  # kept as given
    assert corrected["구비서류"] == "사업신청서||영농계획서||농업경영체 등록 확인서"
    assert set(listing["WII000001234"]) <= set(LIST_FIELDS)
    # A service of the catalogue's own goes out under its id, with its Korean texts and `||` lists.
    own = detail["passport_reissue"]
    assert own["서비스명"] and "||" in own["구비서류"] and own["소관기관명"] == "외교부"


def test_an_export_imports_again_without_any_change(catalogue_engine: Engine, tmp_path: Path) -> None:
    import_gov24(catalogue_engine, FILES, actor="kim")
    set_service_field(catalogue_engine, "gov24_000000465790", "overview.ko", "고친 요약입니다.", actor="lee")
    export_gov24(catalogue_engine, tmp_path, per_page=25)
    pages = sorted(tmp_path.glob("service*.json"))
    assert any(path.name == "serviceDetail_002.json" for path in pages)
    report = import_gov24(catalogue_engine, pages, actor="kim")
    assert report.catalogue.created == [] and report.catalogue.updated == []
    assert len(report.catalogue.unchanged) == len(report.services)
