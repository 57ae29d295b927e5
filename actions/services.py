"""Answers to questions about a service: overview, documents, fee, processing
time, eligibility, how to apply and where to go.

One action per intent (``action_answer_service_<topic>``), all built on
:class:`ActionAnswerService`, and ``action_answer_service_followup`` for a
service named on its own or a correction. The service comes from the message or from
context (see :mod:`actions.service_resolution`); the answer is read from the
catalogue database at the moment of the question, so staff changes show at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions.responses import utter
from actions.service_answers import build_answer, service_names, topic_intent
from actions.service_context import (
    ASKED_TOPIC_KEY,
    CONTEXT_SLOT,
    context_is_current,
    last_answered_topic,
    names_only_a_service,
    service_spans,
)
from actions.service_resolution import Resolution, ResolutionKind, resolve_service
from core.db import get_engine
from core.language import normalize_language

logger = logging.getLogger(__name__)


class ActionAnswerService(Action, metaclass=ABCMeta):
    """Answer one kind of question about the service the citizen means.

    Subclasses set ``topic`` (the catalogue field); the buttons offered when the
    service is ambiguous ask the same topic again, so the question is not lost.
    The class is abstract so the action server registers only the subclasses.
    """

    @property
    @abstractmethod
    def topic(self) -> str:
        """The catalogue field answered, e.g. ``fee``."""

    def __init__(self, engine: Engine | None = None) -> None:
        self._engine = engine

    def name(self) -> str:
        return f"action_answer_service_{self.topic}"

    @property
    def engine(self) -> Engine:
        """The catalogue database (``DATABASE_URL`` unless one was given)."""
        if self._engine is None:
            self._engine = get_engine()
        return self._engine

    def topic_for(self, tracker: Tracker) -> str:
        """The topic this run answers: the class's own, except that a service named on
        its own after an answer ("운전면허 갱신은요?", read as an overview question)
        asks the last question again about that service."""
        latest = tracker.latest_message or {}
        spans = service_spans(latest.get("entities") or [])
        if self.topic == "overview" and names_only_a_service(latest.get("text") or "", spans):
            return last_answered_topic(tracker.events) or self.topic
        return self.topic

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        language = normalize_language(tracker.get_slot("language")) or "ko"
        latest = tracker.latest_message or {}
        topic = self.topic_for(tracker)
        try:
            resolution = await asyncio.to_thread(
                resolve_service,
                self.engine,
                latest,
                tracker.get_slot(CONTEXT_SLOT),
                context_is_current(tracker.events),
                topic,
            )
            return await self._respond(dispatcher, tracker, resolution, topic, language)
        except Exception:  # a citizen gets a clear answer, never a stack trace
            logger.exception("%s failed", self.name())
            utter(dispatcher, tracker, "utter_service_unavailable")
            return []

    async def _respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, resolution: Resolution, topic: str, language: str
    ) -> List[EventType]:
        if resolution.kind is ResolutionKind.FOUND and resolution.service_id:
            answer = await asyncio.to_thread(build_answer, self.engine, resolution.service_id, topic, language)
            if answer is not None:
                utter(dispatcher, tracker, answer.response, **answer.values)
                return [SlotSet(CONTEXT_SLOT, resolution.service_id)]
            return [SlotSet(CONTEXT_SLOT, None)]
        # The question stays pending: a reply that only names the service answers it.
        asked: Dict[str, Any] = {ASKED_TOPIC_KEY: topic}
        if resolution.kind is ResolutionKind.AMBIGUOUS:
            buttons = await self._buttons(resolution.candidate_ids, topic, language)
            utter(dispatcher, tracker, "utter_service_ask_which", buttons=buttons, **asked)
        elif resolution.kind is ResolutionKind.NOT_FOUND and resolution.candidates:
            buttons = await self._buttons(resolution.candidate_ids, topic, language)
            utter(dispatcher, tracker, "utter_service_not_found", buttons=buttons, **asked)
        elif resolution.kind is ResolutionKind.NOT_FOUND:
            utter(dispatcher, tracker, "utter_service_not_found_no_suggestions", **asked)
        elif resolution.last:
            buttons = await self._buttons([resolution.last], topic, language)
            utter(dispatcher, tracker, "utter_service_ask_which_last", buttons=buttons, **asked)
        else:
            utter(dispatcher, tracker, "utter_service_ask_name", **asked)
        return []

    async def _buttons(self, service_ids: List[str], topic: str, language: str) -> List[Dict[str, str]]:
        """One button per service; its payload asks about ``topic`` for that service."""
        names = await asyncio.to_thread(service_names, self.engine, service_ids, language)
        return [
            {"title": names[service_id], "payload": f"/{topic_intent(topic)}{json.dumps({'service': service_id})}"}
            for service_id in service_ids
            if service_id in names
        ]


class ActionAnswerServiceOverview(ActionAnswerService):
    """What a service is."""

    topic = "overview"


class ActionAnswerServiceDocuments(ActionAnswerService):
    """Which documents to bring."""

    topic = "documents"


class ActionAnswerServiceFee(ActionAnswerService):
    """How much it costs."""

    topic = "fee"


class ActionAnswerServiceProcessingTime(ActionAnswerService):
    """How long it takes."""

    topic = "processing_time"


class ActionAnswerServiceEligibility(ActionAnswerService):
    """Who may apply."""

    topic = "eligibility"


class ActionAnswerServiceHowToApply(ActionAnswerService):
    """How to apply, online and in person."""

    topic = "how_to_apply"


class ActionAnswerServiceWhere(ActionAnswerService):
    """Which office handles it, with its phone number."""

    topic = "where"


class ActionAnswerServiceDeadline(ActionAnswerService):
    """By when to report or apply, counted from what, and the penalty for being late."""

    topic = "deadline"


class ActionAnswerServiceFollowup(ActionAnswerService):
    """A service named on its own ("운전면허 갱신은요?", "what about a passport?") or a
    correction ("아니 여권 말고 운전면허요"): the last question, asked about that service."""

    topic = "overview"  # when nothing was asked yet

    def name(self) -> str:
        return "action_answer_service_followup"

    def topic_for(self, tracker: Tracker) -> str:
        """The topic of the latest answer in this conversation, else the overview."""
        return last_answered_topic(tracker.events) or self.topic
