"""Bilingual JSON errors: every failure the page can meet, in Korean and English.

Every error body has the same shape, which the chat page relies on::

    {"error": "<code>", "message": {"ko": "...", "en": "..."}}
"""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping

from aiohttp import web

ERROR_MESSAGES: Mapping[str, Mapping[str, str]] = {
    "empty_message": {
        "ko": "메시지를 입력해 주세요. 글자가 없거나 보이지 않는 문자만 있어요.",
        "en": "Please type a message. It was empty or had only invisible characters.",
    },
    "message_too_long": {
        "ko": "메시지가 너무 깁니다. {limit}자 이내로 줄여서 다시 보내 주세요.",
        "en": "Your message is too long. Please shorten it to {limit} characters or fewer.",
    },
    "body_too_large": {
        "ko": "보낸 내용이 너무 큽니다. 메시지를 줄여서 다시 보내 주세요.",
        "en": "The request is too large. Please send a shorter message.",
    },
    "invalid_request": {
        "ko": "요청 형식이 올바르지 않습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요.",
        "en": "The request was not in the expected format. Please reload the page and try again.",
    },
    "unsupported_media_type": {
        "ko": "요청 형식이 올바르지 않습니다. JSON으로 보내 주세요.",
        "en": "The request must be sent as JSON.",
    },
    "rate_limited": {
        "ko": "메시지를 너무 빠르게 보내고 있어요. {retry_after}초 뒤에 다시 보내 주세요.",
        "en": "You are sending messages too quickly. Please wait {retry_after} seconds and try again.",
    },
    "forbidden_origin": {
        "ko": "허용되지 않은 사이트에서 보낸 요청입니다.",
        "en": "Requests from this site are not allowed.",
    },
    "assistant_unavailable": {
        "ko": "지금은 상담봇에 연결할 수 없어요. 잠시 뒤에 다시 시도해 주세요. "
        "급하시면 정부민원안내콜센터(국번 없이 110)로 전화해 주세요.",
        "en": "The assistant cannot be reached right now. Please try again in a moment. "
        "If it is urgent, call the Government Call Center on 110.",
    },
    "assistant_timeout": {
        "ko": "상담봇이 제시간에 답하지 못했어요. 잠시 뒤에 다시 시도해 주세요.",
        "en": "The assistant did not answer in time. Please try again in a moment.",
    },
    "not_found": {
        "ko": "요청하신 주소를 찾을 수 없습니다.",
        "en": "The requested address was not found.",
    },
    "method_not_allowed": {
        "ko": "이 주소에서는 지원하지 않는 요청 방식입니다.",
        "en": "This request method is not supported here.",
    },
    "internal_error": {
        "ko": "처리 중에 문제가 생겼어요. 잠시 뒤에 다시 시도해 주세요.",
        "en": "Something went wrong on our side. Please try again in a moment.",
    },
}


def dumps(value: Any) -> str:
    """JSON with Korean kept as UTF-8 characters (smaller and readable in logs)."""
    return json.dumps(value, ensure_ascii=False)


def error_body(code: str, **values: Any) -> Dict[str, Any]:
    """The JSON body for error ``code``; ``values`` fill the ``{placeholders}``
    and are also returned as fields (for example ``retry_after``)."""
    texts = ERROR_MESSAGES.get(code, ERROR_MESSAGES["internal_error"])
    body: Dict[str, Any] = {
        "error": code,
        "message": {language: text.format(**values) for language, text in texts.items()},
    }
    body.update(values)
    return body


def json_error(
    status: int, code: str, *, headers: Mapping[str, str] | None = None, **values: Any
) -> web.Response:
    """A JSON error response with status ``status`` and the bilingual message for ``code``."""
    return web.json_response(error_body(code, **values), status=status, headers=headers, dumps=dumps)
