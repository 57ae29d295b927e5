"""Turning the assistant's replies into a KakaoTalk skill response (v2.0).

:func:`render_messages` maps the messages Rasa produced in one turn to output
components, in order:

- text becomes ``simpleText`` components of at most 1000 characters, split
  without cutting a word or a link (:func:`channels.shared.text.split_text`);
- web addresses in the text, and Rasa buttons with a ``url``, become
  ``webLink`` buttons, and phone numbers (``02-2100-2114``, ``1588-2188``, or a
  short number such as ``110`` named as a phone line) become ``phone`` buttons,
  on a ``textCard`` that carries the text's last part when it fits (400
  characters) or follows it (at most 3 buttons a card);
- images become ``simpleImage`` components.

The other Rasa buttons become quick replies (:func:`quick_replies`): the label
is the title shortened to 14 characters, the message sent back is the full
title, and the payload travels in ``extra`` (Kakao returns it as
``action.clientExtra``). :func:`skill_response` assembles one page of at most 3
outputs and 10 quick replies; the channel keeps the rest for a "더 보기" (More)
quick reply. Every response it builds passes :mod:`channels.kakao.validate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from channels.kakao import texts
from channels.kakao.api import (
    MAX_BUTTON_LABEL,
    MAX_CARD_BUTTONS,
    MAX_OUTPUTS,
    MAX_QUICK_REPLIES,
    MAX_QUICK_REPLY_LABEL,
    MAX_SIMPLE_TEXT,
    MAX_TEXT_CARD_TEXT,
    RESPONSE_VERSION,
)
from channels.shared.buttons import ButtonChoice, button_choices
from channels.shared.text import shorten, split_text
from core.language import detect_language

#: Key of a quick reply's ``extra`` that carries the Rasa payload.
PAYLOAD_KEY = "payload"
#: Key of a quick reply's ``extra`` that asks for the rest of an answer.
MORE_KEY = "kakao_more"

Output = Dict[str, Any]

# Web addresses (with a scheme, or starting "www.") are ASCII; Korean particles
# written straight after a link ("https://www.gov.kr에서") are not part of it.
_URL = re.compile(r"(?<![A-Za-z0-9@/.])(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_URL_TRAILING = ".,;:!?'\"*"

# Phone numbers: area code or mobile (02-2100-2114, 031-123-4567, 010-1234-5678)
# and national representative numbers (1588-2188, 1600-1004).
_FULL_PHONE = re.compile(r"(?<![\d+\-.])(?:0\d{1,2}-\d{3,4}-\d{4}|1[5-9]\d{2}-\d{4})(?![\d-])")
# Short service numbers (110, 126, 1345) count only where the text names a phone
# line right before them, so "180일" or "만 9세" never become buttons.
_SHORT_PHONE = re.compile(
    r"(?:전화|콜센터|상담센터|국번\s*없이|call(?:\s+cent(?:re|er))?|phone|cent(?:re|er)|hotline|tel\.?|☎)"
    r"[\s:(（]{0,3}(?:on\s+)?"
    r"(?P<numbers>1\d{2,3}(?:\s*(?:·|/|,|or|또는|및)\s*1\d{2,3})*)"
    r"(?![\d,.\-]*\d)(?!\s*(?:원|일|만|%|개|세|년|월|시|분|명|days?\b|won\b))",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"1\d{2,3}")


@dataclass(frozen=True)
class Rendering:
    """One turn of the assistant as Kakao components.

    ``outputs`` is every component in order (the channel pages them 3 at a
    time); ``choices`` are the buttons offered as quick replies.
    """

    outputs: Tuple[Output, ...]
    choices: Tuple[ButtonChoice, ...]
    language: str


def reply_language(messages: Iterable[Mapping[str, Any]], fallback: str) -> str:
    """The language of the assistant's reply: Korean when it has Hangul,
    English when it has only Latin letters, else ``fallback``."""
    joined = " ".join(str(message.get("text") or "") for message in messages)
    return detect_language(joined) or fallback


def render_messages(messages: Sequence[Mapping[str, Any]], language: str) -> Rendering:
    """The components and choices for the messages of one turn.

    Never returns an empty ``outputs``: buttons without text get a short
    "choose below" text, and a turn without any message gets a short
    acknowledgement, both in ``language``.
    """
    outputs: List[Output] = []
    choices: List[ButtonChoice] = []
    for message in messages:
        text = _message_text(message)
        buttons = button_choices(message.get("buttons") or message.get("quick_replies"))
        links = [choice for choice in buttons if choice.is_link]
        for choice in buttons:
            if not choice.is_link and all(choice.title != known.title for known in choices):
                choices.append(choice)
        outputs.extend(_text_outputs(text, links, language))
        image = message.get("image")
        if isinstance(image, str) and image.startswith(("https://", "http://")):
            outputs.append({"simpleImage": {"imageUrl": image}})
    if not outputs:
        outputs.append(_simple_text(texts.text("choose_below" if choices else "no_reply", language)))
    return Rendering(tuple(_compact(outputs)), tuple(choices), language)


def quick_replies(
    choices: Sequence[ButtonChoice], language: str, more_label_key: Optional[str] = None
) -> List[Dict[str, Any]]:
    """Quick replies for ``choices``, at most 10.

    With ``more_label_key`` ("more" or "show_answer"), a quick reply asking for
    the rest of the answer comes first.
    """
    replies: List[Dict[str, Any]] = []
    if more_label_key:
        label = texts.text(more_label_key, language)
        replies.append({"label": label, "action": "message", "messageText": label, "extra": {MORE_KEY: True}})
    for choice in choices:
        if len(replies) == MAX_QUICK_REPLIES:
            break
        reply: Dict[str, Any] = {
            "label": shorten(choice.title, MAX_QUICK_REPLY_LABEL),
            "action": "message",
            "messageText": choice.title,
        }
        if choice.payload and choice.payload != choice.title:
            reply["extra"] = {PAYLOAD_KEY: choice.payload}
        replies.append(reply)
    return replies


def skill_response(outputs: Sequence[Output], replies: Sequence[Mapping[str, Any]] = ()) -> Dict[str, Any]:
    """A skill response showing ``outputs`` (1 to 3) with ``replies`` under them."""
    if not 1 <= len(outputs) <= MAX_OUTPUTS:
        raise ValueError(f"a skill response shows 1 to {MAX_OUTPUTS} outputs, not {len(outputs)}")
    template: Dict[str, Any] = {"outputs": list(outputs)}
    if replies:
        template["quickReplies"] = list(replies)[:MAX_QUICK_REPLIES]
    return {"version": RESPONSE_VERSION, "template": template}


def text_response(text: str, replies: Sequence[Mapping[str, Any]] = ()) -> Dict[str, Any]:
    """A skill response with one short text (the channel's own messages)."""
    return skill_response([_simple_text(part) for part in split_text(text, MAX_SIMPLE_TEXT)[:MAX_OUTPUTS]], replies)


def callback_response(text: str) -> Dict[str, Any]:
    """The immediate answer that tells Open Builder the real one follows on the callback URL.

    ``data.text`` is what a block's callback message can show while waiting.
    """
    return {"version": RESPONSE_VERSION, "useCallback": True, "data": {"text": text}}


def find_links(text: str) -> List[str]:
    """The web addresses in ``text``, in order, without repeats or trailing
    punctuation; one written without a scheme ("www.epeople.go.kr") as https."""
    found: List[str] = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        if url.startswith("www."):
            url = f"https://{url}"
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(_URL_TRAILING)
        if urlsplit(url).hostname and url not in found:
            found.append(url)
    return found


def find_phone_numbers(text: str) -> List[str]:
    """The phone numbers in ``text``, in order of appearance, without repeats."""
    spans: List[Tuple[int, str]] = [(match.start(), match.group(0)) for match in _FULL_PHONE.finditer(text)]
    for match in _SHORT_PHONE.finditer(text):
        start = match.start("numbers")
        for short in _NUMBER.finditer(match.group("numbers")):
            spans.append((start + short.start(), short.group(0)))
    found: List[str] = []
    for _, number in sorted(spans):
        if number not in found:
            found.append(number)
    return found


def link_label(url: str, taken: Sequence[str] = ()) -> str:
    """A button label for ``url``: its host without ``www.``, then host and path
    when another button already has that label; at most 14 characters."""
    parts = urlsplit(url)
    host = (parts.hostname or url).removeprefix("www.")
    label = shorten(host, MAX_BUTTON_LABEL)
    if label in taken:
        label = shorten(f"{host}{parts.path}".rstrip("/"), MAX_BUTTON_LABEL)
    number = 2
    while label in taken:
        label = shorten(f"{host} {number}", MAX_BUTTON_LABEL)
        number += 1
    return label


def _message_text(message: Mapping[str, Any]) -> str:
    parts: List[str] = []
    for value in (message.get("text"), _custom_text(message.get("custom")), message.get("attachment")):
        if isinstance(value, str) and value.strip():
            parts.append(value.strip())
    return "\n\n".join(parts)


def _custom_text(custom: Any) -> Optional[str]:
    # Custom payloads are web-only except for their text.
    if isinstance(custom, Mapping):
        value = custom.get("text")
        return value if isinstance(value, str) else None
    return None


def _text_outputs(text: str, links: Sequence[ButtonChoice], language: str) -> List[Output]:
    chunks = split_text(text, MAX_SIMPLE_TEXT)
    buttons = _card_buttons(text, links)
    outputs: List[Output] = [_simple_text(chunk) for chunk in chunks]
    if not buttons:
        return outputs
    groups = [buttons[start : start + MAX_CARD_BUTTONS] for start in range(0, len(buttons), MAX_CARD_BUTTONS)]
    if chunks and len(chunks[-1]) <= MAX_TEXT_CARD_TEXT:
        outputs[-1] = {"textCard": {"description": chunks[-1], "buttons": groups.pop(0)}}
    for group in groups:
        outputs.append({"textCard": {"description": texts.text("links", language), "buttons": group}})
    return outputs


def _card_buttons(text: str, links: Sequence[ButtonChoice]) -> List[Dict[str, str]]:
    buttons: List[Dict[str, str]] = []
    seen: List[str] = []
    labels: List[str] = []
    for choice in links:
        if choice.url and choice.url not in seen:
            seen.append(choice.url)
            label = shorten(choice.title, MAX_BUTTON_LABEL)
            labels.append(label)
            buttons.append({"label": label, "action": "webLink", "webLinkUrl": choice.url})
    for url in find_links(text):
        if url not in seen:
            seen.append(url)
            label = link_label(url, labels)
            labels.append(label)
            buttons.append({"label": label, "action": "webLink", "webLinkUrl": url})
    for number in find_phone_numbers(text):
        buttons.append({"label": shorten(f"☎ {number}", MAX_BUTTON_LABEL), "action": "phone", "phoneNumber": number})
    return buttons


def _simple_text(text: str) -> Output:
    return {"simpleText": {"text": text}}


def _compact(outputs: List[Output]) -> List[Output]:
    """Join neighbouring texts into one bubble while there are more outputs than
    one page shows and the joined text still fits."""
    if len(outputs) <= MAX_OUTPUTS:
        return outputs
    compact: List[Output] = []
    for output in outputs:
        previous = compact[-1] if compact else None
        if previous is not None and "simpleText" in previous and "simpleText" in output:
            joined = f"{previous['simpleText']['text']}\n\n{output['simpleText']['text']}"
            if len(joined) <= MAX_SIMPLE_TEXT:
                compact[-1] = _simple_text(joined)
                continue
        compact.append(output)
    return compact
