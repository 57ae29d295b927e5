"""Checking a skill response against Kakao's documented shape and limits.

:func:`problems` lists everything wrong with a response (an empty list means
it is valid). The channel checks each response it builds before sending it and
falls back to plain text if one ever fails, and the tests check every response
the channel sends. Only what the channel can produce is checked in depth
(``simpleText``, ``simpleImage``, ``textCard``, ``basicCard``, ``listCard``,
``carousel``, buttons and quick replies); the limits are those of
:mod:`channels.kakao.api`.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Mapping
from urllib.parse import urlsplit

from channels.kakao.api import (
    MAX_ALT_TEXT,
    MAX_BASIC_CARD_DESCRIPTION,
    MAX_BUTTON_LABEL,
    MAX_CARD_BUTTONS,
    MAX_CARD_TITLE,
    MAX_CAROUSEL_ITEMS,
    MAX_HORIZONTAL_BUTTON_LABEL,
    MAX_HORIZONTAL_CARD_BUTTONS,
    MAX_LIST_CARD_ITEMS,
    MAX_OUTPUTS,
    MAX_QUICK_REPLIES,
    MAX_QUICK_REPLY_LABEL,
    MAX_SIMPLE_TEXT,
    MAX_TEXT_CARD_TEXT,
    RESPONSE_VERSION,
)

BUTTON_ACTIONS = ("webLink", "message", "phone", "block", "share", "operator")
QUICK_REPLY_ACTIONS = ("message", "block")
CAROUSEL_TYPES = ("basicCard", "commerceCard", "listCard", "itemCard", "textCard")
_PHONE = re.compile(r"\+?[0-9][0-9\-]{1,19}")


class InvalidSkillResponse(ValueError):
    """A response breaks Kakao's skill response format; the message lists how."""


def check(response: Any) -> None:
    """Raise :class:`InvalidSkillResponse` unless ``response`` is a valid skill response."""
    found = problems(response)
    if found:
        raise InvalidSkillResponse("; ".join(found))


def problems(response: Any) -> List[str]:
    """Everything that makes ``response`` an invalid skill response (v2.0)."""
    found: List[str] = []
    if not isinstance(response, dict):
        return ["the response is not a JSON object"]
    try:
        json.dumps(response, ensure_ascii=False)
    except (TypeError, ValueError):
        found.append("the response is not JSON-serialisable")
    if response.get("version") != RESPONSE_VERSION:
        found.append(f"version must be {RESPONSE_VERSION!r}")
    if "useCallback" in response:
        if response["useCallback"] is not True:
            found.append("useCallback must be true when present")
        data = response.get("data")
        if data is not None and not isinstance(data, dict):
            found.append("data must be an object")
        elif isinstance(data, dict) and not isinstance(data.get("text", ""), str):
            found.append("data.text must be a string")
        return found
    template = response.get("template")
    if not isinstance(template, dict):
        return [*found, "template must be an object"]
    outputs = template.get("outputs")
    if not isinstance(outputs, list) or not 1 <= len(outputs) <= MAX_OUTPUTS:
        found.append(f"template.outputs must hold 1 to {MAX_OUTPUTS} components")
    else:
        for index, output in enumerate(outputs):
            found.extend(_component(output, f"outputs[{index}]"))
    replies = template.get("quickReplies", [])
    if not isinstance(replies, list) or len(replies) > MAX_QUICK_REPLIES:
        found.append(f"template.quickReplies must be a list of at most {MAX_QUICK_REPLIES}")
    else:
        for index, reply in enumerate(replies):
            found.extend(_quick_reply(reply, f"quickReplies[{index}]"))
    return found


def _component(output: Any, where: str) -> List[str]:
    if not isinstance(output, dict) or len(output) != 1:
        return [f"{where} must be an object with exactly one component"]
    (kind, body), = output.items()
    if not isinstance(body, dict):
        return [f"{where}.{kind} must be an object"]
    checker = _COMPONENTS.get(kind)
    if checker is None:
        return [f"{where}: unknown component {kind!r}"]
    return checker(body, f"{where}.{kind}", False)


def _simple_text(body: Mapping[str, Any], where: str, _: bool) -> List[str]:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        return [f"{where}.text must be a non-empty string"]
    if len(text) > MAX_SIMPLE_TEXT:
        return [f"{where}.text has {len(text)} characters (at most {MAX_SIMPLE_TEXT})"]
    return []


def _simple_image(body: Mapping[str, Any], where: str, _: bool) -> List[str]:
    found = [] if _is_url(body.get("imageUrl")) else [f"{where}.imageUrl must be an http(s) URL"]
    found.extend(_alt_text(body, where))
    return found


def _text_card(body: Mapping[str, Any], where: str, in_carousel: bool) -> List[str]:
    found: List[str] = []
    title, description = body.get("title", ""), body.get("description", "")
    if not isinstance(title, str) or not isinstance(description, str):
        return [f"{where}: title and description must be strings"]
    if not title.strip() and not description.strip():
        found.append(f"{where} needs a title or a description")
    if len(title) > MAX_CARD_TITLE:
        found.append(f"{where}.title has {len(title)} characters (at most {MAX_CARD_TITLE})")
    limit = 128 if in_carousel else MAX_TEXT_CARD_TEXT
    length = len(title) + len(description)
    if length > limit:
        found.append(f"{where}: title and description have {length} characters (at most {limit})")
    found.extend(_buttons(body, where))
    return found


def _basic_card(body: Mapping[str, Any], where: str, _: bool) -> List[str]:
    found: List[str] = []
    thumbnail = body.get("thumbnail")
    if not isinstance(thumbnail, dict) or not _is_url(thumbnail.get("imageUrl")):
        found.append(f"{where}.thumbnail.imageUrl must be an http(s) URL")
    else:
        found.extend(_alt_text(thumbnail, f"{where}.thumbnail"))
    title, description = body.get("title", ""), body.get("description", "")
    if not isinstance(title, str) or len(title) > MAX_CARD_TITLE:
        found.append(f"{where}.title must be a string of at most {MAX_CARD_TITLE} characters")
    if not isinstance(description, str) or len(description) > MAX_BASIC_CARD_DESCRIPTION:
        found.append(f"{where}.description must be a string of at most {MAX_BASIC_CARD_DESCRIPTION} characters")
    found.extend(_buttons(body, where))
    return found


def _list_card(body: Mapping[str, Any], where: str, in_carousel: bool) -> List[str]:
    found: List[str] = []
    header = body.get("header")
    if not isinstance(header, dict) or not isinstance(header.get("title"), str) or not header["title"].strip():
        found.append(f"{where}.header.title must be a non-empty string")
    items = body.get("items")
    limit = 4 if in_carousel else MAX_LIST_CARD_ITEMS
    if not isinstance(items, list) or not 1 <= len(items) <= limit:
        found.append(f"{where}.items must hold 1 to {limit} items")
    else:
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("title"), str) or not item["title"].strip():
                found.append(f"{where}.items[{index}].title must be a non-empty string")
    found.extend(_buttons(body, where))
    return found


def _carousel(body: Mapping[str, Any], where: str, _: bool) -> List[str]:
    kind = body.get("type")
    if kind not in CAROUSEL_TYPES:
        return [f"{where}.type must be one of {', '.join(CAROUSEL_TYPES)}"]
    items = body.get("items")
    limit = MAX_LIST_CARD_ITEMS if kind == "listCard" else MAX_CAROUSEL_ITEMS
    if not isinstance(items, list) or not 1 <= len(items) <= limit:
        return [f"{where}.items must hold 1 to {limit} cards"]
    checker = _COMPONENTS.get(str(kind))
    found: List[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            found.append(f"{where}.items[{index}] must be an object")
        elif checker is not None:
            found.extend(checker(item, f"{where}.items[{index}]", True))
    return found


def _buttons(body: Mapping[str, Any], where: str) -> List[str]:
    buttons = body.get("buttons", [])
    layout = body.get("buttonLayout", "vertical")
    if layout not in ("vertical", "horizontal"):
        return [f"{where}.buttonLayout must be 'vertical' or 'horizontal'"]
    limit = MAX_HORIZONTAL_CARD_BUTTONS if layout == "horizontal" else MAX_CARD_BUTTONS
    if not isinstance(buttons, list) or len(buttons) > limit:
        return [f"{where}.buttons must be a list of at most {limit}"]
    label_limit = MAX_HORIZONTAL_BUTTON_LABEL if layout == "horizontal" and len(buttons) == 2 else MAX_BUTTON_LABEL
    found: List[str] = []
    for index, button in enumerate(buttons):
        found.extend(_button(button, f"{where}.buttons[{index}]", label_limit))
    return found


def _button(button: Any, where: str, label_limit: int) -> List[str]:
    if not isinstance(button, dict):
        return [f"{where} must be an object"]
    found = _label(button.get("label"), where, label_limit)
    action = button.get("action")
    if action not in BUTTON_ACTIONS:
        found.append(f"{where}.action must be one of {', '.join(BUTTON_ACTIONS)}")
    elif action == "webLink" and not _is_url(button.get("webLinkUrl")):
        found.append(f"{where}.webLinkUrl must be an http(s) URL")
    elif action == "phone" and not _is_phone(button.get("phoneNumber")):
        found.append(f"{where}.phoneNumber must be a phone number")
    elif action == "block" and not _non_empty(button.get("blockId")):
        found.append(f"{where}.blockId is required for a block button")
    elif action == "message" and "messageText" in button and not _non_empty(button.get("messageText")):
        found.append(f"{where}.messageText must be a non-empty string")
    return found


def _quick_reply(reply: Any, where: str) -> List[str]:
    if not isinstance(reply, dict):
        return [f"{where} must be an object"]
    found = _label(reply.get("label"), where, MAX_QUICK_REPLY_LABEL)
    action = reply.get("action")
    if action not in QUICK_REPLY_ACTIONS:
        found.append(f"{where}.action must be 'message' or 'block'")
    elif action == "message" and not _non_empty(reply.get("messageText")):
        found.append(f"{where}.messageText must be a non-empty string")
    elif action == "block" and not _non_empty(reply.get("blockId")):
        found.append(f"{where}.blockId is required for a block quick reply")
    if "extra" in reply and not isinstance(reply["extra"], dict):
        found.append(f"{where}.extra must be an object")
    return found


def _label(label: Any, where: str, limit: int) -> List[str]:
    if not _non_empty(label):
        return [f"{where}.label must be a non-empty string"]
    if len(label) > limit:
        return [f"{where}.label {label!r} has {len(label)} characters (at most {limit})"]
    return []


def _alt_text(body: Mapping[str, Any], where: str) -> List[str]:
    alt = body.get("altText")
    if alt is not None and (not isinstance(alt, str) or len(alt) > MAX_ALT_TEXT):
        return [f"{where}.altText must be a string of at most {MAX_ALT_TEXT} characters"]
    return []


def _is_phone(value: Any) -> bool:
    return isinstance(value, str) and _PHONE.fullmatch(value) is not None


def _non_empty(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


_COMPONENTS: Dict[str, Any] = {
    "simpleText": _simple_text,
    "simpleImage": _simple_image,
    "textCard": _text_card,
    "basicCard": _basic_card,
    "listCard": _list_card,
    "carousel": _carousel,
}
