"""What the project's spaCy pipeline extracts: regions, normalised to their 시·도,
and catalogue service names, merged with what the CRF learned."""

from pathlib import Path

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.kiwi_tokenizer import KiwiTokenizer
from nlu.components.spacy_gazetteer import SpacyGazetteerExtractor
from nlu.gazetteer.build import build, load_region_patterns, load_service_patterns, service_tokens


@pytest.fixture(scope="module")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> SpacyGazetteerExtractor:
    import spacy

    path = build(Path(tmp_path_factory.mktemp("gazetteer")) / "pipeline")
    config = {**SpacyGazetteerExtractor.get_default_config(), "pipeline_path": str(path)}
    return SpacyGazetteerExtractor(config, None, None, nlp=spacy.load(path))  # type: ignore[arg-type]


def processed(extractor: SpacyGazetteerExtractor, text: str, learned: list | None = None) -> list:
    message = Message(data={TEXT: text, ENTITIES: learned or []})
    tokenizer = KiwiTokenizer(KiwiTokenizer.get_default_config())
    message.set(TOKENS_NAMES[TEXT], tokenizer.tokenize(message, TEXT))
    extractor.process([message])
    return [(e["entity"], text[e["start"]:e["end"]], e["value"]) for e in message.get(ENTITIES, [])]


def regions(extractor: SpacyGazetteerExtractor, text: str) -> list:
    return [(span, value) for entity, span, value in processed(extractor, text) if entity == "region"]


def services(extractor: SpacyGazetteerExtractor, text: str, learned: list | None = None) -> list:
    return [span for entity, span, _ in processed(extractor, text, learned) if entity == "service"]


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
    patterns = load_region_patterns()
    assert len(patterns) > 300
    assert {p["id"] for p in patterns} >= {"서울특별시", "부산광역시", "제주특별자치도"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("여권 재발급 수수료", ["여권 재발급"]),
        ("기초연금 신청하려면 뭐가 필요해요", ["기초연금"]),
        ("기초연금신청 어디서 해요", ["기초연금"]),
        ("how much is a passport", ["passport"]),
        ("부산에서 전입신고 하려면", ["전입신고"]),
    ],
)
def test_catalogue_service_names_are_found_without_action_words(
    extractor: SpacyGazetteerExtractor, text: str, expected: list
) -> None:
    assert services(extractor, text) == expected


def test_action_phrases_and_generic_words_make_no_service_pattern() -> None:
    assert service_tokens("get a passport") == ()
    assert service_tokens("민원") == ()
    assert service_tokens("기초연금 신청") == ("기초", "연금")
    patterns = load_service_patterns([("ko", "기초연금"), ("ko", "기초연금 신청"), ("en", "apply for a passport")])
    assert [p["pattern"] for p in patterns] == [[{"LOWER": "기초"}, {"LOWER": "연금"}]]


def test_a_match_replaces_the_learned_service_it_overlaps_and_keeps_others(extractor: SpacyGazetteerExtractor) -> None:
    text = "기초연금 신청이랑 청녕월세 문의"
    learned = [
        {"entity": "service", "start": 0, "end": 7, "value": "기초연금 신청"},  # boundary off: replaced
        {"entity": "service", "start": 10, "end": 14, "value": "청녕월세"},  # misspelt, not in the catalogue: kept
    ]
    assert services(extractor, text, learned) == ["기초연금", "청녕월세"]


def test_a_service_name_inside_a_life_event_phrase_is_not_added(extractor: SpacyGazetteerExtractor) -> None:
    text = "혼인신고 마쳤어요"
    learned = [{"entity": "life_event", "start": 0, "end": 9, "value": "marriage"}]
    assert processed(extractor, text, learned) == [("life_event", "혼인신고 마쳤어요", "marriage")]


def test_no_service_is_marked_in_a_petition(extractor: SpacyGazetteerExtractor) -> None:
    """Petition lines never annotate a service in the training data; the gazetteer follows."""
    text = "국민신문고에 민원 넣고 싶어요"
    message = Message(data={TEXT: text, "intent": {"name": "file_petition", "confidence": 0.9}})
    tokenizer = KiwiTokenizer(KiwiTokenizer.get_default_config())
    message.set(TOKENS_NAMES[TEXT], tokenizer.tokenize(message, TEXT))
    extractor.process([message])
    assert [e for e in message.get(ENTITIES, []) if e["entity"] == "service"] == []
    assert services(extractor, "국민신문고 이용 방법") == ["국민신문고"]
