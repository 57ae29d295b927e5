"""Rasa's standard REST channel, with resident registration numbers masked.

Registered in credentials.yml as ``channels.rest.PrivacyRestInput``; its name is
``rest`` so the URL stays ``POST /webhooks/rest/webhook`` with the standard
request and response. The differences: a resident registration number in
the message is masked before Rasa sees it (so it never reaches the tracker
store, the NLU or a log), and the body is checked before Rasa sees it (see
:func:`body_problem`): a bad one gets a 4xx with a clear message instead of
joining a shared "default" conversation, storing megabytes of metadata or
failing inside the pipeline with an empty reply.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from channels.shared.incoming import incoming_text
from core.language import detect_language
from core.outage import APOLOGY, TrackerStoreUnavailable
from core.privacy import install_log_masking

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4_000
MAX_METADATA_BYTES = 4_096
MAX_METADATA_DEPTH = 4
# Channel prefixes such as "telegram:123" or "web-3f2a…" and UUIDs fit; spaces,
# markup and control characters do not.
SENDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}")


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    return 0


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800") decoded from JSON
        return False
    return True


def body_problem(body: Any) -> Optional[Tuple[int, str]]:
    """``(status, message)`` when a REST request body must be refused, else None.

    A body is a JSON object with ``sender`` (a string of 1-128 letters, digits
    and ``._:@+=-``, required: a missing one would put strangers in one shared
    conversation), ``message`` (a string of at most ``MAX_MESSAGE_CHARS`` that
    UTF-8 can encode) and an optional ``metadata`` object of at most
    ``MAX_METADATA_BYTES`` as JSON and ``MAX_METADATA_DEPTH`` levels.
    """
    if not isinstance(body, dict):
        return 400, "The request body must be a JSON object."
    sender, message, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    if not isinstance(sender, str) or not SENDER_ID.fullmatch(sender):
        return 400, "'sender' must be a string of 1-128 letters, digits or . _ : @ + = -."
    if not isinstance(message, str):
        return 400, "'message' must be a string."
    if len(message) > MAX_MESSAGE_CHARS:
        return 413, f"The message is too long (at most {MAX_MESSAGE_CHARS} characters)."
    if not _encodable(message):
        return 400, "The message contains characters that cannot be encoded as UTF-8."
    if metadata is not None:
        if not isinstance(metadata, dict):
            return 400, "'metadata' must be a JSON object."
        if _depth(metadata) > MAX_METADATA_DEPTH:
            return 400, f"'metadata' is nested too deeply (at most {MAX_METADATA_DEPTH} levels)."
        encoded = json.dumps(metadata, ensure_ascii=False).encode("utf-8", errors="replace")
        if len(encoded) > MAX_METADATA_BYTES:
            return 413, f"'metadata' is too large (at most {MAX_METADATA_BYTES} bytes as JSON)."
    return None


def refusing_unsaved_turns(
    on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> Callable[[UserMessage], Awaitable[Any]]:
    """``on_new_message`` that, when the conversation could not be stored,
    replaces whatever replies were collected by one apology in the message's
    language: a reply the citizen reads must never belong to a turn that is not
    kept (Rasa's REST channel would log the error and answer as if it were)."""

    async def handle(message: UserMessage) -> Any:
        try:
            return await on_new_message(message)
        except TrackerStoreUnavailable:
            logger.error("a REST turn was refused: the conversation could not be stored")
            language = detect_language(message.text or "") or "ko"
            output = message.output_channel
            if isinstance(output, CollectingOutputChannel):
                output.messages.clear()
            await output.send_text_message(message.sender_id, APOLOGY[language])
            return None

    return handle


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
        """The standard REST blueprint, behind a check of the request body; a turn
        the database could not store is answered with an apology only."""
        inner = super().blueprint(refusing_unsaved_turns(on_new_message))

        @inner.middleware("request")
        async def check_body(request: Request) -> Optional[Any]:
            if request.method != "POST":
                return None
            try:
                body = request.json
            except Exception:  # sanic raises InvalidUsage for malformed JSON
                body = None
            problem = body_problem(body)
            if problem is not None:
                status, message = problem
                return response.json({"error": message}, status=status)
            return None

        return inner
