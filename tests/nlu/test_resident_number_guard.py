from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.resident_number_guard import ResidentNumberGuard


def classified(text: str) -> Message:
    message = Message(
        data={
            TEXT: text,
            INTENT: {"name": "inform", "confidence": 0.99},
            INTENT_RANKING_KEY: [{"name": "inform", "confidence": 0.99}, {"name": "greet", "confidence": 0.01}],
        }
    )
    ResidentNumberGuard().process([message])
    return message


def test_raw_or_masked_number_sets_the_warning_intent_beyond_ambiguity() -> None:
    for text in ("제 주민번호는 900101-1234567이에요", "제 주민번호는 ******-*******이에요"):
        message = classified(text)
        assert message.get(INTENT) == {"name": "share_resident_number", "confidence": 1.0}
        others = [item["confidence"] for item in message.get(INTENT_RANKING_KEY)[1:]]
        assert others and max(others) == 0.0


def test_other_messages_are_left_alone() -> None:
    assert classified("2026-0001019 상태 알려주세요").get(INTENT)["name"] == "inform"
