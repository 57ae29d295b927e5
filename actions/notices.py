"""Proactive notices in the conversation (issue 20): the offer, yes, and stop.

After a verified status check (:class:`actions.status.ActionCheckApplicationStatus`)
on a messenger that can push (Telegram, KakaoTalk), :class:`NoticeOffers`
offers "상태가 바뀌면 알려 드릴까요?" with yes/no buttons and keeps a signed
offer token in the ``notice_offer`` slot (:mod:`records.notice_offers`); on the
web page, where nothing can be pushed, it names the messengers instead.
:class:`ActionSubscribeNotices` turns a yes into a subscription (application,
channel, conversation id, language, consent time: nothing else);
:class:`ActionUnsubscribeNotices` ("알림 끄기", "/stop", the button under a
notice) ends every subscription of the conversation.

Database work runs in a thread, never on the action server's event loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any, Callable, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from actions.responses import utter
from applications.clock import Clock, utc_now
from applications.hashing import load_pepper
from applications.repository import find_application
from applications.statuses import FINAL_STATUSES, ApplicationStatus
from core.db import get_engine, session_scope
from records.notice_offers import make_offer, offer_key, read_offer
from records.notices import PUSH_CHANNELS, subscribe, unsubscribe

logger = logging.getLogger(__name__)

OFFER_SLOT = "notice_offer"

#: Input channels of the web page and plain REST clients: nothing can be pushed there.
WEB_CHANNELS = ("rest", "socketio", "web")

OFFER_RESPONSE = "utter_notice_offer"
WEB_OFFER_RESPONSE = "utter_notice_offer_web"
SUBSCRIBED_RESPONSE = "utter_notice_subscribed"
NO_OFFER_RESPONSE = "utter_notice_no_offer"
WEB_SUBSCRIBE_RESPONSE = "utter_notice_web_only"
UNSUBSCRIBED_RESPONSE = "utter_notice_unsubscribed"
NOTHING_TO_STOP_RESPONSE = "utter_notice_nothing_to_stop"
UNAVAILABLE_RESPONSE = "utter_notice_unavailable"

KeyFactory = Callable[[], bytes]


class _OfferKey:
    """The offer signing key, loaded once (reading the secret may touch a file)."""

    def __init__(self, factory: KeyFactory) -> None:
        self._factory = factory
        self._key: Optional[bytes] = None
        self._lock = threading.Lock()

    def get(self) -> bytes:
        """The key; call it from a worker thread."""
        with self._lock:
            if self._key is None:
                self._key = self._factory()
            return self._key


def default_offer_key() -> bytes:
    """The signing key derived from the project's secret (``ASSISTANT_HASH_SALT`` or var/)."""
    return offer_key(load_pepper())


def _language(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("language") == "en" else "ko"


class NoticeOffers:
    """What the status check adds after a verified answer: the offer, where it fits."""

    def __init__(
        self,
        engine_factory: Callable[[], Engine] = get_engine,
        clock: Clock = utc_now,
        key_factory: KeyFactory = default_offer_key,
    ) -> None:
        self._engine_factory = engine_factory
        self._clock = clock
        self._key = _OfferKey(key_factory)

    def _token(self, number: str, sender_id: str, channel: str) -> Optional[str]:
        with session_scope(self._engine_factory()) as session:
            application = find_application(session, number)
            if application is None:
                return None
            return make_offer(
                self._key.get(), application_id=int(application.id), sender_id=sender_id, channel=channel,
                now=self._clock(),
            )

    async def after_status(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, status: ApplicationStatus
    ) -> List[EventType]:
        """Offer notices for application ``number`` (just verified) when it can
        still change; returns the slot event carrying the offer, if one was made.
        Never raises: a failure only means no offer."""
        if status in FINAL_STATUSES:
            return []
        channel = tracker.get_latest_input_channel()
        if channel in WEB_CHANNELS:
            utter(dispatcher, tracker, WEB_OFFER_RESPONSE)
            return []
        if channel not in PUSH_CHANNELS:
            return []
        try:
            token = await asyncio.to_thread(self._token, number, tracker.sender_id, channel)
        except (SQLAlchemyError, OSError, RuntimeError) as error:
            logger.error("notice offer failed: %s", type(error).__name__)
            return []
        if token is None:
            return []
        utter(dispatcher, tracker, OFFER_RESPONSE)
        return [SlotSet(OFFER_SLOT, token)]


class ActionSubscribeNotices(Action):
    """A yes to the offer: stores the subscription and confirms it."""

    def __init__(
        self,
        engine_factory: Callable[[], Engine] = get_engine,
        clock: Clock = utc_now,
        key_factory: KeyFactory = default_offer_key,
    ) -> None:
        self._engine_factory = engine_factory
        self._clock = clock
        self._key = _OfferKey(key_factory)

    def name(self) -> str:
        return "action_subscribe_notices"

    def _subscribe(self, token: Any, sender_id: str, channel: str, language: str) -> bool:
        now = self._clock()
        offer = read_offer(self._key.get(), token, sender_id=sender_id, channel=channel, now=now)
        if offer is None:
            return False
        with session_scope(self._engine_factory()) as session:
            try:
                subscribe(
                    session, application_id=offer.application_id, channel=channel, recipient=sender_id,
                    language=language, now=now,
                )
            except ValueError:
                return False
        return True

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        channel = tracker.get_latest_input_channel()
        if channel not in PUSH_CHANNELS:
            utter(dispatcher, tracker, WEB_SUBSCRIBE_RESPONSE)
            return []
        token = tracker.get_slot(OFFER_SLOT)
        try:
            done = await asyncio.to_thread(
                self._subscribe, token, tracker.sender_id, channel, _language(tracker)
            )
        except (SQLAlchemyError, OSError, RuntimeError) as error:
            logger.error("notice subscription failed: %s", type(error).__name__)
            utter(dispatcher, tracker, UNAVAILABLE_RESPONSE)
            return []
        utter(dispatcher, tracker, SUBSCRIBED_RESPONSE if done else NO_OFFER_RESPONSE)
        logger.info("notice subscription: %s", "stored" if done else "no valid offer")
        return [SlotSet(OFFER_SLOT, None)]


class ActionUnsubscribeNotices(Action):
    """"알림 끄기" / "/stop" / the button: ends every subscription of this conversation."""

    def __init__(self, engine_factory: Callable[[], Engine] = get_engine, clock: Clock = utc_now) -> None:
        self._engine_factory = engine_factory
        self._clock = clock

    def name(self) -> str:
        return "action_unsubscribe_notices"

    def _unsubscribe(self, sender_id: str) -> int:
        with session_scope(self._engine_factory()) as session:
            return unsubscribe(session, recipient=sender_id, now=self._clock())

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        try:
            ended = await asyncio.to_thread(self._unsubscribe, tracker.sender_id)
        except (SQLAlchemyError, OSError) as error:
            logger.error("notice unsubscription failed: %s", type(error).__name__)
            utter(dispatcher, tracker, UNAVAILABLE_RESPONSE)
            return []
        utter(dispatcher, tracker, UNSUBSCRIBED_RESPONSE if ended else NOTHING_TO_STOP_RESPONSE)
        return [SlotSet(OFFER_SLOT, None)]
