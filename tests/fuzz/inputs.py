"""Hostile inputs for the public edges: the REST channel, the web gateway's
message API and the Telegram webhook.

Seeded and reproducible: the same seed gives the same inputs. Each input is a
raw HTTP body (bytes), so malformed JSON, lone surrogates and bytes that are
not UTF-8 can be sent as an attacker would send them.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, Callable, Dict, List

MARKUP = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "**굵게** [링크](javascript:alert(1))",
    "{{7*7}} ${7*7} ${jndi:ldap://x/a}",
    "'; DROP TABLE events; --",
    "/restart",
    "/session_start",
    '/check_application_status{"application_number": "2026-0012347", "birth_date": "1985-03-12"}',
    '/ask_service_fee{"service": "passport_reissue"}',
    "<b>여권</b> 재발급 &amp; &#x3C;",
    "\u202e여권 재발급\u202c",
    "\ufeff\u200b\u200d여권\u2028재발급\u2029",
]
IDENTIFIERS = ["900101-1234567", "９００１０１－１２３４５６７", "2026-0012347 1985-03-12", "010-1234-5678"]


def _code_point(rng: random.Random) -> str:
    plane = rng.random()
    if plane < 0.3:
        return chr(rng.randint(0x20, 0x7E))
    if plane < 0.5:
        return chr(rng.randint(0xAC00, 0xD7A3))  # Hangul syllables
    if plane < 0.6:
        return chr(rng.randint(0x00, 0x1F))  # control characters, NUL included
    if plane < 0.8:
        return chr(rng.choice([rng.randint(0xA0, 0xD7FF), rng.randint(0xE000, 0xFFFD)]))
    return chr(rng.randint(0x10000, 0x10FFFF))  # every supplementary plane


def hostile_text(rng: random.Random) -> str:
    """A message text: random code points of every plane, control characters,
    markup, identifiers, very long text, or a normal question with noise."""
    kind = rng.randrange(7)
    if kind == 0:
        return "".join(_code_point(rng) for _ in range(rng.randint(1, 200)))
    if kind == 1:
        return rng.choice(MARKUP)
    if kind == 2:
        return rng.choice(IDENTIFIERS) + " " + rng.choice(["이에요", "처리 상태", "my number"])
    if kind == 3:
        return rng.choice(["가", "a", "😀", "\x00"]) * rng.choice([2001, 5000, 100_000])
    if kind == 4:
        return rng.choice(["", " ", "\n\n", "\t"])
    if kind == 5:
        return rng.choice(["여권 재발급 서류", "how much is a passport", "전입신고"]) + _code_point(rng) * 3
    return rng.choice(MARKUP) + "".join(_code_point(rng) for _ in range(20))


_DEEP = "[" * 5000 + '"x"' + "]" * 5000  # arrays nested 5,000 deep, as raw JSON


class _Deep:
    """Stands for :data:`_DEEP` inside a value given to :func:`_dump`."""


DEEP = _Deep()


def _dump(value: Any) -> bytes:
    """JSON with every non-ASCII character escaped (lone surrogates travel as
    ``\\ud800``); :data:`DEEP` becomes arrays nested 5,000 deep."""
    text = json.dumps(value, ensure_ascii=True, default=lambda _: "__DEEP__")
    return text.replace('"__DEEP__"', _DEEP).encode("ascii")


def _malformed(rng: random.Random) -> bytes:
    return rng.choice(
        [
            b"",
            b"{",
            b"[]",
            b"null",
            b"42",
            b'"message"',
            b"\xff\xfe\x00garbage",
            b'{"message": "\\ud800\\udfff\\ud800"}',
            b'{"message": "abc", "message": {"nested": 1}}',
            b"{" + b'"a":' * 10 + b"1" + b"}" * 10,
            json.dumps({"message": "x"}).encode() * 3,
        ]
    )


def rest_body(rng: random.Random) -> bytes:
    """A body for Rasa's REST channel."""
    shape = rng.randrange(6)
    sender = f"fuzz-{rng.randrange(10**6)}"
    if shape == 0:
        return _malformed(rng)
    if shape == 1:
        return _dump({"sender": rng.choice([True, None, 123, [], {}, "x" * 5000, "../../etc", "a\x00b"]),
                      "message": hostile_text(rng)})
    if shape == 2:
        return _dump({"sender": sender, "message": rng.choice([None, 123, [], {"text": "x"}, True])})
    if shape == 3:
        return _dump({"sender": sender, "message": "여권", "metadata": rng.choice(
            [DEEP, {"blob": "x" * 1_000_000}, "not a dict", [1, 2, 3]])})
    if shape == 4:
        return _dump({"message": hostile_text(rng)})  # no sender
    return _dump({"sender": sender, "message": hostile_text(rng)})


def web_body(rng: random.Random) -> bytes:
    """A body for the web gateway's ``POST /api/messages``."""
    shape = rng.randrange(5)
    if shape == 0:
        return _malformed(rng)
    if shape == 1:
        return _dump({"message": hostile_text(rng), "display_text": rng.choice(
            [DEEP, "x" * 100_000, None, 5, {"a": "b"}]), "language": rng.choice(["ko", "xx", None, 7, []])})
    if shape == 2:
        return _dump({"message": rng.choice([None, 5, [], {"a": 1}, True])})
    if shape == 3:
        return _dump({"message": hostile_text(rng), "hidden": rng.choice([True, "yes", None, 1])})
    return _dump({"message": hostile_text(rng)})


def telegram_body(rng: random.Random) -> bytes:
    """An update for the Telegram webhook, well formed or not."""
    chat = rng.choice([rng.randint(1, 10**9), -rng.randint(1, 10**12), "abc", None, 2**70])
    message: Dict[str, Any] = {
        "message_id": rng.randint(1, 10**6), "date": 1_700_000_000,
        "chat": {"id": chat, "type": rng.choice(["private", "group", "channel", 5])},
        "from": {"id": rng.randint(1, 10**9), "is_bot": False, "first_name": hostile_text(rng)[:50],
                 "language_code": rng.choice(["ko", "en", "zz", None, 5])},
        "text": hostile_text(rng),
    }
    shape = rng.randrange(7)
    if shape == 0:
        return _malformed(rng)
    if shape == 1:
        return _dump({"update_id": rng.choice(["x", None, -1]), "message": message})
    if shape == 2:
        message.pop(rng.choice(["chat", "text", "from", "message_id", "date"]))
        return _dump({"update_id": rng.randint(1, 10**9), "message": message})
    if shape == 3:
        return _dump({"update_id": rng.randint(1, 10**9), "message": rng.choice(["text", 5, [], None])})
    if shape == 4:
        return _dump({"update_id": rng.randint(1, 10**9), "callback_query": {
            "id": str(rng.randrange(10**6)), "from": message["from"], "chat_instance": "1",
            "data": hostile_text(rng)[:300], "message": message}})
    if shape == 5:
        return _dump({"update_id": rng.randint(1, 10**9), "edited_message": message})
    return _dump({"update_id": rng.randint(1, 10**9), "message": message})


@dataclass(frozen=True)
class Target:
    """One public edge: where to POST and how to build a body."""

    name: str
    url: str
    body: Callable[[random.Random], bytes]
    headers: Dict[str, str]


def inputs(targets: List[Target], count: int, seed: int) -> List[tuple]:
    """``count`` (target, body) pairs spread over ``targets``, reproducible by ``seed``."""
    rng = random.Random(seed)
    return [(target, target.body(rng)) for target in (targets[n % len(targets)] for n in range(count))]
