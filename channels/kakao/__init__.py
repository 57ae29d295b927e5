"""The KakaoTalk channel: the assistant as a Kakao i Open Builder skill.

- :mod:`~channels.kakao.input`: the Rasa input channel (``KakaoInput``,
  registered in credentials.yml as ``channels.kakao.KakaoInput``) on
  ``POST /webhooks/kakao/webhook``, with the 5-second budget and the callback;
- :mod:`~channels.kakao.requests`: reading a skill request;
- :mod:`~channels.kakao.format`: rendering replies as a skill response (v2.0),
  checked by :mod:`~channels.kakao.validate`;
- :mod:`~channels.kakao.memory`: what the channel keeps per user between
  requests (the rest of a long answer, the quick replies offered);
- :mod:`~channels.kakao.callback`: posting a late answer to the callback URL;
- :mod:`~channels.kakao.outbound`: the Event API, for messages the assistant starts;
- :mod:`~channels.kakao.api`: the route, sender ids and Kakao's limits;
- :mod:`~channels.kakao.admin`: ``python -m channels.kakao.admin <command>``.

``KakaoInput`` is imported on first use, so the admin commands start without
loading Rasa. docs/kakao.md explains the Open Builder side.
"""

from __future__ import annotations

from typing import Any

__all__ = ["KakaoInput"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from channels.kakao import input as channel

        return getattr(channel, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
