"""When the action server cannot be reached, the citizen is told so, once per
turn, in their language, instead of getting silence.

Rasa 3.6 logs a failed custom-action call and carries on with no events, so the
citizen's message gets HTTP 200 and no reply at all (and a first "안녕하세요"
could be answered by a default in the wrong language). Installed in the Rasa
process with the other patches (:mod:`core.rasa_speedups`), this wraps
``RemoteAction.run``: when the call fails for want of a working action server
(no connection, a timeout, a non-200 answer), the action returns one bot
message saying the assistant cannot answer right now and to try again shortly.
Later failing actions of the same turn add nothing, so the citizen reads the
apology once. A custom ``action_session_start`` that fails starts the session
the way Rasa's default does. A 400 (the action rejected itself, a normal part of forms) is
left to Rasa as before.

The language is the one the citizen wrote in (Hangul or not), else the
conversation's ``language`` slot, else Korean.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, List, Optional

from core.language import detect_language, normalize_language
from core.local_actions import local_action, run_locally

logger = logging.getLogger(__name__)

SESSION_START = "action_session_start"

#: Marks the apology in the bot event's metadata (and so in the tracker store).
OUTAGE_METADATA_KEY = "assistant_unavailable"

APOLOGY = {
    "ko": "죄송해요, 지금 일시적인 문제로 답변을 드릴 수 없어요. 잠시 후 다시 말씀해 주세요."
    " 급하시면 정부민원안내콜센터(국번 없이 110)로 문의해 주세요.",
    "en": "Sorry, I can't answer right now because of a temporary problem. Please try again in a moment."
    " If it is urgent, call the Government Call Centre on 110.",
}


class TrackerStoreUnavailable(RuntimeError):
    """The database could not read or write a conversation. Raised instead of
    keeping a turn only in memory or starting the conversation afresh (Rasa's
    fail-safe tracker store would do either, silently)."""


def loud_fail_safe(fail_safe_class: Any) -> None:
    """Make Rasa's ``FailSafeTrackerStore`` pass :class:`TrackerStoreUnavailable`
    on: the message then fails (the REST channel answers 500, which the web
    gateway turns into its bilingual "try again in a moment"; Telegram delivers
    the update again later) instead of being answered as if it had been stored."""
    save, retrieve = fail_safe_class.save, fail_safe_class.retrieve

    async def save_or_fail(self: Any, tracker: Any) -> None:
        try:
            await self._tracker_store.save(tracker)
        except TrackerStoreUnavailable:
            raise
        except Exception:  # noqa: BLE001 - anything else: Rasa's own fallback
            await save(self, tracker)

    async def retrieve_or_fail(self: Any, sender_id: Any) -> Any:
        try:
            return await self._tracker_store.retrieve(sender_id)
        except TrackerStoreUnavailable:
            raise
        except Exception:  # noqa: BLE001
            return await retrieve(self, sender_id)

    fail_safe_class.save = save_or_fail
    fail_safe_class.retrieve = retrieve_or_fail


def apology_language(tracker: Any) -> str:
    """The language to apologise in: the latest message's script, the slot, else Korean."""
    text = (tracker.latest_message.text if tracker.latest_message else None) or ""
    return detect_language(text) or normalize_language(tracker.get_slot("language")) or "ko"


def apologised_this_turn(tracker: Any) -> bool:
    """Whether an apology was already sent since the citizen's latest message."""
    from rasa.shared.core.events import BotUttered, UserUttered

    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get(OUTAGE_METADATA_KEY):
            return True
    return False


def _is_outage(error: BaseException) -> bool:
    """A failure of the action server itself (not a form rejecting a value)."""
    import aiohttp
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.exceptions import RasaException

    if isinstance(error, ActionExecutionRejection):
        return False
    return isinstance(error, (RasaException, aiohttp.ClientError, asyncio.TimeoutError))


def apologising(run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``RemoteAction.run``: the actions of :mod:`core.local_actions` run in
    this process; a call that fails because the action server does not work
    yields the apology."""

    async def run_or_apologise(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        sdk_action = local_action(self.name())
        if sdk_action is not None:
            return await run_locally(self, sdk_action, output_channel, nlg, tracker, domain)
        try:
            return await run(self, output_channel, nlg, tracker, domain)
        except Exception as error:
            if not _is_outage(error):
                raise
            logger.error("action server failed running %s: %s", self.name(), type(error).__name__)
            if self.name() == SESSION_START:
                # Before the citizen's message is logged: start the session as Rasa
                # would by default; the apology follows with the message's turn.
                from rasa.core.actions.action import ActionSessionStart

                return await ActionSessionStart().run(output_channel, nlg, tracker, domain)
            return outage_events(tracker)

    run_or_apologise.__wrapped__ = run  # type: ignore[attr-defined]
    return run_or_apologise


def outage_events(tracker: Any, language: Optional[str] = None) -> List[Any]:
    """One apology for this turn (none if already sent)."""
    from rasa.shared.core.events import BotUttered

    if apologised_this_turn(tracker):
        return []
    language = language or apology_language(tracker)
    return [BotUttered(APOLOGY[language], metadata={OUTAGE_METADATA_KEY: True, "language": language})]
