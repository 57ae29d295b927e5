"""Pieces of the national-format mapping: phones, dates, categories, region names, the Korean-only note."""

from __future__ import annotations

from datetime import date

from knowledge.gov24_mapping import (
    category_for,
    first_phone,
    korean_only,
    regional_aliases,
    service_id_for,
    source_date,
)


def test_first_phone_number_in_the_contact_fields() -> None:
    assert first_phone({"전화문의": "보건복지상담센터/129"}) == "129"
    assert first_phone({"전화문의": "", "문의처": "구청 복지과 02-2148-1234||주민센터"}) == "02-2148-1234"
    assert first_phone({"전화문의": "마이홈콜센터/1600-1004"}) == "1600-1004"
    assert first_phone({"전화문의": "담당 부서"}) is None


def test_dates_ids_and_categories() -> None:
    assert source_date({"수정일시": "20251110140000"}) == date(2025, 11, 10)
    assert source_date({"수정일시": "2025-11-10 14:00:00"}) == date(2025, 11, 10)
    assert source_date({"수정일시": None, "등록일시": "20240105"}) == date(2024, 1, 5)
    assert source_date({"수정일시": "unknown"}) is None
    assert service_id_for("WII000001234") == "gov24_wii000001234"
    assert category_for("보육·교육") == ("childcare_education", "Childcare and education")
    slug, name = category_for("새로운 분야")
    assert slug.startswith("field_") and name == "새로운 분야" and category_for("새로운 분야")[0] == slug


def test_regional_aliases_use_the_names_people_say() -> None:
    assert regional_aliases("부산광역시 청년 월세 지원") == ["부산 청년 월세 지원"]
    assert regional_aliases("서울 강남구 어르신 목욕비 지원") == ["강남구 어르신 목욕비 지원"]
    assert regional_aliases("수원시 출산지원금") == ["수원 출산지원금"]
    assert regional_aliases("청년월세 지원") == []


def test_korean_only_is_an_english_answer_that_is_the_korean_text() -> None:
    assert korean_only("• 신청서", "• 신청서")
    assert not korean_only("• Application form", "• 신청서")
    assert not korean_only("KRW 5,000", "KRW 5,000")
    assert korean_only("• Online: 온라인으로 신청할 수 있어요.", "• 온라인 신청: 온라인으로 신청할 수 있어요.", "요약", "요약")
    assert not korean_only("• Agency: 정부24 help desk", "• 담당 기관: 정부24", "Summary", "요약")
