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
