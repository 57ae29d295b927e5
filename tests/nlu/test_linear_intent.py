"""The linear intent classifier: learns from examples, ranks intents with
probabilities, survives a save and load, and leaves messages without text alone."""

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.kiwi_tokenizer import KiwiTokenizer
from nlu.components.linear_intent import LinearIntentClassifier

EXAMPLES = {
    "greet": ["안녕하세요", "안녕", "하이", "hello", "hi there", "good morning", "반가워요", "hey", "hello hello",
              "hi", "안녕하세요 반가워요", "hey there", "좋은 아침이에요", "hiya", "hello bot", "안뇽"],
    "ask_service_fee": ["여권 수수료 얼마예요", "등본 떼는데 얼마", "how much is a passport", "fee for the certificate",
                        "인감증명서 비용", "is it free", "수수료 있나요", "what does it cost", "how much does it cost",
                        "여권 발급 비용", "얼마 내야 해요", "is there a fee", "비용이 얼마나 들어요", "price of a copy",
                        "등본 수수료", "cost of renewal"],
    "goodbye": ["잘 있어요", "bye", "see you", "이만 갈게요", "안녕히 계세요", "good night", "ㅂㅂ", "later",
                "bye bye", "see you later", "다음에 봐요", "goodbye", "갈게요", "take care", "잘 가요", "see ya"],
}


def tokenized(text: str, intent: str | None = None) -> Message:
    data = {TEXT: text}
    if intent:
        data[INTENT] = intent
    message = Message(data=data)
    message.set(TOKENS_NAMES[TEXT], KiwiTokenizer(KiwiTokenizer.get_default_config()).tokenize(message, TEXT))
    return message


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> LocalModelStorage:
    return LocalModelStorage(Path(tmp_path_factory.mktemp("model")))


@pytest.fixture(scope="module")
def trained(storage: LocalModelStorage) -> LinearIntentClassifier:
    examples = [tokenized(text, intent) for intent, texts in EXAMPLES.items() for text in texts]
    config = {**LinearIntentClassifier.get_default_config(), "calibration_folds": 3}
    classifier = LinearIntentClassifier.create(config, storage, Resource("linear"), ExecutionContext(None))  # type: ignore[arg-type]
    classifier.train(TrainingData(training_examples=examples))
    return classifier


@pytest.mark.parametrize(
    ("text", "expected"),
    [("여권 수수료가 얼마인가요", "ask_service_fee"), ("hello, good morning", "greet"), ("ok bye, take care", "goodbye")],
)
def test_unseen_phrasings_get_the_right_intent(trained: LinearIntentClassifier, text: str, expected: str) -> None:
    message = trained.process([tokenized(text)])[0]
    assert message.get(INTENT)["name"] == expected


def test_the_ranking_holds_probabilities_best_first(trained: LinearIntentClassifier) -> None:
    ranking = trained.process([tokenized("수수료 얼마예요")])[0].get(INTENT_RANKING_KEY)
    confidences = [item["confidence"] for item in ranking]
    assert {item["name"] for item in ranking} == set(EXAMPLES)
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert 0 < confidences[0] <= 1


def test_a_loaded_classifier_predicts_like_the_trained_one(
    trained: LinearIntentClassifier, storage: LocalModelStorage
) -> None:
    config = {**LinearIntentClassifier.get_default_config(), "calibration_folds": 3}
    loaded = LinearIntentClassifier.load(config, storage, Resource("linear"), ExecutionContext(None))  # type: ignore[arg-type]
    text = "how much does it cost"
    expected = trained.process([tokenized(text)])[0].get(INTENT_RANKING_KEY)
    assert loaded.process([tokenized(text)])[0].get(INTENT_RANKING_KEY) == expected


def test_a_message_without_text_gets_no_intent_with_zero_confidence(trained: LinearIntentClassifier) -> None:
    """So the FallbackClassifier answers an empty message with nlu_fallback."""
    message = Message(data={TEXT: ""})
    trained.process([message, tokenized("hello")])
    assert message.get(INTENT) == {"name": None, "confidence": 0.0}
    assert message.get(INTENT_RANKING_KEY) == []


@pytest.mark.parametrize(
    "text", ["안녕하세요 안녕 하이 hello, 여권 발급 비용 수수료 얼마예요", "hi hello hey, how much does it cost"]
)
def test_a_request_after_greetings_gets_the_requests_intent(trained: LinearIntentClassifier, text: str) -> None:
    message = trained.process([tokenized(text)])[0]
    assert message.get(INTENT)["name"] == "ask_service_fee"
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "ask_service_fee"


def test_a_greeting_followed_by_small_talk_stays_a_greeting(trained: LinearIntentClassifier) -> None:
    message = trained.process([tokenized("hello hello, see you later bye")])[0]
    assert message.get(INTENT)["name"] in {"greet", "goodbye"}
