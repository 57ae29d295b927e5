"""Messages the assistant starts: Kakao's Event API.

``POST {base}/v2/bots/{botId}/talk`` with ``Authorization: KakaoAK {REST API
key}`` and ``{"event": {"name", "data"}, "user": [{"type": "botUserKey",
"id"}]}`` makes the bot's event block (set up in Open Builder under that event
name) speak to each user. Kakao answers with a task id: the request was taken,
not yet delivered. The base URL is ``KAKAO_EVENT_API_URL`` (a local fake in
tests); the key and bot id come from ``KAKAO_REST_API_KEY`` and ``KAKAO_BOT_ID``.
Event messages are charged per message by Kakao and need a wallet on the
channel. Proactive notices (issue 20: :mod:`records.notifier`) go out through
:func:`send_notice`, one event per notice, to the ``notice`` event block.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Mapping, Optional, Sequence
from urllib.parse import quote

import aiohttp

from channels.kakao.api import MAX_EVENT_USERS, user_key_from_sender
from core.privacy import mask_for_log
from core.settings import DEFAULT_KAKAO_EVENT_API_URL

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 10.0


class EventApiError(Exception):
    """Kakao refused an event or could not be reached; ``status`` is the HTTP status (0 when unreachable)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class EventApiClient:
    """Sends events to users of one bot through the Event API."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        rest_api_key: str,
        bot_id: str,
        base_url: str = DEFAULT_KAKAO_EVENT_API_URL,
    ) -> None:
        if not rest_api_key or not bot_id:
            raise ValueError("the Event API needs a REST API key and a bot id")
        self._session = session
        self._key = rest_api_key
        self._bot_id = bot_id
        self._base_url = base_url.rstrip("/")

    @property
    def url(self) -> str:
        """The address events are posted to (holds no secret)."""
        return f"{self._base_url}/v2/bots/{quote(self._bot_id, safe='')}/talk"

    async def send_event(
        self,
        event_name: str,
        users: Sequence[str],
        data: Optional[Mapping[str, Any]] = None,
    ) -> str:
        """Ask Kakao to run the event block ``event_name`` for ``users``; returns the task id.

        ``users`` are botUserKeys or conversation ids (``kakao:<botUserKey>``);
        repeats are sent once; at most 100 users per call. Raises
        ``ValueError`` for a call Kakao would refuse anyway, and
        :class:`EventApiError` when Kakao refuses it or cannot be reached.
        """
        keys = _user_keys(users)
        if not event_name.strip():
            raise ValueError("the event needs a name (the event name set in Open Builder)")
        body: Dict[str, Any] = {
            "event": {"name": event_name.strip(), "data": dict(data or {})},
            "user": [{"type": "botUserKey", "id": key} for key in keys],
        }
        headers = {"Authorization": f"KakaoAK {self._key}"}
        try:
            async with self._session.post(
                self.url, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
            ) as reply:
                status = reply.status
                try:
                    answer = await reply.json(content_type=None)
                except ValueError:
                    answer = {}
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise EventApiError(f"the Event API could not be reached ({type(error).__name__})") from error
        answer = answer if isinstance(answer, dict) else {}
        task_id = answer.get("taskId")
        if status >= 400 or answer.get("status") not in (None, "SUCCESS") or not isinstance(task_id, str):
            message = mask_for_log(str(answer.get("message") or answer.get("msg") or "no task id"))[:200]
            raise EventApiError(f"the Event API refused the event (HTTP {status}): {message}", status)
        logger.info("Kakao event %r accepted for %d user(s): task %s", event_name, len(keys), task_id)
        return task_id


def _user_keys(users: Sequence[str]) -> list[str]:
    keys: list[str] = []
    for user in users:
        key = user_key_from_sender(user) or user.strip()
        if not key:
            raise ValueError("a user key is empty")
        if key not in keys:
            keys.append(key)
    if not keys:
        raise ValueError("the event needs at least one user")
    if len(keys) > MAX_EVENT_USERS:
        raise ValueError(f"the Event API takes at most {MAX_EVENT_USERS} users per request")
    return keys


#: The event block, set up in Open Builder, that speaks a proactive notice.
NOTICE_EVENT = "notice"


async def send_notice(client: EventApiClient, recipient_id: str, text: str, notice_id: int) -> str:
    """Ask Kakao to speak one notice to one user (``kakao:<botUserKey>``) through
    the ``notice`` event block, whose message is the ``{{#event.data.text}}``
    parameter. ``notice_id`` travels along as the notice's idempotency key, so
    the block (or Kakao's logs) can tell a notice from a repeat of it. Returns
    the task id; raises as :meth:`EventApiClient.send_event` does."""
    if user_key_from_sender(recipient_id) is None:
        raise ValueError("the recipient is not a KakaoTalk user")
    return await client.send_event(NOTICE_EVENT, [recipient_id], {"text": text, "notice_id": str(notice_id)})
