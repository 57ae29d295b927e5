"""One-tap feedback on answers, an optional comment, and a person after a 👎.

After a service answer the assistant offers 👍/👎 buttons (payloads
``/feedback{"helpful": "yes"}`` and ``/feedback{"helpful": "no"}``). A rating is
stored with the question's intent, the service in context and the language
(:mod:`records`). After a 👎 the citizen gets the contact of the agency in
charge (a recorded handoff) and may leave a comment, or skip it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Callable, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from actions.form_answers import SKIPPED, is_skip
from actions.forms import LeavableFormValidation
from actions.handoff import HandoffService
from actions.responses import utter
from actions.service_context import CONTEXT_SLOT
from core.db import create_schema, get_engine
from core.privacy import mask_citizen_text
from records.repository import add_comment, record_feedback
from records.transcript import question_before

logger = logging.getLogger(__name__)

HELPFUL_SLOT = "feedback_helpful"
COMMENT_SLOT = "feedback_comment"
MAX_COMMENT = 1000

_YES = re.compile(
    r"👍|도움(이|\s)?\s*(됐|되었|돼|됩|되네)|좋았|유용|만족|해결\s*됐|명확|정확|쉬웠|풀렸|유익|괜찮|알찬|"
    r"helpful|useful|great|thumbs\s*up|^yes$",
    re.I,
)
_NO = re.compile(
    r"👎|도움(이|\s)?\s*(안|않|못)|안\s*됐|별로|아쉬|부족|틀렸|틀린|쓸모\s*없|불만|아니에요|아니었|엉뚱|상관\s*없|"
    r"어려워|오래된|부실|실망|부정확|이상해|헷갈|지\s*않|"
    r"not\s+(helpful|useful)|unhelpful|useless|wrong|bad|thumbs\s*down|didn'?t\s+help|^no$",
    re.I,
)


def rating_of(tracker: Tracker) -> Optional[bool]:
    """True for 👍, False for 👎, None when the message does not say.

    The ``helpful`` entity (from a button payload or learned) decides; else
    words in the text, negative ones first ("도움이 안 됐어요" holds "도움").
    """
    for value in tracker.get_latest_entity_values("helpful"):
        text = str(value).strip().lower()
        if text in {"yes", "true", "1", "up"}:
            return True
        if text in {"no", "false", "0", "down"}:
            return False
    message = (tracker.latest_message.get("text") or "").strip()
    if message.startswith("/"):
        return None
    if _NO.search(message):
        return False
    if _YES.search(message):
        return True
    return None


def answered_this_turn(events: List[Dict[str, Any]]) -> bool:
    """True when, since the latest user message, an action set ``current_service``:
    the service question was answered (not "which service?" or "not found")."""
    for event in reversed(events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == CONTEXT_SLOT and event.get("value"):
            return True
    return False


class ActionAskFeedback(Action):
    """Offer 👍/👎 after a service answer (only when there was an answer) and at goodbye."""

    def name(self) -> str:
        return "action_ask_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "goodbye" or answered_this_turn(tracker.events or []):
            utter(dispatcher, tracker, "utter_ask_feedback")
        return []


class ActionRecordFeedback(Action):
    """Store a rating; thank for a 👍, hand off after a 👎, ask again if unclear."""

    def __init__(
        self, engine_factory: Callable[[], Engine] = get_engine, handoff: Optional[HandoffService] = None
    ) -> None:
        self._engine_factory = engine_factory
        self._handoff = handoff or HandoffService(engine_factory)

    def name(self) -> str:
        return "action_record_feedback"

    def _store(self, tracker: Tracker, helpful: bool, language: str) -> None:
        question = question_before(tracker.events or [], skip_intents={"feedback"})
        record_feedback(
            create_schema(self._engine_factory()),
            sender_id=tracker.sender_id or "unknown",
            helpful=helpful,
            language=language,
            intent=question["intent"] if question else None,
            service_id=tracker.get_slot(CONTEXT_SLOT),
            question=question["text"] if question else None,
        )

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = "en" if tracker.get_slot("language") == "en" else "ko"
        helpful = rating_of(tracker)
        if helpful is None:
            utter(dispatcher, tracker, "utter_ask_feedback")
            return [SlotSet(HELPFUL_SLOT, "unclear")]
        try:
            await asyncio.to_thread(self._store, tracker, helpful, language)
        except (SQLAlchemyError, OSError) as error:
            logger.error("feedback could not be stored: %s", type(error).__name__)
        if helpful:
            utter(dispatcher, tracker, "utter_feedback_thanks")
            return [SlotSet(HELPFUL_SLOT, "yes")]
        offered = await self._handoff.hand_off(dispatcher, tracker, "thumbs_down")
        return [SlotSet(HELPFUL_SLOT, "no"), *offered]


class ActionAskFeedbackComment(Action):
    """The comment form's question, with a Skip button."""

    def name(self) -> str:
        return "action_ask_feedback_comment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        utter(dispatcher, tracker, "utter_ask_feedback_comment")
        return []


class ValidateFeedbackCommentForm(LeavableFormValidation):
    """Keep the comment masked and bounded, or note that it was skipped."""

    # A comment on a wrong answer reads like a question about it ("수수료가 틀렸어요"):
    # only a request the classifier is very sure of leaves this form.
    clear_request_confidence = 0.8

    def name(self) -> str:
        return "validate_feedback_comment_form"

    def validate_feedback_comment(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A comment of at least one visible character, masked; "skipped" for skip words."""
        if not isinstance(slot_value, str) or not slot_value.strip():
            return {COMMENT_SLOT: None}  # nothing typed yet: the form asks
        text = slot_value
        # A button payload (another rating) is not a comment.
        if is_skip(text) or text.startswith("/"):
            return {COMMENT_SLOT: SKIPPED}
        text = mask_citizen_text(text.strip())[:MAX_COMMENT]
        return {COMMENT_SLOT: text or SKIPPED}


class ActionSaveFeedbackComment(Action):
    """Attach the comment to the citizen's 👎 and thank them; forget it in the slots."""

    def __init__(self, engine_factory: Callable[[], Engine] = get_engine) -> None:
        self._engine_factory = engine_factory

    def name(self) -> str:
        return "action_save_feedback_comment"

    def _save(self, sender_id: str, comment: str) -> None:
        add_comment(create_schema(self._engine_factory()), sender_id, comment)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        comment = tracker.get_slot(COMMENT_SLOT)
        if isinstance(comment, str) and comment and comment != SKIPPED:
            try:
                await asyncio.to_thread(self._save, tracker.sender_id or "unknown", comment)
            except (SQLAlchemyError, OSError) as error:
                logger.error("feedback comment could not be stored: %s", type(error).__name__)
            utter(dispatcher, tracker, "utter_feedback_comment_thanks")
        else:
            utter(dispatcher, tracker, "utter_feedback_comment_skipped")
        return [SlotSet(COMMENT_SLOT, None)]
