"""What the project's spaCy pipeline extracts: regions, normalised to their 시·도."""

from pathlib import Path

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.kiwi_tokenizer import KiwiTokenizer
from nlu.components.spacy_gazetteer import SpacyGazetteerExtractor
from nlu.gazetteer.build import build, load_patterns


@pytest.fixture(scope="module")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> SpacyGazetteerExtractor:
    import spacy

    path = build(Path(tmp_path_factory.mktemp("gazetteer")) / "pipeline")
    config = {**SpacyGazetteerExtractor.get_default_config(), "pipeline_path": str(path)}
    return SpacyGazetteerExtractor(config, None, None, nlp=spacy.load(path))  # type: ignore[arg-type]


def regions(extractor: SpacyGazetteerExtractor, text: str) -> list:
    message = Message(data={TEXT: text})
    tokenizer = KiwiTokenizer(KiwiTokenizer.get_default_config())
    message.set(TOKENS_NAMES[TEXT], tokenizer.tokenize(message, TEXT))
    extractor.process([message])
    return [(text[e["start"]:e["end"]], e["value"]) for e in message.get(ENTITIES, []) if e["entity"] == "region"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("부산으로 이사했어요", [("부산", "부산광역시")]),
        ("we just moved to Busan", [("Busan", "부산광역시")]),
        ("서울특별시에 살아요", [("서울특별시", "서울특별시")]),
        ("해운대구에서 전입신고", [("해운대구", "부산광역시")]),
        ("I live in gangnam", [("gangnam", "서울특별시")]),
        ("경기도 수원시로 옮겼어요", [("경기도", "경기도"), ("수원시", "경기도")]),
        ("제주도 살아요", [("제주도", "제주특별자치도")]),
    ],
)
def test_regions_are_found_and_normalised(extractor: SpacyGazetteerExtractor, text: str, expected: list) -> None:
    assert regions(extractor, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "고양이를 키워요",  # cat, not 고양시
        "화성 탐사 뉴스",  # Mars: only 화성시 is a region
        "전주에 신청했어요",  # last week: only 전주시 is a region
        "여권 재발급 수수료",
    ],
)
def test_common_words_are_not_regions(extractor: SpacyGazetteerExtractor, text: str) -> None:
    assert regions(extractor, text) == []


def test_learned_region_entities_are_replaced(extractor: SpacyGazetteerExtractor) -> None:
    text = "대구로 이사"
    message = Message(data={TEXT: text, ENTITIES: [{"entity": "region", "start": 0, "end": 3, "value": "대구로"}]})
    tokenizer = KiwiTokenizer(KiwiTokenizer.get_default_config())
    message.set(TOKENS_NAMES[TEXT], tokenizer.tokenize(message, TEXT))
    extractor.process([message])
    assert [(e["value"]) for e in message.get(ENTITIES)] == ["대구광역시"]


def test_every_name_is_listed_once() -> None:
    patterns = load_patterns()
    assert len(patterns) > 300
    assert {p["id"] for p in patterns} >= {"서울특별시", "부산광역시", "제주특별자치도"}
