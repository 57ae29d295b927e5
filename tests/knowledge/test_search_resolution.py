"""Resolving a citizen's words to a catalogue service.

Run alone to see the accuracy figure:
    pytest tests/knowledge/test_search_resolution.py -q -s
"""

from __future__ import annotations

import time
from typing import List, Tuple

from sqlalchemy.engine import Engine

from knowledge.importer import set_service_field
from knowledge.search import CatalogueSearch, Decision
from knowledge.text import english_words, korean_morphemes
from tests.knowledge.conftest import FIXTURES

QUERIES_FILE = FIXTURES / "resolution_queries.tsv"


def _queries() -> List[Tuple[str, str]]:
    rows = []
    for line in QUERIES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, query = line.split("\t")
            rows.append((query, expected))
    return rows


def test_top1_accuracy_over_citizen_queries(catalogue_engine: Engine) -> None:
    queries = _queries()
    assert len(queries) >= 150
    search = CatalogueSearch(catalogue_engine)
    known = set(search.index().names)
    assert {expected for _, expected in queries} <= known, "every expected id is in the catalogue"
    misses, clear = [], 0
    for query, expected in queries:
        result = search.search(query)
        top = result.ranking[0].service_id if result.ranking else None
        if top != expected:
            misses.append((query, expected, top))
        clear += result.decision is Decision.CLEAR and top == expected
    accuracy = 1 - len(misses) / len(queries)
    print(
        f"\nservice resolution: top-1 accuracy {accuracy:.1%} over {len(queries)} queries; "
        f"clear and right {clear / len(queries):.1%}; misses: {misses}"
    )
    assert accuracy >= 0.95, misses


def test_particles_spacing_typos_and_mixed_script(catalogue_engine: Engine) -> None:
    search = CatalogueSearch(catalogue_engine)
    for text in ("여권을 재발급하려면", "여권재발급", "pasport renewal", "여권 renewal 수수료"):
        result = search.search(text)
        assert result.decision is Decision.CLEAR and result.best.service_id == "passport_reissue", text
    assert search.search("가족관게증명서").best.service_id == "family_relation_certificate"


def test_a_shared_word_is_ambiguous_between_the_services_that_use_it(catalogue_engine: Engine) -> None:
    result = CatalogueSearch(catalogue_engine).search("여권 수수료 얼마예요")
    assert result.decision is Decision.AMBIGUOUS
    assert {c.service_id for c in result.candidates} == {"passport_issue", "passport_reissue"}
    two = CatalogueSearch(catalogue_engine).search("여권 재발급이랑 주민등록증 재발급 둘 다 궁금해요")
    assert two.decision is Decision.AMBIGUOUS
    assert {c.service_id for c in two.candidates} == {"passport_reissue", "resident_card_reissue"}


def test_nothing_matching_gives_no_decision_but_nearest_suggestions(catalogue_engine: Engine) -> None:
    search = CatalogueSearch(catalogue_engine)
    for text in (
        "수수료는요?",
        "how long?",
        "ㅋㅋㅋ",
        "🙂",
        "'; DROP TABLE catalogue_service; --",
        "",
        "a" * 5000,
    ):
        assert search.search(text).decision is Decision.NONE, text
    near = search.search("주민등록 관련")
    assert near.decision is not Decision.CLEAR or near.best.service_id.startswith("resident")


def test_a_renamed_service_is_found_after_the_catalogue_changes(catalogue_engine: Engine) -> None:
    search = CatalogueSearch(catalogue_engine)
    assert search.search("낚시터 이용권").decision is Decision.NONE
    set_service_field(
        catalogue_engine, "land_register", "aliases.ko", ["낚시터 이용권", "토지대장"], actor="test"
    )
    started = time.monotonic()
    result = search.search("낚시터 이용권 발급")
    assert result.best is not None and result.best.service_id == "land_register"
    assert time.monotonic() - started < 2.0


def test_lost_stolen_or_damaged_documents_resolve_clearly_to_their_reissue(catalogue_engine: Engine) -> None:
    search = CatalogueSearch(catalogue_engine)
    expected = {
        "외국인등록증 재발급": "residence_card_reissue",
        "외국인등록증 잃어버렸어요": "residence_card_reissue",
        "체류카드 잃어버렸는데 어떻게 해요": "residence_card_reissue",
        "운전면허증 잃어버렸는데 어떻게 해요": "driver_license_reissue",
        "면허증이 부러졌어요": "driver_license_reissue",
        "my driving licence is broken": "driver_license_reissue",
        "주민등록증이 없어졌어요": "resident_card_reissue",
        "여권 잃어버렸어요": "passport_reissue",
        "여권이 찢어졌어요": "passport_reissue",
        "누가 여권을 훔쳐갔어요": "passport_reissue",
        # First issue and renewal keep their own names.
        "외국인등록증 어떻게 받아요": "foreigner_registration",
        "외국인등록증 발급": "foreigner_registration",
        "운전면허 적성검사": "driver_license_renewal",
    }
    for text, service_id in expected.items():
        result = search.search(text)
        assert result.decision is Decision.CLEAR and result.best.service_id == service_id, (
            text,
            result.decision,
            [(c.service_id, c.score) for c in result.ranking[:3]],
        )
    # Not having a passport is not losing one.
    not_having = search.search("여권이 없어요")
    assert not_having.decision is not Decision.CLEAR or not_having.best.service_id != "passport_reissue"


def test_a_whole_extra_word_is_not_taken_for_a_typo(catalogue_engine: Engine) -> None:
    # "외국인등록증 발급" is two jamo from "외국인등록증 재발급", but the two
    # jamo are the word 재, so it must not count as a mistyped first issue.
    ranking = CatalogueSearch(catalogue_engine).search("외국인등록증 재발급").ranking
    first_issue = next(c for c in ranking if c.service_id == "foreigner_registration")
    assert not any(evidence.startswith("ko:외국인등록증발급") for evidence in first_issue.evidence)
    # A real typo inside a word is still forgiven.
    typo = CatalogueSearch(catalogue_engine).search("외국인등록증 제발급")
    assert typo.best is not None and typo.best.service_id == "residence_card_reissue"


def test_document_event_verbs_read_as_the_nouns_service_names_use() -> None:
    assert korean_morphemes("여권을 잃어버렸어요") == korean_morphemes("여권 분실")
    assert korean_morphemes("면허증이 부러졌어요") == korean_morphemes("면허증 훼손")
    assert korean_morphemes("여권이 없어졌어요") == korean_morphemes("여권 분실")
    assert korean_morphemes("여권이 없어요") == ("여권",)
    assert korean_morphemes("여권 신청했어요") == ("여권", "신청")
    assert english_words("my licence is broken") == ("licence", "damaged")
    assert english_words("I misplaced my passport") == ("lost", "passport")
