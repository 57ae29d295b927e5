"""What happens around a live chat (issue 18): the bot steps aside, messages reach the citizen.

* :class:`RasaControl` pauses and resumes a conversation through Rasa's HTTP
  API (``POST /conversations/{id}/tracker/events`` with ``{"event": "pause"}``
  / ``{"event": "resume"}``, the token in ``RASA_TOKEN``). The pause is an event
  in the tracker store, so it survives a restart of Rasa: while it holds, Rasa
  logs the citizen's messages but the assistant does not answer. The citizen's
  messages are read back from the same tracker.
* :class:`CitizenDelivery` sends an agent's message out on the conversation's
  own channel: Telegram through the Bot API, KakaoTalk through the Event API;
  the web chat page receives it from the gateway's event stream
  (:mod:`channels.web.live`), which reads the stored messages.
* :class:`LiveDesk` ties them to the queue (:mod:`records.live_agents`): take,
  send, transfer, end (resume and ask for feedback on the agent).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import quote

import aiohttp
from sqlalchemy.engine import Engine

from actions.responses import render
from core.privacy import mask_citizen_text
from core.settings import Settings
from records import live_agents
from records.live_agents import ChatSummary

logger = logging.getLogger(__name__)

RASA_TIMEOUT_SECONDS = 10.0
#: How often the console looks for queued chats that waited too long.
SWEEP_SECONDS = 30.0


class RasaControlError(Exception):
    """Rasa's HTTP API refused or could not be reached (the message holds no token)."""


class RasaControl:
    """Pause, resume and read one conversation through Rasa's HTTP API."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: Optional[str]) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=RASA_TIMEOUT_SECONDS, connect=3.0)

    def _params(self, **extra: str) -> Dict[str, str]:
        params = dict(extra)
        if self._token:
            params["token"] = self._token
        return params

    async def _call(self, method: str, path: str, json: Any = None, **params: str) -> Any:
        url = f"{self._base_url}{path}"
        try:
            async with self._session.request(method, url, json=json, params=self._params(**params),
                                             timeout=self._timeout) as response:
                if response.status != 200:
                    raise RasaControlError(f"Rasa answered with HTTP {response.status}")
                return await response.json(content_type=None)
        except asyncio.TimeoutError as error:
            raise RasaControlError("Rasa did not answer in time") from error
        except (aiohttp.ClientError, ValueError) as error:
            raise RasaControlError(f"Rasa could not be reached: {type(error).__name__}") from None

    async def append(self, sender_id: str, events: Sequence[Dict[str, Any]]) -> None:
        """Append ``events`` to the conversation's tracker (kept in the tracker store)."""
        await self._call("POST", f"/conversations/{quote(sender_id, safe='')}/tracker/events", json=list(events),
                         include_events="NONE")

    async def pause(self, sender_id: str) -> None:
        """The assistant stops answering this conversation until :meth:`resume`."""
        await self.append(sender_id, [{"event": "pause"}])

    async def resume(self, sender_id: str) -> None:
        """The assistant answers this conversation again."""
        await self.append(sender_id, [{"event": "resume"}])

    async def events(self, sender_id: str) -> List[Dict[str, Any]]:
        """The conversation's events since its last restart."""
        tracker = await self._call("GET", f"/conversations/{quote(sender_id, safe='')}/tracker",
                                   include_events="AFTER_RESTART")
        events = tracker.get("events") if isinstance(tracker, dict) else None
        return [event for event in events or [] if isinstance(event, dict)]

    async def is_paused(self, sender_id: str) -> bool:
        """Whether the tracker says the conversation is paused."""
        tracker = await self._call("GET", f"/conversations/{quote(sender_id, safe='')}/tracker",
                                   include_events="NONE")
        return bool(isinstance(tracker, dict) and tracker.get("paused"))


def citizen_lines(events: Sequence[Dict[str, Any]], since: datetime) -> List[Dict[str, Any]]:
    """The citizen's messages in ``events`` at or after ``since`` (naive UTC), masked, oldest first."""
    start = since.replace(tzinfo=timezone.utc).timestamp()
    lines = []
    for event in events:
        text = event.get("text")
        stamp = event.get("timestamp")
        if (event.get("event") == "user" and isinstance(text, str) and text.strip()
                and isinstance(stamp, (int, float)) and stamp >= start):
            lines.append({"who": "citizen", "text": mask_citizen_text(text.strip()), "at": float(stamp)})
    return lines


class CitizenDelivery:
    """Sends a message to the citizen on their channel; the web page reads the stored message itself."""

    def __init__(self, settings: Settings, session: aiohttp.ClientSession) -> None:
        self._settings = settings
        self._session = session
        self._bot: Any = None

    async def send(self, chat: ChatSummary, text: str, buttons: Sequence[Dict[str, str]] = (),
                   message_id: int = 0) -> bool:
        """Deliver ``text`` to the chat's citizen; False when the channel refused or is not set up."""
        try:
            if chat.channel == "telegram":
                return await self._telegram(chat.sender_id, text, buttons)
            if chat.channel == "kakao":
                return await self._kakao(chat.sender_id, text, message_id)
        except Exception as error:  # a failed delivery must not break the agent's page
            logger.warning("live chat %s: delivery on %s failed: %s", chat.id, chat.channel, type(error).__name__)
            return False
        return True  # web: the gateway streams the stored message to the page

    async def _telegram(self, sender_id: str, text: str, buttons: Sequence[Dict[str, str]]) -> bool:
        if not self._settings.telegram_token:
            return False
        from channels.telegram.api import build_bot
        from channels.telegram.outbound import send_notice

        if self._bot is None:
            self._bot = build_bot(self._settings.telegram_token, self._settings.telegram_base_url)
        await send_notice(self._bot, sender_id, text, buttons)
        return True

    async def _kakao(self, sender_id: str, text: str, message_id: int) -> bool:
        settings = self._settings
        if not (settings.kakao_rest_api_key and settings.kakao_bot_id):
            return False
        from channels.kakao.outbound import EventApiClient, send_notice

        client = EventApiClient(self._session, settings.kakao_rest_api_key, settings.kakao_bot_id,
                                settings.kakao_event_api_url)
        await send_notice(client, sender_id, text, message_id)
        return True

    async def close(self) -> None:
        """Close the Telegram bot's connections, if one was made."""
        if self._bot is not None:
            await self._bot.shutdown()


@dataclass(frozen=True)
class TakeResult:
    """Whether the agent got the chat, and whether the assistant was paused."""

    taken: bool
    paused: bool = False


class LiveDesk:
    """The agent's actions on a chat, each also telling the citizen and Rasa."""

    def __init__(self, engine: Engine, rasa: RasaControl, delivery: CitizenDelivery) -> None:
        self.engine = engine
        self.rasa = rasa
        self.delivery = delivery

    async def _notify(self, chat: ChatSummary, response: str) -> None:
        """Store and deliver a system notice (``response`` of bot/responses/live_agents.yml)."""
        rendered = render(response, chat.language)
        stored = await asyncio.to_thread(live_agents.add_message, self.engine, chat.id, "system",
                                         rendered["text"], response)
        await self.delivery.send(chat, rendered["text"], rendered.get("buttons") or (), stored.id)

    async def take(self, chat_id: int, staff_id: int, login: str, agency_id: Optional[str]) -> TakeResult:
        """Take a waiting chat; pause the assistant and tell the citizen a person joined."""
        won = await asyncio.to_thread(live_agents.take_chat, self.engine, chat_id, staff_id, login, agency_id)
        if not won:
            return TakeResult(False)
        chat = await asyncio.to_thread(live_agents.get_chat, self.engine, chat_id)
        assert chat is not None
        paused = True
        try:
            await self.rasa.pause(chat.sender_id)
        except RasaControlError as error:
            logger.error("live chat %s: pausing the assistant failed: %s", chat_id, error)
            paused = False
        await self._notify(chat, "utter_live_agent_joined")
        return TakeResult(True, paused)

    async def send(self, chat: ChatSummary, login: str, text: str) -> bool:
        """Store the agent's message and deliver it; also keep it in Rasa's transcript."""
        stored = await asyncio.to_thread(live_agents.add_message, self.engine, chat.id, "agent", text, login)
        try:
            await self.rasa.append(chat.sender_id, [{"event": "bot", "text": stored.text,
                                                     "metadata": {"live_agent": True}}])
        except RasaControlError as error:
            logger.warning("live chat %s: the message could not be added to the transcript: %s", chat.id, error)
        return await self.delivery.send(chat, stored.text, (), stored.id)

    async def transfer(self, chat: ChatSummary, staff_id: int, to_agency: Optional[str]) -> bool:
        """Put the chat in another queue (the assistant stays paused) and tell the citizen."""
        moved = await asyncio.to_thread(live_agents.transfer_chat, self.engine, chat.id, staff_id, to_agency)
        if moved:
            await self._notify(chat, "utter_live_agent_transferred")
        return moved

    async def end(self, chat: ChatSummary, staff_id: Optional[int]) -> bool:
        """End the chat: the assistant answers again and asks for feedback on the agent."""
        ended = await asyncio.to_thread(live_agents.end_chat, self.engine, chat.id, staff_id)
        if not ended:
            return False
        try:
            await self.rasa.resume(chat.sender_id)
        except RasaControlError as error:
            logger.error("live chat %s: resuming the assistant failed: %s", chat.id, error)
        await self._notify(chat, "utter_live_agent_ended")
        await self._notify(chat, "utter_live_agent_ask_feedback")
        return True

    async def expire(self, now: Optional[datetime] = None) -> List[ChatSummary]:
        """Time out the chats nobody took in time; each citizen gets today's answer (agency or 110, with
        hours) and the offer of a call-back, its button carrying the reason ``timed_out``."""
        from actions.callback import offer_message
        from actions.handoff import todays_answer

        expired = await asyncio.to_thread(live_agents.expire_waiting, self.engine, now)
        moment = now or datetime.now(timezone.utc)
        for chat in expired:
            if chat.transfers:  # paused when first taken: the assistant answers again
                try:
                    await self.rasa.resume(chat.sender_id)
                except RasaControlError as error:
                    logger.error("live chat %s: resuming the assistant failed: %s", chat.id, error)
            apology = render("utter_live_agent_timed_out", chat.language)["text"]
            contact = await asyncio.to_thread(todays_answer, self.engine, chat.service_id, chat.language, moment)
            offer = offer_message(chat.language, "timed_out")
            text = f"{apology}\n{contact}\n{offer['text']}"
            stored = await asyncio.to_thread(live_agents.add_message, self.engine, chat.id, "system", text,
                                             live_agents.TIMED_OUT_NOTICE)
            await self.delivery.send(chat, stored.text, offer["buttons"], stored.id)
        return expired

    async def sweep(self, every_seconds: float = SWEEP_SECONDS) -> None:
        """Run :meth:`expire` every ``every_seconds`` until cancelled."""
        while True:
            try:
                await self.expire()
            except Exception:  # the sweeper must outlive a bad round
                logger.exception("live chat: the queue sweep failed")
            await asyncio.sleep(every_seconds)

    async def timeline(self, chat: ChatSummary) -> List[Dict[str, Any]]:
        """Everything said since the chat was taken: the citizen's messages (from Rasa) and the stored ones."""
        stored = await asyncio.to_thread(live_agents.messages_of, self.engine, chat.id)
        lines: List[Dict[str, Any]] = [
            {"who": m.who, "text": m.text, "author": m.author if m.who == "agent" else None,
             "at": m.at.replace(tzinfo=timezone.utc).timestamp()}
            for m in stored
        ]
        if chat.taken_at is not None:
            try:
                events = await self.rasa.events(chat.sender_id)
                lines.extend(citizen_lines(events, chat.taken_at))
            except RasaControlError as error:
                logger.warning("live chat %s: the citizen's messages could not be read: %s", chat.id, error)
        lines.sort(key=lambda line: line["at"])
        return lines
