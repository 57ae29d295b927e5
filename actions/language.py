"""The reply language: detected per message until the citizen picks one.

``action_detect_language`` is the custom slot-mapping action of the `language`
and `language_locked` slots, so Rasa runs it after every user message, before
the next reply is chosen. An explicit request ("영어로 해주세요", "switch to
Korean", a language button) locks the choice; the rule for `set_language`
then confirms it in the chosen language.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from core.language import detect_language, normalize_language

SET_LANGUAGE = "set_language"

_KEYWORDS = (
    (re.compile(r"영어|잉글리시|english|\beng\b", re.IGNORECASE), "en"),
    (re.compile(r"한국어|한국말|한글|국어|korean|hangul", re.IGNORECASE), "ko"),
)


def requested_language(tracker: Tracker) -> Optional[str]:
    """The language the latest message explicitly asks for, if any: from the
    `language` entity, else from a language name in the text."""
    for value in tracker.get_latest_entity_values("language"):
        language = normalize_language(value)
        if language:
            return language
    text = tracker.latest_message.get("text") or ""
    found = {language for pattern, language in _KEYWORDS if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


def message_language(tracker: Tracker) -> Optional[str]:
    """The language the latest message is written in; a button payload or a
    message without letters falls back to the channel's hint (for example
    Telegram's `language_code`), else None."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    detected = None if text.startswith("/") else detect_language(text)
    if detected:
        return detected
    metadata = message.get("metadata") or {}
    return normalize_language(metadata.get("language_hint")) if isinstance(metadata, dict) else None


class ActionDetectLanguage(Action):
    """Keeps the `language` slot in step with the citizen."""

    def name(self) -> Text:
        return "action_detect_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Set `language` (and lock it) on an explicit request; otherwise follow
        the message's script unless the citizen has locked a language."""
        current = tracker.get_slot("language")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == SET_LANGUAGE:
            chosen = requested_language(tracker)
            if chosen:
                return [SlotSet("language", chosen), SlotSet("language_locked", True)]
            return []
        if tracker.get_slot("language_locked"):
            return []
        detected = message_language(tracker)
        if detected and detected != current:
            return [SlotSet("language", detected)]
        return []
