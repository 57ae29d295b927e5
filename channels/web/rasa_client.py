"""A small async client for the two Rasa endpoints the gateway uses.

* ``POST /webhooks/rest/webhook`` (the standard REST channel) to relay a message;
* ``GET /conversations/{id}/tracker`` (the HTTP API, guarded by the auth token)
  to rebuild the transcript after a page reload.

Every failure becomes one of three exceptions, so handlers can answer with a
clear status instead of a stack trace. The API token is passed as a query
parameter and never appears in an exception message or a log record.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Mapping
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)


class RasaError(Exception):
    """Rasa could not give a usable answer."""


class RasaUnavailable(RasaError):
    """Rasa refused the connection, failed, or answered with an error or garbage."""


class RasaTimeout(RasaError):
    """Rasa did not answer within the configured timeout."""


class RasaClient:
    """Talks to one Rasa server over a shared :class:`aiohttp.ClientSession`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 20.0,
        connect_timeout: float = 3.0,
    ) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=connect_timeout)

    @property
    def closed(self) -> bool:
        """True once the underlying HTTP session has been closed (app shutdown)."""
        return self._session.closed

    async def _request_json(
        self,
        endpoint: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        url = f"{self._base_url}{path}"
        try:
            async with self._session.request(
                method, url, params=params, json=json, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    logger.warning("Rasa's %s answered with HTTP %s", endpoint, response.status)
                    raise RasaUnavailable(f"Rasa answered with HTTP {response.status}")
                return await response.json(content_type=None)
        except asyncio.TimeoutError as error:
            raise RasaTimeout("Rasa did not answer in time") from error
        except (aiohttp.ClientError, ValueError) as error:
            # ValueError: the body was not JSON. Neither message carries the URL
            # (it can hold the API token).
            raise RasaUnavailable(f"Rasa could not be reached: {type(error).__name__}") from None

    async def send_message(
        self, sender: str, message: str, metadata: Mapping[str, Any] | None = None
    ) -> List[Dict[str, Any]]:
        """Relay ``message`` from ``sender`` and return Rasa's replies as the REST
        channel gives them (``[{"recipient_id", "text", "buttons", ...}]``)."""
        body = {"sender": sender, "message": message, "metadata": dict(metadata or {})}
        replies = await self._request_json("REST channel", "POST", "/webhooks/rest/webhook", json=body)
        if not isinstance(replies, list):
            raise RasaUnavailable("Rasa's REST channel did not answer with a list")
        return [reply for reply in replies if isinstance(reply, dict)]

    async def fetch_events(self, sender: str) -> List[Dict[str, Any]]:
        """Return the events of ``sender``'s conversation since its last restart."""
        params = {"include_events": "AFTER_RESTART"}
        if self._token:
            params["token"] = self._token
        path = f"/conversations/{quote(sender, safe='')}/tracker"
        tracker = await self._request_json("tracker API", "GET", path, params=params)
        events = tracker.get("events") if isinstance(tracker, dict) else None
        if not isinstance(events, list):
            raise RasaUnavailable("Rasa's tracker had no event list")
        return [event for event in events if isinstance(event, dict)]
