"""Delivering a late answer to Open Builder's callback URL.

When a block has callback enabled, the skill request carries a ``callbackUrl``
that is valid once, for one minute. The channel answers the request at once
with ``useCallback`` and posts the real response here when it is ready.
Kakao answers the post with ``{"taskId", "status": "SUCCESS"|"FAIL"|"ERROR",
"message"}``.

A post that fails on the way (no connection, a timeout, a 5xx or an
``"ERROR"`` status) is tried again with growing pauses while the URL is still
valid; a refusal (a 4xx or ``"FAIL"``: the token expired or was used, or the
response was rejected) is final.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Sequence

import aiohttp

from core.privacy import mask_for_log

logger = logging.getLogger(__name__)

#: Pauses between attempts, in seconds; the last one repeats.
RETRY_DELAYS: Sequence[float] = (0.5, 1.0, 2.0, 4.0, 8.0)

#: The longest a single attempt may take.
ATTEMPT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class CallbackResult:
    """How delivery to a callback URL ended."""

    delivered: bool
    attempts: int
    task_id: Optional[str] = None
    detail: str = ""


async def post_callback(
    session: aiohttp.ClientSession,
    url: str,
    response: Mapping[str, Any],
    deadline: float,
    *,
    delays: Sequence[float] = RETRY_DELAYS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> CallbackResult:
    """Post ``response`` to ``url``, retrying until ``deadline`` (a ``clock`` time).

    Never raises for a network or HTTP problem; the result says whether Kakao
    took the response. The URL (a one-time token) is not logged.
    """
    attempts = 0
    detail = ""
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            return CallbackResult(False, attempts, detail=detail or "the callback URL expired")
        attempts += 1
        outcome = await _attempt(session, url, response, min(ATTEMPT_TIMEOUT_SECONDS, remaining))
        if outcome.delivered or outcome.final:
            return CallbackResult(outcome.delivered, attempts, outcome.task_id, outcome.detail)
        detail = outcome.detail
        pause = delays[min(attempts - 1, len(delays) - 1)] if delays else 0.0
        if clock() + pause >= deadline:
            return CallbackResult(False, attempts, detail=detail)
        logger.info("Kakao callback attempt %d failed (%s); retrying in %.1f s", attempts, detail, pause)
        await sleep(pause)


@dataclass(frozen=True)
class _Outcome:
    delivered: bool
    final: bool
    detail: str
    task_id: Optional[str] = None


async def _attempt(
    session: aiohttp.ClientSession, url: str, response: Mapping[str, Any], timeout: float
) -> _Outcome:
    try:
        async with session.post(url, json=dict(response), timeout=aiohttp.ClientTimeout(total=timeout)) as reply:
            status = reply.status
            body = await _json(reply)
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return _Outcome(False, False, type(error).__name__)
    task_id = body.get("taskId") if isinstance(body.get("taskId"), str) else None
    kakao_status = body.get("status")
    message = mask_for_log(str(body.get("message") or ""))[:200]
    if status >= 500 or kakao_status == "ERROR":
        return _Outcome(False, False, f"HTTP {status} {kakao_status or ''} {message}".strip(), task_id)
    if status >= 400 or kakao_status == "FAIL":
        return _Outcome(False, True, f"HTTP {status} {kakao_status or ''} {message}".strip(), task_id)
    return _Outcome(True, True, "delivered", task_id)


async def _json(reply: aiohttp.ClientResponse) -> Dict[str, Any]:
    try:
        body = await reply.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return {}
    return body if isinstance(body, dict) else {}
