"""Answers to questions about a service: overview, documents, fee, processing
time, eligibility, how to apply and where to go.

One action per intent (``action_answer_service_<topic>``), all built on
:class:`ActionAnswerService`. The service comes from the message or from
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
from actions.service_answers import build_answer, service_names
from actions.service_resolution import CONTEXT_SLOT, Resolution, ResolutionKind, resolve_service
from core.db import get_engine
from core.language import normalize_language

logger = logging.getLogger(__name__)


class ActionAnswerService(Action, metaclass=ABCMeta):
    """Answer one kind of question about the service the citizen means.

    Subclasses set ``topic`` (the catalogue field) and ``intent`` (kept in the
    buttons offered when the service is ambiguous, so the question is not lost).
    The class is abstract so the action server registers only the subclasses.
    """

    @property
    @abstractmethod
    def topic(self) -> str:
        """The catalogue field answered, e.g. ``fee``."""

    @property
    @abstractmethod
    def intent(self) -> str:
        """The intent this action answers, e.g. ``ask_service_fee``."""

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

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        language = normalize_language(tracker.get_slot("language")) or "ko"
        latest = tracker.latest_message or {}
        try:
            resolution = await asyncio.to_thread(
                resolve_service, self.engine, latest, tracker.get_slot(CONTEXT_SLOT)
            )
            return await self._respond(dispatcher, tracker, resolution, language)
        except Exception:  # a citizen gets a clear answer, never a stack trace
            logger.exception("%s failed", self.name())
            utter(dispatcher, tracker, "utter_service_unavailable")
            return []

    async def _respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, resolution: Resolution, language: str
    ) -> List[EventType]:
        if resolution.kind is ResolutionKind.FOUND and resolution.service_id:
            answer = await asyncio.to_thread(
                build_answer, self.engine, resolution.service_id, self.topic, language
            )
            if answer is not None:
                utter(dispatcher, tracker, answer.response, **answer.values)
                return [SlotSet(CONTEXT_SLOT, resolution.service_id)]
            return [SlotSet(CONTEXT_SLOT, None)]
        if resolution.kind is ResolutionKind.AMBIGUOUS:
            buttons = await self._buttons(resolution, language)
            utter(dispatcher, tracker, "utter_service_ask_which", buttons=buttons)
        elif resolution.kind is ResolutionKind.NOT_FOUND and resolution.candidates:
            buttons = await self._buttons(resolution, language)
            utter(dispatcher, tracker, "utter_service_not_found", buttons=buttons)
        elif resolution.kind is ResolutionKind.NOT_FOUND:
            utter(dispatcher, tracker, "utter_service_not_found_no_suggestions")
        else:
            utter(dispatcher, tracker, "utter_service_ask_name")
        return []

    async def _buttons(self, resolution: Resolution, language: str) -> List[Dict[str, str]]:
        """One button per candidate; its payload repeats this question for that service."""
        ids = [candidate.service_id for candidate in resolution.candidates]
        names = await asyncio.to_thread(service_names, self.engine, ids, language)
        return [
            {"title": names[service_id], "payload": f"/{self.intent}{json.dumps({'service': service_id})}"}
            for service_id in ids
            if service_id in names
        ]


class ActionAnswerServiceOverview(ActionAnswerService):
    """What a service is."""

    topic = "overview"
    intent = "ask_service_overview"


class ActionAnswerServiceDocuments(ActionAnswerService):
    """Which documents to bring."""

    topic = "documents"
    intent = "ask_service_documents"


class ActionAnswerServiceFee(ActionAnswerService):
    """How much it costs."""

    topic = "fee"
    intent = "ask_service_fee"


class ActionAnswerServiceProcessingTime(ActionAnswerService):
    """How long it takes."""

    topic = "processing_time"
    intent = "ask_service_processing_time"


class ActionAnswerServiceEligibility(ActionAnswerService):
    """Who may apply."""

    topic = "eligibility"
    intent = "ask_service_eligibility"


class ActionAnswerServiceHowToApply(ActionAnswerService):
    """How to apply, online and in person."""

    topic = "how_to_apply"
    intent = "ask_service_how_to_apply"


class ActionAnswerServiceWhere(ActionAnswerService):
    """Which office handles it, with its phone number."""

    topic = "where"
    intent = "ask_service_where"
