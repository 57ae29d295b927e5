"""What the assistant answers about an imported service (Korean only in the source)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from actions.service_answers import build_answer
from knowledge.gov24_import import import_gov24
from knowledge.gov24_mapping import KOREAN_ONLY_NOTE_EN
from knowledge.search import Decision, get_search
from tests.knowledge.conftest import FIXTURES

FILES = [FIXTURES / "gov24" / "serviceList.json", FIXTURES / "gov24" / "serviceDetail.json"]


def test_answers_in_korean_and_says_in_english_that_details_are_korean(catalogue_engine: Engine) -> None:
    import_gov24(catalogue_engine, FILES, actor="kim")
    documents = build_answer(catalogue_engine, "gov24_000000465790", "documents", "ko")
    assert documents.response == "utter_service_documents"
    assert "• 양육수당 신청서\n• 통장 사본" in documents.values["answer"]
    assert KOREAN_ONLY_NOTE_EN not in documents.values["answer"]
    fee = build_answer(catalogue_engine, "gov24_000000465790", "fee", "ko")
    assert "보건복지상담센터 129" in fee.values["answer"]
    where = build_answer(catalogue_engine, "gov24_000000465790", "where", "ko")
    assert "129" in where.values["answer"] and "보건복지부" in where.values["answer"]

    english = build_answer(catalogue_engine, "gov24_000000465790", "documents", "en")
    assert english.values["answer"].startswith("• 양육수당 신청서")
    assert english.values["answer"].endswith(KOREAN_ONLY_NOTE_EN)
    how = build_answer(catalogue_engine, "gov24_000000465790", "how_to_apply", "en").values["answer"]
    assert "• Online:" in how and "읍면동 주민센터 방문 신청" in how and how.endswith(KOREAN_ONLY_NOTE_EN)
    fee_en = build_answer(catalogue_engine, "gov24_000000465790", "fee", "en").values["answer"]
    assert fee_en.startswith("The national service catalogue does not give a fee; please ask 보건복지상담센터 129")
    # A translated service needs no such note.
    for topic in ("documents", "how_to_apply", "where", "fee"):
        answer = build_answer(catalogue_engine, "passport_reissue", topic, "en").values["answer"]
        assert KOREAN_ONLY_NOTE_EN not in answer, topic


def test_imported_services_are_found_by_their_names(catalogue_engine: Engine) -> None:
    import_gov24(catalogue_engine, FILES, actor="kim")
    search = get_search(catalogue_engine)
    result = search.search("다자녀가정 양육수당 추가지원 서류 뭐 필요해요?")
    assert result.decision is Decision.CLEAR and result.best.service_id == "gov24_000000465790"
    result = search.search("농어촌 청년 귀농 정착지원금 문의처 알려주세요")
    assert result.best is not None and result.best.service_id == "gov24_wii000001234"
