"""Importing the national service catalogue (보조금24 serviceList/serviceDetail JSON)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import List

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from core.db import session_scope
from knowledge import entries
from knowledge.cli import main
from knowledge.gov24_import import import_gov24, review_queue
from knowledge.importer import current_version, service_count
from knowledge.models import Agency, AuditLog, Service
from knowledge.schema import CatalogueValidationError
from knowledge.sources import ServiceSource
from tests.knowledge.conftest import FIXTURES

GOV24 = FIXTURES / "gov24"
FILES = [GOV24 / "serviceList.json", GOV24 / "serviceDetail.json"]


def _entry(engine: Engine, service_id: str) -> dict:
    with session_scope(engine) as session:
        return entries.service_to_entry(session.get(Service, service_id))


def _source(engine: Engine, service_id: str) -> dict:
    with session_scope(engine) as session:
        return session.get(ServiceSource, service_id).as_dict()


def _audit_rows(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(AuditLog)))


def test_new_services_are_mapped_with_lists_links_and_review_reasons(catalogue_engine: Engine) -> None:
    before = _service_total(catalogue_engine)
    report = import_gov24(catalogue_engine, FILES, actor="kim")
    assert sorted(report.created) == ["gov24_000000465790", "gov24_641000000099", "gov24_wii000001234"]
    assert report.matched == ["youth_monthly_rent_support"]
    assert _service_total(catalogue_engine) == before + 3

    entry = _entry(catalogue_engine, "gov24_000000465790")
    assert entry["name"]["ko"] == "다자녀가정 양육수당 추가지원"
    # `||` lists: plain documents, then those marked for the applicant's ID check and the official's own check.
    assert entry["documents"]["ko"] == [
        "양육수당 신청서",
        "통장 사본",
        "신분증 (본인 확인 필요)",
        "주민등록표 등본 (담당 공무원이 확인)",
        "가족관계증명서 (담당 공무원이 확인)",
    ]
    assert entry["eligibility"]["text"]["ko"].startswith("셋째 이상 자녀를 양육하는 가구\n만 7세 미만 자녀")
    assert "선정 기준: 신청일 현재 주민등록상 거주 가구" in entry["eligibility"]["text"]["ko"]
    assert "지원 내용: 자녀 1인당 월 10만원" in entry["overview"]["ko"]
    assert entry["deadline"]["ko"] == "자녀 출생일부터 60일 이내"
    assert entry["apply"]["online"]["url"] == "https://www.bokjiro.go.kr"
    assert entry["where"]["phone"] == "129"
    assert entry["where"]["office_type"]["ko"] == "읍면동 주민센터"
    assert entry["source"] == "https://www.gov.kr/portal/rcvfvrSvc/dtlEx/000000465790"
    assert entry["last_reviewed"].isoformat() == "2025-11-10"
    assert entry["agency"] == "mohw"  # an agency the catalogue has, found by its Korean name
    assert entry["illustrative"] is False
    # No English in the source: the English fields hold the Korean text, and staff are asked to review.
    assert entry["name"]["en"] == entry["name"]["ko"]
    assert "보건복지상담센터 129" in entry["fee"]["ko"] and "129" in entry["fee"]["en"]
    source = _source(catalogue_engine, "gov24_000000465790")
    assert source["source_id"] == "000000465790" and source["category"] == "childcare_education"
    assert source["detail_url"] == entry["source"]
    assert source["needs_review"] is True
    assert {"no_english", "unmapped:법령", "unmapped:행정규칙", "missing:fee"} <= set(source["review_reasons"])
    assert "unmapped:자치법규" not in source["review_reasons"]  # empty in the source


def _service_total(engine: Engine) -> int:
    with session_scope(engine) as session:
        return service_count(session)


def test_missing_fields_get_fallbacks_and_a_new_agency(catalogue_engine: Engine) -> None:
    import_gov24(catalogue_engine, FILES, actor="kim")
    entry = _entry(catalogue_engine, "gov24_641000000099")  # list only: no detail, no phone, no link, no deadline
    assert entry["documents"] == {"ko": [], "en": []}
    assert "deadline" not in entry
    assert entry["source"] == "https://www.gov.kr/portal/rcvfvrSvc/dtlEx/641000000099"
    assert entry["last_reviewed"].isoformat() == "2025-01-01"  # 등록일시 when 수정일시 is empty
    assert entry["apply"]["in_person"]["ko"] == "예시시 노인복지과에 문의해 신청해요."
    with session_scope(catalogue_engine) as session:
        agency = session.get(Agency, entry["agency"])
        assert agency.name_ko == "예시시 노인복지과" and entry["agency"].startswith("gov24_org_")
    reasons = _source(catalogue_engine, "gov24_641000000099")["review_reasons"]
    assert {"missing:documents", "missing:fee", "missing:processing_time", "no_english"} <= set(reasons)


def test_a_service_already_in_the_catalogue_keeps_its_english_and_is_flagged(catalogue_engine: Engine) -> None:
    before = _entry(catalogue_engine, "youth_monthly_rent_support")
    import_gov24(catalogue_engine, FILES, actor="kim")
    after = _entry(catalogue_engine, "youth_monthly_rent_support")
    assert after["overview"]["ko"].startswith("주거비 부담이 큰 청년에게 월세를 지원해요.")
    assert after["overview"]["en"] == before["overview"]["en"]
    assert after["documents"]["ko"][:3] == ["신청서", "임대차계약서 사본", "월세 이체 내역"]
    # What the national record has no say in stays as staff wrote it.
    for field in ("name", "fee", "processing_time", "apply", "where", "agency", "source", "aliases"):
        assert after[field] == before[field], field
    source = _source(catalogue_engine, "youth_monthly_rent_support")
    assert source["origin"] == "matched" and source["source_id"] == "SD0000004532"
    assert "english_outdated:overview" in source["review_reasons"]
    assert {row["service_id"] for row in review_queue(catalogue_engine)} >= {"youth_monthly_rent_support"}


def test_reimport_updates_and_never_duplicates(catalogue_engine: Engine, tmp_path: Path) -> None:
    import_gov24(catalogue_engine, FILES, actor="kim")
    total, audit, version = _service_total(catalogue_engine), _audit_rows(catalogue_engine), None
    with session_scope(catalogue_engine) as session:
        version = current_version(session)
    again = import_gov24(catalogue_engine, FILES, actor="kim")
    assert again.catalogue.created == [] and again.catalogue.updated == []
    assert _service_total(catalogue_engine) == total and _audit_rows(catalogue_engine) == audit
    with session_scope(catalogue_engine) as session:
        assert current_version(session) == version

    # A newer page changes one field: that service is updated in place.
    page = json.loads((GOV24 / "serviceList.json").read_text(encoding="utf-8"))
    page["data"][1]["신청기한"] = "매년 2월 공고 기간"
    newer = tmp_path / "serviceList.json"
    newer.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    report = import_gov24(catalogue_engine, [newer], actor="lee")
    assert report.catalogue.updated == ["service:gov24_wii000001234"]
    assert _service_total(catalogue_engine) == total
    entry = _entry(catalogue_engine, "gov24_wii000001234")
    assert entry["deadline"] == {"ko": "매년 2월 공고 기간", "en": "매년 2월 공고 기간"}
    assert entry["documents"]["ko"][0] == "사업신청서"  # detail fields from the earlier import stay


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _issues(engine: Engine, paths: List[Path]) -> List[str]:
    with pytest.raises(CatalogueValidationError) as raised:
        import_gov24(engine, paths, actor="kim")
    return [str(issue) for issue in raised.value.issues]


def test_malformed_files_are_refused_naming_file_item_and_field(catalogue_engine: Engine, tmp_path: Path) -> None:
    total, audit = _service_total(catalogue_engine), _audit_rows(catalogue_engine)
    page = json.loads((GOV24 / "serviceList.json").read_text(encoding="utf-8"))
    page["data"][2]["상세조회URL"] = "www.gov.kr/no-scheme"
    del page["data"][3]["서비스ID"]
    page["data"][0]["조회수"] = {"count": 3}
    bad = _write(tmp_path, "serviceList_bad.json", json.dumps(page, ensure_ascii=False))
    broken = _write(tmp_path, "serviceDetail_broken.json", '{"data": [ {"서비스ID": "1",  ]}')
    issues = _issues(catalogue_engine, [FILES[1], bad, broken])
    assert (
        "serviceList_bad.json: entry 'item 3 (서비스ID SD0000004532)': field '상세조회URL' must be a web address "
        "starting with http:// or https:// (got 'www.gov.kr/no-scheme')"
    ) in issues
    assert "serviceList_bad.json: entry 'item 4': field '서비스ID' is missing" in issues
    assert (
        "serviceList_bad.json: entry 'item 1 (서비스ID 000000465790)': field '조회수' must be text or a number"
    ) in issues
    assert any(issue.startswith("serviceDetail_broken.json: is not valid JSON (line 1") for issue in issues)
    # All or nothing: the good file in the same run was not imported either.
    assert _service_total(catalogue_engine) == total and _audit_rows(catalogue_engine) == audit

    not_envelope = _write(tmp_path, "page.json", json.dumps([{"서비스ID": "1"}]))
    assert _issues(catalogue_engine, [not_envelope]) == [
        "page.json: must be an object with a 'data' list (the serviceList/serviceDetail envelope)"
    ]
    nameless = _write(tmp_path, "nameless.json", json.dumps({"data": [{"서비스ID": "X1", "소관기관명": "법무부"}]}))
    assert _issues(catalogue_engine, [nameless]) == [
        "nameless.json: entry 'item 1 (서비스ID X1)': field '서비스명' is missing (a new service needs its name)"
    ]


def test_cli_import_and_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    out = io.StringIO()
    assert main(["import-gov24", *map(str, FILES), "--by", "kim"], out=out) == 0
    assert "Imported 4 service(s) from 2 file(s): 4 new" in out.getvalue()
    assert "4 service(s) need staff review" in out.getvalue()
    line = next(line for line in out.getvalue().splitlines() if line.startswith("  gov24_wii000001234: "))
    assert "법령: a national field the catalogue has no place for" in line and "fee: not in the national data" in line
    bad = _write(tmp_path, "bad.json", "{}")
    out = io.StringIO()
    assert main(["import-gov24", str(bad), "--by", "kim"], out=out) == 1
    assert "bad.json: field 'data' must have a 'data' list" in out.getvalue()
    assert "Nothing was changed." in out.getvalue()
    out = io.StringIO()
    assert main(["export-gov24", "--out", str(tmp_path / "export")], out=out) == 0
    detail = json.loads((tmp_path / "export" / "serviceDetail.json").read_text(encoding="utf-8"))
    assert detail["totalCount"] == 4 and len(detail["data"]) == 4


def test_the_same_name_from_another_agency_is_another_service(catalogue_engine: Engine, tmp_path: Path) -> None:
    record = {"서비스ID": "B551000001", "서비스명": "청년월세 지원", "소관기관명": "부산광역시", "서비스분야": "주거·자립"}
    page = _write(tmp_path, "busan.json", json.dumps({"data": [record]}, ensure_ascii=False))
    report = import_gov24(catalogue_engine, [page], actor="kim")
    assert report.created == ["gov24_b551000001"] and report.matched == []
    assert _entry(catalogue_engine, "youth_monthly_rent_support")["overview"]["ko"] != ""
    assert _entry(catalogue_engine, "gov24_b551000001")["aliases"]["ko"] == []
