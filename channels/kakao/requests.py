"""Reading an Open Builder skill request.

:func:`parse_skill_request` checks the parts of the payload the assistant uses
(``userRequest.user``, ``utterance``, ``callbackUrl``, ``lang``,
``action.clientExtra``) and refuses anything else with
:class:`MalformedSkillRequest`. The rest of the payload (intent, block, bot,
params, contexts) is accepted as it comes and not used. The utterance is kept
as the person wrote it only inside :class:`SkillRequest`; the channel hands
Rasa the masked text (:mod:`channels.shared.incoming`).
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional
from urllib.parse import urlsplit

from channels.shared.incoming import language_hint

#: ``userRequest.user.id`` holds up to 70 characters; anything much longer is not from Kakao.
MAX_USER_KEY_CHARS = 256


class MalformedSkillRequest(ValueError):
    """The body is not a skill request the channel can answer; the message says why."""


@dataclass(frozen=True)
class SkillRequest:
    """The parts of a skill request the assistant uses."""

    user_key: str
    utterance: str
    callback_url: Optional[str] = None
    lang: Optional[str] = None
    client_extra: Dict[str, Any] = field(default_factory=dict)
    block_name: Optional[str] = None


def parse_skill_request(body: bytes) -> SkillRequest:
    """Read a skill request from a raw body.

    The user is ``userRequest.user.properties.botUserKey`` when present, else
    ``userRequest.user.id``. ``lang`` becomes ``"ko"``/``"en"`` or ``None``;
    ``callbackUrl`` is kept only when it is an https address (or http on the
    loopback interface, for local tests and fakes). Raises
    :class:`MalformedSkillRequest` naming the first problem found.
    """
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedSkillRequest("The body is not JSON.") from error
    if not isinstance(data, dict):
        raise MalformedSkillRequest("The body must be a JSON object.")
    user_request = data.get("userRequest")
    if not isinstance(user_request, dict):
        raise MalformedSkillRequest("'userRequest' must be an object.")
    user = user_request.get("user")
    if not isinstance(user, dict):
        raise MalformedSkillRequest("'userRequest.user' must be an object.")
    user_key = _user_key(user)
    utterance = user_request.get("utterance", "")
    if not isinstance(utterance, str):
        raise MalformedSkillRequest("'userRequest.utterance' must be a string.")
    callback_url = user_request.get("callbackUrl")
    if callback_url is not None and not isinstance(callback_url, str):
        raise MalformedSkillRequest("'userRequest.callbackUrl' must be a string.")
    action = data.get("action")
    if action is not None and not isinstance(action, dict):
        raise MalformedSkillRequest("'action' must be an object.")
    extra = (action or {}).get("clientExtra")
    block = user_request.get("block")
    block_name = block.get("name") if isinstance(block, dict) else None
    lang = user_request.get("lang")
    return SkillRequest(
        user_key=user_key,
        utterance=utterance,
        callback_url=callback_url if callback_url and usable_callback_url(callback_url) else None,
        lang=language_hint(lang) if isinstance(lang, str) else None,
        client_extra=dict(extra) if isinstance(extra, dict) else {},
        block_name=block_name if isinstance(block_name, str) else None,
    )


def _user_key(user: Mapping[str, Any]) -> str:
    properties = user.get("properties")
    if properties is not None and not isinstance(properties, dict):
        raise MalformedSkillRequest("'userRequest.user.properties' must be an object.")
    for candidate in ((properties or {}).get("botUserKey"), user.get("id")):
        if isinstance(candidate, str) and candidate.strip():
            key = candidate.strip()
            if len(key) > MAX_USER_KEY_CHARS or any(char.isspace() for char in key):
                raise MalformedSkillRequest("The user key is not a Kakao botUserKey.")
            return key
    raise MalformedSkillRequest("'userRequest.user.id' (or properties.botUserKey) must be a non-empty string.")


def usable_callback_url(url: str) -> bool:
    """True for an https URL, or an http URL on the loopback interface.

    Open Builder's callback URLs are https; accepting nothing else keeps the
    channel from posting answers to an arbitrary plain-http address.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False
