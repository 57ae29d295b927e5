"""The catalogue search index: it finds what matching every phrase finds, at any size.

The reference is :meth:`CatalogueIndex.score_exhaustive` (every rule applied to
every phrase) and, for decisions, the decision drawn from that full ranking
as the search always drew it. Run alone:

    pytest tests/knowledge/test_search_index.py -q
"""

from __future__ import annotations

import random
from typing import Iterable, List, Sequence, Tuple

import pytest
from sqlalchemy.engine import Engine

from core.db import create_schema, get_engine
from knowledge.importer import import_documents, set_service_field
from knowledge.search import (
    MARGIN,
    MIN_SCORE,
    SUGGESTION_SCORE,
    CatalogueIndex,
    CatalogueSearch,
    Decision,
    SearchResult,
    _dominates,
)
from knowledge.search_index import deletions, korean_pieces
from knowledge.text import fewest_edits, substring_alignment
from scripts.synthetic_catalogue import generate, queries_for
from tests.knowledge.conftest import FIXTURES

QUERIES_FILE = FIXTURES / "resolution_queries.tsv"
EDGE_QUERIES = (
    "how long?",
    "수수료는요?",
    "ㅋㅋㅋ",
    "주민등록 관련",
    "a" * 400,
    "여권 재발급이랑 주민등록증 재발급 둘 다 궁금해요",
    "pasport renewl fee",
    "가족관게증명서 떼는 법",
    "주민등록등분 발급",
    "youth rent",
    "청년 월세 지원",
    "부산 청년 월세",
    "senior passport",
)


def _fixture_queries() -> List[Tuple[str, str]]:
    rows = []
    for line in QUERIES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, query = line.split("\t")
            rows.append((expected, query))
    return rows


def _decision_over_every_phrase(index: CatalogueIndex, text: str, exclude: Iterable[str] = ()) -> SearchResult:
    """The decision as drawn from the full ranking of every phrase (the search before the index)."""
    excluded = frozenset(exclude)
    ranking = [c for c in index.score_exhaustive(text) if c.service_id not in excluded]
    strong = [c for c in ranking if c.score >= MIN_SCORE]
    if not strong:
        suggestions = [c for c in ranking if c.score >= SUGGESTION_SCORE][:3]
        if len(suggestions) < 3:
            known = [*excluded, *(c.service_id for c in suggestions)]
            suggestions += index.suggest(text, known, 3 - len(suggestions))
        return SearchResult(Decision.NONE, [], ranking, suggestions)
    top = strong[0]
    group = [top] + [
        c
        for c in strong[1:]
        if top.score - c.score < MARGIN or (not c.coverage & top.coverage and c.score >= 0.7 * top.score)
    ]
    group = [c for c in group if not any(_dominates(other, c) for other in group if other is not c)]
    if len(group) == 1:
        return SearchResult(Decision.CLEAR, group, ranking)
    return SearchResult(Decision.AMBIGUOUS, group[:4], ranking)


def _same_decision(found: SearchResult, expected: SearchResult) -> None:
    assert found.decision is expected.decision
    assert found.candidates == expected.candidates
    assert found.suggestions == expected.suggestions
    assert found.ranking == expected.ranking


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Tuple[CatalogueIndex, List[Tuple[str, str]]]:
    """The index of a synthetic 1,000-service catalogue and questions naming its synthetic services."""
    documents, made = generate(1000)
    folder = tmp_path_factory.mktemp("synthetic")
    engine = create_schema(get_engine(f"sqlite:///{folder}/catalogue.db"))
    import_documents(engine, documents, actor="test")
    return CatalogueSearch(engine).index(), queries_for(made, 40)


def _sample(rows: Sequence[Tuple[str, str]], count: int, seed: int) -> List[Tuple[str, str]]:
    return random.Random(seed).sample(list(rows), min(count, len(rows)))


# --------------------------------------------------------------------------- the index equals every phrase


def test_every_fixture_question_ranks_as_over_every_phrase(catalogue_engine: Engine) -> None:
    index = CatalogueSearch(catalogue_engine).index()
    for _, query in _fixture_queries():
        assert index.score(query) == index.score_exhaustive(query), query


def test_at_a_thousand_services_the_index_drops_no_phrase(synthetic: Tuple[CatalogueIndex, list]) -> None:
    index, named = synthetic
    sample = _sample(_fixture_queries(), 18, seed=1) + _sample(named, 8, seed=2)
    for _, query in sample + [("", text) for text in EDGE_QUERIES]:
        assert index.score(query) == index.score_exhaustive(query), query


def test_at_a_thousand_services_decisions_are_those_of_the_full_ranking(
    synthetic: Tuple[CatalogueIndex, list],
) -> None:
    index, named = synthetic
    sample = _sample(_fixture_queries(), 12, seed=3) + _sample(named, 6, seed=4)
    for _, query in sample + [("", text) for text in EDGE_QUERIES[:8]]:
        _same_decision(index.search(query), _decision_over_every_phrase(index, query))
    # Leaving out the services a citizen turned away from, too.
    for query in ("여권 재발급 수수료", "passport renewal", "주민등록 관련"):
        exclude = ("passport_reissue", "resident_registration_copy")
        _same_decision(index.search(query, exclude), _decision_over_every_phrase(index, query, exclude))


def test_fixture_questions_still_find_their_service_among_a_thousand(
    synthetic: Tuple[CatalogueIndex, list],
) -> None:
    index, _ = synthetic
    misses = []
    for expected, query in _fixture_queries():
        ranking = index.search(query).ranking
        if not ranking or ranking[0].service_id != expected:
            misses.append((query, expected, ranking[0].service_id if ranking else None))
    assert len(misses) <= len(_fixture_queries()) * 0.05, misses


def test_typos_are_still_forgiven_among_a_thousand(synthetic: Tuple[CatalogueIndex, list]) -> None:
    index, named = synthetic
    for text, service_id in {
        "pasport renewal": "passport_reissue",
        "가족관게증명서 발급": "family_relation_certificate",
        "주민등록등분 발급": "resident_registration_copy",
        "외국인등록증 제발급": "residence_card_reissue",
    }.items():
        result = index.search(text)
        assert result.best is not None and result.best.service_id == service_id, (text, result.candidates)
    # The generator's questions with a typo in a synthetic service's own words
    # ("목포 보훈대상자 체류기간 연장허갸"): the service is still among the
    # first three (the national service it copies may score as high).
    typed = [(expected, query) for number, (expected, query) in enumerate(named) if number % 4 in (0, 1)]
    assert len(typed) == 20
    for expected, query in typed:
        assert expected in [c.service_id for c in index.search(query).ranking[:3]], query


def test_suggestions_are_the_names_sharing_most_letter_pairs(synthetic: Tuple[CatalogueIndex, list]) -> None:
    index, _ = synthetic

    def pairs(text: str) -> frozenset:
        compact = "".join(text.lower().split())
        return frozenset(compact[i : i + 2] for i in range(len(compact) - 1))

    for text in ("주민등록 관련", "passprt", "청년 지원", "how long?", "zzzz"):
        query = pairs(text)
        expected = []
        for service_id, names in index.names.items():
            similarity = max(
                (2 * len(query & pairs(name)) / (len(query) + len(pairs(name))) for name in names if pairs(name)),
                default=0.0,
            )
            if similarity >= 0.3:
                expected.append((-similarity, service_id))
        expected.sort()
        assert [(c.service_id, c.score) for c in index.suggest(text, (), 5)] == [
            (service_id, round(-similarity, 3)) for similarity, service_id in expected[:5]
        ], text


def test_the_ranking_is_made_when_read_and_equals_the_full_score(synthetic: Tuple[CatalogueIndex, list]) -> None:
    index, _ = synthetic
    result = index.search("청년 월세 지원")
    assert result.best is not None and result.best.service_id == "youth_monthly_rent_support"
    ranking = result.ranking
    assert ranking == index.score("청년 월세 지원")
    assert len(ranking) > 20, "regional versions of the service are in the ranking too"
    assert result.ranking is ranking, "made once"


# --------------------------------------------------------------------------- catalogue changes


def test_a_service_added_is_found_after_the_version_changes(catalogue_engine: Engine) -> None:
    search = CatalogueSearch(catalogue_engine)
    before = search.index()
    documents, made = generate(len(before.names) + 8)
    for added in made:
        assert added.service_id not in before.names
    # As a citizen names one: "원주 1인가구 체류기간 연장허가".
    asked = {
        added.service_id: " ".join(filter(None, (added.region.short_ko, added.group.ko, added.base_ko)))
        for added in made
    }
    report = import_documents(catalogue_engine, documents, actor="test")
    assert len([item for item in report.created if item.startswith("service:")]) == 8
    after = search.index()
    assert after.version > before.version
    for added in made:
        assert search.search(asked[added.service_id]).best.service_id == added.service_id, asked[added.service_id]
        assert search.search(added.name_en).best.service_id == added.service_id, added.name_en


def test_a_new_version_reanalyses_only_the_services_that_changed(catalogue_engine: Engine) -> None:
    cache: dict = {}
    CatalogueIndex.from_engine(catalogue_engine, cache)
    kept = {key: phrases for key, phrases in cache.items() if key[0] != "land_register"}
    set_service_field(catalogue_engine, "land_register", "aliases.ko", ["낚시터 이용권"], actor="test")
    index = CatalogueIndex.from_engine(catalogue_engine, cache)
    assert all(cache[key] is phrases for key, phrases in kept.items())
    (changed,) = [names for service_id, names in cache if service_id == "land_register"]
    assert changed[:3] == ("토지대장 발급", "Land register certificate", "낚시터 이용권")
    assert index.search("낚시터 이용권 발급").best.service_id == "land_register"


# --------------------------------------------------------------------------- the pieces of the index


def _sellers(pattern: str, text: str, limit: int) -> Tuple[int, int, int] | None:
    """Sellers' dynamic programme, cell by cell (the alignment the search always used)."""
    found = text.find(pattern)
    if found >= 0:
        return 0, found, found + len(pattern)
    if limit <= 0 or not text:
        return None
    previous = [(i, 0) for i in range(len(pattern) + 1)]
    best = (previous[-1][0], 0, 0)
    for j, char in enumerate(text, start=1):
        current = [(0, j)] + [(0, 0)] * len(pattern)
        for i, pattern_char in enumerate(pattern, start=1):
            diagonal = previous[i - 1]
            substitute = (diagonal[0] + (pattern_char != char), diagonal[1])
            delete = (previous[i][0] + 1, previous[i][1])
            insert = (current[i - 1][0] + 1, current[i - 1][1])
            current[i] = min(substitute, delete, insert, key=lambda cell: (cell[0], -cell[1]))
        if current[-1][0] < best[0]:
            best = (current[-1][0], current[-1][1], j)
        previous = current
    return best if best[0] <= limit else None


def _mistype(word: str, edits: int, alphabet: str, rng: random.Random) -> str:
    letters = list(word)
    for _ in range(edits):
        at = rng.randrange(len(letters) + 1)
        kind = rng.randrange(3)
        if kind == 0 and at < len(letters):
            letters[at] = rng.choice(alphabet)
        elif kind == 1 and at < len(letters):
            del letters[at]
        else:
            letters.insert(at, rng.choice(alphabet))
    return "".join(letters)


def test_the_bit_parallel_alignment_is_the_dynamic_programme() -> None:
    rng = random.Random(7)
    alphabet = "abcdefg"
    for _ in range(3000):
        pattern = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        if pattern and rng.random() < 0.6:
            at = rng.randint(0, len(text))
            text = text[:at] + _mistype(pattern, rng.randint(0, 3), alphabet, rng) + text[at:]
        limit = rng.randint(0, 4)
        assert substring_alignment(pattern, text, limit) == _sellers(pattern, text, limit), (pattern, text, limit)
    assert fewest_edits("abcd", "xxabedxx") == (1, 6)
    assert fewest_edits("", "abc") is None


def test_one_korean_piece_survives_as_many_edits_as_the_phrase_allows() -> None:
    rng = random.Random(11)
    alphabet = "ᄀᄂ다ᅥᅩᆨᆫ"
    for _ in range(2000):
        limit = rng.randint(0, 3)
        jamo = "".join(rng.choice(alphabet) for _ in range(rng.randint(3 * (limit + 1), 40)))
        typed = _mistype(jamo, rng.randint(0, limit), alphabet, rng)
        assert any(piece in typed for piece in korean_pieces(jamo, limit)), (jamo, typed, limit)


def test_words_within_their_limit_share_a_deletion() -> None:
    rng = random.Random(13)
    for _ in range(2000):
        word = "".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 12)))
        limit = rng.randint(0, 2)
        typed = _mistype(word, limit, "abcdefghij", rng)
        assert deletions(word, limit) & deletions(typed, limit), (word, typed)


# --------------------------------------------------------------------------- the synthetic catalogue


def test_synthetic_catalogues_are_deterministic_and_distinct() -> None:
    first, made = generate(400)
    second, _ = generate(400)
    assert [d.services for d in first] == [d.services for d in second]
    services = [entry for document in first for entry in document.services]
    assert len(services) == 400
    assert len({s["id"] for s in services}) == 400
    assert len({s["name"]["ko"] for s in services}) == 400
    assert len({s["name"]["en"] for s in services}) == 400
    assert all(s["illustrative"] for s in services if s["id"].startswith("s0"))
    assert made[0].name_ko.startswith(made[0].region.ko)
    other, _ = generate(400, seed=99)
    assert [d.services for d in other] != [d.services for d in first]
