"""The forms' own buttons send plain-text answers ("중간", "Retired"): the trained
model must never read one as a request that closes the form on its own rules
(cancel, a person, a resident number), or a tap would end the form it answers."""

from pathlib import Path
from typing import Iterator, List

import pytest
import yaml

from actions.forms import ALWAYS_KEPT_OUT

BOT = Path(__file__).resolve().parents[2] / "bot"


def _buttons(node: object) -> Iterator[dict]:
    if isinstance(node, dict):
        if "payload" in node and "title" in node:
            yield node
        for value in node.values():
            yield from _buttons(value)
    elif isinstance(node, list):
        for item in node:
            yield from _buttons(item)


def plain_text_payloads() -> List[str]:
    payloads = set()
    for path in sorted(BOT.rglob("*.yml")):
        for button in _buttons(yaml.safe_load(path.read_text(encoding="utf-8"))):
            payload = str(button["payload"])
            if not payload.startswith("/"):
                payloads.add(payload)
    return sorted(payloads)


def test_there_are_plain_text_answer_buttons_to_check() -> None:
    assert {"중간", "Middle", "건너뛰기", "Skip"} <= set(plain_text_payloads())


@pytest.mark.parametrize("payload", plain_text_payloads())
async def test_a_button_answer_never_closes_the_form(rasa_agent, payload: str) -> None:
    parsed = await rasa_agent.parse_message(payload)
    assert parsed["intent"]["name"] not in ALWAYS_KEPT_OUT, parsed["intent"]
