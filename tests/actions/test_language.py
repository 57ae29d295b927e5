"""Language choice: follows each message until the citizen picks one."""

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionDetectLanguage


def tracker(
    text: str,
    intent: str = "greet",
    entities: Optional[List[Dict[str, Any]]] = None,
    language: str = "ko",
    locked: bool = False,
    metadata: Optional[Dict[str, Any]] = None,
) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "citizen",
            "slots": {"language": language, "language_locked": locked},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 1.0},
                "entities": entities or [],
                "metadata": metadata or {},
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


async def detect(t: Tracker) -> list:
    return await ActionDetectLanguage().run(CollectingDispatcher(), t, {})


async def test_english_message_switches_reply_language() -> None:
    assert await detect(tracker("hello")) == [SlotSet("language", "en")]


async def test_korean_message_switches_back() -> None:
    assert await detect(tracker("안녕하세요", language="en")) == [SlotSet("language", "ko")]


async def test_no_letters_keeps_the_language() -> None:
    assert await detect(tracker("😀😀", language="en")) == []
    assert await detect(tracker("/greet", language="en")) == []


async def test_channel_hint_is_used_when_the_text_has_no_letters() -> None:
    assert await detect(tracker("/greet", metadata={"language_hint": "en"})) == [SlotSet("language", "en")]


async def test_explicit_choice_locks_the_language() -> None:
    events = await detect(
        tracker("영어로 해주세요", intent="set_language", entities=[{"entity": "language", "value": "en"}])
    )
    assert events == [SlotSet("language", "en"), SlotSet("language_locked", True)]


async def test_choice_from_text_without_entity() -> None:
    events = await detect(tracker("switch to Korean please", intent="set_language", language="en"))
    assert events == [SlotSet("language", "ko"), SlotSet("language_locked", True)]


async def test_locked_language_ignores_the_script() -> None:
    assert await detect(tracker("hello", language="ko", locked=True)) == []


async def test_unclear_request_changes_nothing() -> None:
    assert await detect(tracker("언어 바꿔줘", intent="set_language")) == []
