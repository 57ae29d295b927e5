"""One database read a second for every open chat page of a gateway process.

Each chat page keeps a live-agent stream open (:mod:`channels.web.live`) for as
long as it is open, whether or not the citizen ever asks for a person. Were
every stream to read the database once a second, a busy morning with
thousands of open pages would cost thousands of reads a second per gateway.
Instead the streams of a process subscribe here; one task reads the marks of
all their conversations in one query (:func:`records.live_agents.chat_marks`)
each interval and wakes only the streams whose conversation changed since
they last looked. A woken stream then reads what changed itself, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Set

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from records.live_agents import NO_CHAT, ChatMark, chat_marks

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Subscription:
    """One open stream: the conversation it follows and the mark it last read."""

    sender: str
    seen: ChatMark = NO_CHAT
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class LiveHub:
    """Wakes the streams whose conversation changed, reading the database once per ``interval``."""

    def __init__(self, engine_factory: Callable[[], Engine], interval: float) -> None:
        self._engine_factory = engine_factory
        self._interval = interval
        self._subscriptions: Dict[str, Set[Subscription]] = {}
        self._task: Optional[asyncio.Task[None]] = None
        self.reads = 0  # rounds of chat_marks so far (for tests and figures)

    def subscribe(self, sender: str, seen: ChatMark) -> Subscription:
        """Follow ``sender`` from ``seen``; the subscription's event is set when its mark differs."""
        subscription = Subscription(sender, seen)
        self._subscriptions.setdefault(sender, set()).add(subscription)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="live-hub")
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop following; the reading task ends by itself once nobody is subscribed."""
        followers = self._subscriptions.get(subscription.sender)
        if followers is not None:
            followers.discard(subscription)
            if not followers:
                del self._subscriptions[subscription.sender]

    async def close(self) -> None:
        """Stop the reading task (the application is shutting down)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def read_once(self) -> None:
        """Read the marks of every followed conversation in one query; wake those that changed."""
        senders = list(self._subscriptions)
        if not senders:
            return
        marks = await asyncio.to_thread(chat_marks, self._engine_factory(), senders)
        self.reads += 1
        for sender, mark in marks.items():
            for subscription in self._subscriptions.get(sender, ()):
                if subscription.seen != mark:
                    subscription.changed.set()

    async def _run(self) -> None:
        while self._subscriptions:
            await asyncio.sleep(self._interval)
            try:
                await self.read_once()
            except (SQLAlchemyError, OSError) as error:
                logger.warning("live hub: the database could not be read: %s", type(error).__name__)
                await asyncio.sleep(self._interval * 4)
