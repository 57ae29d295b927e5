"""Rasa's standard REST channel, with resident registration numbers masked.

Registered in credentials.yml as ``channels.rest.PrivacyRestInput``; its name is
``rest`` so the URL stays ``POST /webhooks/rest/webhook`` with the standard
request and response. The only difference: a resident registration number in
the message is masked before Rasa sees it (so it never reaches the tracker
store, the NLU or a log), and bad bodies get a 400 with a clear message.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from channels.shared.incoming import incoming_text
from core.privacy import install_log_masking

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4_000


class PrivacyRestInput(RestInput):
    """REST input channel that masks resident registration numbers."""

    @classmethod
    def name(cls) -> Text:
        """Keeps the standard URL /webhooks/rest/webhook."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "PrivacyRestInput":
        """Create the channel and make sure every log handler masks personal data."""
        install_log_masking()
        return cls()

    def _extract_message(self, req: Request) -> Optional[Text]:
        text = req.json.get("message", None)
        if text is None:
            return None
        return incoming_text(str(text)).text

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        """The request's metadata when it is an object, else nothing."""
        metadata = request.json.get("metadata", None)
        return metadata if isinstance(metadata, dict) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The standard REST blueprint, behind a check of the request body."""
        inner = super().blueprint(on_new_message)

        @inner.middleware("request")
        async def check_body(request: Request) -> Optional[Any]:
            if request.method != "POST":
                return None
            try:
                body = request.json
            except Exception:  # sanic raises InvalidUsage for malformed JSON
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "The request body must be a JSON object."}, status=400)
            sender, message = body.get("sender"), body.get("message")
            if sender is not None and not isinstance(sender, (str, int)):
                return response.json({"error": "'sender' must be a string."}, status=400)
            if message is not None and not isinstance(message, str):
                return response.json({"error": "'message' must be a string."}, status=400)
            if isinstance(message, str) and len(message) > MAX_MESSAGE_CHARS:
                return response.json(
                    {"error": f"The message is too long (at most {MAX_MESSAGE_CHARS} characters)."},
                    status=413,
                )
            return None

        return inner
