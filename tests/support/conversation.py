"""Talking to the trained model in-process, the way a channel does."""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Dict, List

from rasa.core.agent import Agent


async def say(agent: Agent, sender: str, text: str) -> List[Dict[str, Any]]:
    """Send ``text`` as ``sender`` and return the bot's messages (REST-channel shape)."""
    return await agent.handle_text(text, sender_id=sender) or []


def texts(messages: List[Dict[str, Any]]) -> str:
    """All message texts joined, for assertions."""
    return "\n".join(message.get("text") or "" for message in messages)


def buttons(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Every button of every message."""
    return [button for message in messages for button in message.get("buttons") or []]


def post_rest(rasa_url: str, sender: str, message: Any, timeout: float = 60) -> tuple:
    """POST to Rasa's REST channel; returns (status, parsed JSON or text)."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            payload = response.read().decode()
            return response.status, json.loads(payload) if payload else None
    except urllib.error.HTTPError as error:
        payload = error.read().decode()
        try:
            return error.code, json.loads(payload)
        except ValueError:
            return error.code, payload
