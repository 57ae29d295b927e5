"""EntityCleanup: one entity per span, canonical life_event and helpful values
learned from annotated phrases, other values untouched, and a save and load."""

from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.entity_cleanup import EntityCleanup, normalised_text, one_per_span

PROJECT = Path(__file__).resolve().parents[2]

# A few annotated phrases per value, in the training data's convention.
ANNOTATED = {
    "life_event": {
        "birth": ["아기를 낳았어요", "아이가 태어났어요", "출산했어요", "I had a baby", "our baby was born"],
        "job_loss": ["회사에서 잘렸어요", "해고당했어요", "실직했어요", "I lost my job", "I was laid off"],
        "moving": ["이사했어요", "집을 옮겼어요", "we just moved", "I changed my address"],
        "marriage": ["결혼했어요", "결혼식 올렸어요", "I got married", "we tied the knot"],
    },
    "helpful": {
        "yes": ["도움이 됐어요", "유용했어요", "답변 좋아요", "that was helpful", "the answer was useful", "great answer"],
        "no": ["도움이 안 됐어요", "별로예요", "쓸모없는 답변이네요", "not helpful", "that didn't help", "useless answer"],
    },
}


def annotated_message(phrase: str, entity: str, value: str) -> Message:
    """A training example whose whole text is one annotated phrase (Rasa reads
    a text without an intent as a story line, not an NLU example)."""
    intent = "report_life_event" if entity == "life_event" else "feedback"
    annotation = {"entity": entity, "start": 0, "end": len(phrase), "value": value}
    return Message(data={TEXT: phrase, INTENT: intent, ENTITIES: [annotation]})


def crf_entity(text: str, phrase: str, entity: str, **extra: Any) -> Dict[str, Any]:
    """What the CRF reports for ``phrase`` inside ``text``: the phrase as value."""
    start = text.index(phrase)
    return {
        "entity": entity,
        "start": start,
        "end": start + len(phrase),
        "value": phrase,
        "confidence_entity": 0.8,
        "extractor": "CRFEntityExtractor",
        **extra,
    }


def cleaned(component: EntityCleanup, text: str, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    message = Message(data={TEXT: text, ENTITIES: entities})
    component.process([message])
    return message.get(ENTITIES)


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> LocalModelStorage:
    return LocalModelStorage(Path(tmp_path_factory.mktemp("model")))


@pytest.fixture(scope="module")
def trained(storage: LocalModelStorage) -> EntityCleanup:
    examples = [
        annotated_message(phrase, entity, value)
        for entity, values in ANNOTATED.items()
        for value, phrases in values.items()
        for phrase in phrases
    ]
    component = EntityCleanup.create(
        EntityCleanup.get_default_config(), storage, Resource("cleanup"), ExecutionContext(None)  # type: ignore[arg-type]
    )
    component.train(TrainingData(training_examples=examples))
    return component


def test_the_canonical_values_are_the_annotated_ones(trained: EntityCleanup) -> None:
    assert trained.canonical_values == {
        "life_event": {"birth", "job_loss", "moving", "marriage"},
        "helpful": {"yes", "no"},
    }


@pytest.mark.parametrize(
    ("text", "phrase", "entity", "expected"),
    [
        ("애기가 태어났어요 뭐 해야 해요?", "애기가 태어났어요", "life_event", "birth"),
        ("회사에서 해고됐어요", "회사에서 해고됐어요", "life_event", "job_loss"),
        ("my wife just had a baby girl", "just had a baby girl", "life_event", "birth"),
        ("got laid off last week", "got laid off", "life_event", "job_loss"),
        ("it was really useful", "it was really useful", "helpful", "yes"),
        ("별로 도움이 안 됐어요", "별로 도움이 안 됐어요", "helpful", "no"),
        ("도움이 많이 됐어요", "도움이 많이 됐어요", "helpful", "yes"),
        ("that was not helpful at all", "not helpful at all", "helpful", "no"),
    ],
)
def test_unseen_phrasings_get_the_canonical_value(
    trained: EntityCleanup, text: str, phrase: str, entity: str, expected: str
) -> None:
    assert normalised_text(phrase) not in {normalised_text(p) for v in ANNOTATED[entity].values() for p in v}
    [result] = cleaned(trained, text, [crf_entity(text, phrase, entity)])
    assert result["value"] == expected
    assert (result["start"], result["end"]) == (text.index(phrase), text.index(phrase) + len(phrase))
    assert result["extractor"] == "CRFEntityExtractor"
    assert result["processors"] == ["EntityCleanup"]


@pytest.mark.parametrize(
    ("text", "entity"),
    [("프린터가 고장났어요", "life_event"), ("the weather is nice", "life_event"), ("주차장이 어디예요", "helpful")],
)
def test_a_phrase_far_from_every_known_one_is_dropped(trained: EntityCleanup, text: str, entity: str) -> None:
    assert cleaned(trained, text, [crf_entity(text, text, entity)]) == []


def test_without_dropping_a_far_phrase_keeps_its_value(storage: LocalModelStorage, trained: EntityCleanup) -> None:
    config = {**EntityCleanup.get_default_config(), "drop_unmapped": False}
    keeping = EntityCleanup.load(config, storage, Resource("cleanup"), ExecutionContext(None))  # type: ignore[arg-type]
    text = "프린터가 고장났어요"
    assert [e["value"] for e in cleaned(keeping, text, [crf_entity(text, text, "life_event")])] == [text]


def test_a_value_that_is_already_canonical_is_kept(trained: EntityCleanup) -> None:
    text = "아이를 낳았는데 뭘 신청해요"
    entity = {**crf_entity(text, "아이를 낳았는데", "life_event"), "value": "birth"}
    assert cleaned(trained, text, [entity]) == [entity]


def test_other_entity_values_are_never_changed(trained: EntityCleanup) -> None:
    text = "대구광역시 여권 재발급 2026-0012347 1985-03-12 English"
    entities = [
        {"entity": "region", "start": 0, "end": 5, "value": "대구광역시", "extractor": "SpacyGazetteerExtractor"},
        crf_entity(text, "여권 재발급", "service"),
        {"entity": "application_number", "start": text.index("2026"), "end": text.index("2026") + 12,
         "value": "2026-0012347", "extractor": "IdentifierExtractor"},
        {"entity": "birth_date", "start": text.index("1985"), "end": text.index("1985") + 10, "value": "1985-03-12",
         "extractor": "IdentifierExtractor"},
        {**crf_entity(text, "English", "language"), "value": "en"},
    ]
    assert cleaned(trained, text, [dict(e) for e in entities]) == entities


def test_the_same_span_from_two_extractors_gives_one_entity(trained: EntityCleanup) -> None:
    text = "대구광역시로 이사했어요"
    learned = {**crf_entity(text, "대구광역시", "region"), "value": "대구광역시"}
    gazetteer = {"entity": "region", "start": 0, "end": 5, "value": "대구광역시", "confidence_entity": 1.0,
                 "extractor": "SpacyGazetteerExtractor"}
    result = cleaned(trained, text, [learned, gazetteer, crf_entity(text, "이사했어요", "life_event")])
    assert [(e["entity"], e["extractor"]) for e in result] == [
        ("region", "SpacyGazetteerExtractor"),
        ("life_event", "CRFEntityExtractor"),
    ]
    assert result[1]["value"] == "moving"


def test_a_service_found_by_both_extractors_is_reported_once(trained: EntityCleanup) -> None:
    text = "여권 재발급 서류 알려주세요"
    learned = crf_entity(text, "여권 재발급 서류", "service")  # longer, but learned
    gazetteer = {"entity": "service", "start": 0, "end": 6, "value": "여권 재발급", "confidence_entity": 1.0,
                 "extractor": "SpacyGazetteerExtractor"}
    assert cleaned(trained, text, [learned, gazetteer]) == [gazetteer]


def test_overlapping_learned_spans_keep_the_longer_then_the_more_confident() -> None:
    short = {"entity": "life_event", "start": 3, "end": 8, "value": "moving", "confidence_entity": 0.9}
    long = {"entity": "life_event", "start": 0, "end": 27, "value": "moving", "confidence_entity": 0.6}
    same_length = {"entity": "life_event", "start": 0, "end": 27, "value": "moving", "confidence_entity": 0.7}
    assert one_per_span([short, long], lambda e: False) == [long]
    assert one_per_span([long, same_length, short], lambda e: False) == [same_length]


def test_a_chain_of_overlaps_is_one_group_and_other_types_stay() -> None:
    first = {"entity": "service", "start": 0, "end": 4, "value": "a"}
    middle = {"entity": "service", "start": 3, "end": 9, "value": "b"}
    last = {"entity": "service", "start": 8, "end": 10, "value": "c"}
    region = {"entity": "region", "start": 0, "end": 2, "value": "서울특별시"}
    apart = {"entity": "service", "start": 12, "end": 14, "value": "d"}
    assert one_per_span([apart, last, first, region, middle], lambda e: False) == [region, middle, apart]


def test_a_preferred_entity_wins_over_a_longer_one() -> None:
    learned = {"entity": "service", "start": 0, "end": 9, "value": "x", "extractor": "CRFEntityExtractor"}
    gazetteer = {"entity": "service", "start": 0, "end": 6, "value": "y", "extractor": "SpacyGazetteerExtractor"}
    assert one_per_span([learned, gazetteer], lambda e: e["extractor"] == "SpacyGazetteerExtractor") == [gazetteer]


def test_a_loaded_component_cleans_like_the_trained_one(storage: LocalModelStorage, trained: EntityCleanup) -> None:
    loaded = EntityCleanup.load(
        EntityCleanup.get_default_config(), storage, Resource("cleanup"), ExecutionContext(None)  # type: ignore[arg-type]
    )
    assert loaded.canonical_values == trained.canonical_values
    for text, phrase, entity in [
        ("애기가 태어났어요", "애기가 태어났어요", "life_event"),
        ("별로 도움이 안 됐어요", "별로 도움이 안 됐어요", "helpful"),
        ("프린터가 고장났어요", "프린터가 고장났어요", "life_event"),
    ]:
        assert cleaned(loaded, text, [crf_entity(text, phrase, entity)]) == cleaned(
            trained, text, [crf_entity(text, phrase, entity)]
        )


def test_a_model_without_stored_pairs_only_deduplicates(tmp_path: Path) -> None:
    empty = EntityCleanup.load(
        EntityCleanup.get_default_config(), LocalModelStorage(tmp_path), Resource("none"), ExecutionContext(None)  # type: ignore[arg-type]
    )
    text = "애기가 태어났어요"
    entity = crf_entity(text, text, "life_event")
    assert cleaned(empty, text, [entity, dict(entity)]) == [entity]


def test_the_projects_training_data_maps_new_phrasings(storage: LocalModelStorage) -> None:
    """Trained on nlu/data's annotations, phrasings that are not in them get the right value."""
    data = TrainingData().merge(
        *(load_data(str(PROJECT / "nlu" / "data" / language / "routing.yml")) for language in ("ko", "en"))
    )
    component = EntityCleanup.create(
        EntityCleanup.get_default_config(), storage, Resource("project"), ExecutionContext(None)  # type: ignore[arg-type]
    )
    component.train(data)
    known = {
        normalised_text(m.get(TEXT)[e["start"]:e["end"]])
        for m in data.entity_examples
        for e in m.get(ENTITIES) or []
    }
    for phrase, entity, expected in [
        ("회사에서 해고됐어요", "life_event", "job_loss"),
        ("우리 애기가 태어났어요", "life_event", "birth"),
        ("it was really useful", "helpful", "yes"),
        ("별로 도움이 안 됐어요", "helpful", "no"),
        ("that answer did not help me", "helpful", "no"),
    ]:
        assert normalised_text(phrase) not in known
        values = [e["value"] for e in cleaned(component, phrase, [crf_entity(phrase, phrase, entity)])]
        assert values == [expected], phrase
