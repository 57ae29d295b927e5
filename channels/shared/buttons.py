"""Rasa buttons, read the same way by every channel.

A Rasa button is ``{"title", "payload"}`` (the payload is often an intent
command such as ``/set_language{"language": "ko"}``) or ``{"title", "url"}``.
:func:`button_choices` reads them into :class:`ButtonChoice`; each channel then
draws them its own way (an inline keyboard, KakaoTalk quick replies).
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional


@dataclass(frozen=True)
class ButtonChoice:
    """One button: a ``payload`` to send back, or a ``url`` to open."""

    title: str
    payload: Optional[str] = None
    url: Optional[str] = None

    @property
    def is_link(self) -> bool:
        """True when the button opens a web address instead of answering."""
        return self.url is not None


def button_choices(buttons: Optional[Iterable[Any]]) -> List[ButtonChoice]:
    """The usable buttons of a Rasa message, in order.

    A button without a title is titled by its payload; one with neither is
    dropped, as is anything that is not a mapping. A ``url`` counts only when it
    is an http(s) address; other buttons answer with their payload, or with
    their title when they have no payload.
    """
    choices: List[ButtonChoice] = []
    for button in buttons or []:
        if not isinstance(button, Mapping):
            continue
        title = " ".join(str(button.get("title") or button.get("payload") or "").split())
        if not title:
            continue
        url = button.get("url")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            choices.append(ButtonChoice(title, url=url))
            continue
        choices.append(ButtonChoice(title, payload=str(button.get("payload") or title)))
    return choices


class PayloadTokens:
    """Button payloads within a channel's size limit for the data a button carries.

    A payload that fits in ``max_bytes`` (UTF-8) is used as it is. A longer one
    is replaced by a short token that is remembered for the last ``capacity``
    such payloads, in this process only.
    """

    TOKEN_PREFIX = "#"  # noqa: S105 - marks a payload token, not a secret

    def __init__(self, max_bytes: int, capacity: int = 4096) -> None:
        self._max_bytes = max_bytes
        self._capacity = capacity
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        """The data to put on the button for ``payload``: the payload or a token."""
        fits = len(payload.encode("utf-8")) <= self._max_bytes
        if fits and payload and not payload.startswith(self.TOKEN_PREFIX):
            return payload
        digest = hashlib.sha256(payload.encode("utf-8")).digest()[:16]
        token = self.TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
        self._payloads[token] = payload
        self._payloads.move_to_end(token)
        while len(self._payloads) > self._capacity:
            self._payloads.popitem(last=False)
        return token

    def decode(self, data: str) -> Optional[str]:
        """The payload behind a button's ``data``; ``None`` for a forgotten token."""
        if not data.startswith(self.TOKEN_PREFIX):
            return data
        payload = self._payloads.get(data)
        if payload is not None:
            self._payloads.move_to_end(data)
        return payload
