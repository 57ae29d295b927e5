"""What the KakaoTalk channel itself says, in Korean and English.

Everything else a citizen reads comes from the assistant. These are the
channel's own words: while an answer is being prepared, when it is late, when a
"more" button has expired, and the labels of its quick replies.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from core.language import SUPPORTED_LANGUAGES

DEFAULT_LANGUAGE = "ko"

_TEXTS: Dict[str, Dict[str, str]] = {
    "waiting": {
        "ko": "잠시만요, 답변을 준비하고 있어요…",
        "en": "One moment, I'm preparing your answer…",
    },
    "late": {
        "ko": "죄송해요, 답변 준비가 늦어지고 있어요. 잠시 후 '답변 보기'를 눌러 주시거나 아래 메뉴를 이용해 주세요.",
        "en": "Sorry, your answer is taking longer than usual. Tap 'Show answer' in a moment, or use the menu below.",
    },
    "still_preparing": {
        "ko": "아직 답변을 준비하고 있어요. 잠시 후 다시 눌러 주세요.",
        "en": "I'm still preparing your answer. Please tap again in a moment.",
    },
    "expired": {
        "ko": "이전 답변의 나머지는 더 이상 볼 수 없어요. 궁금하신 점을 다시 입력해 주세요.",
        "en": "The rest of that answer is no longer available. Please ask your question again.",
    },
    "failed": {
        "ko": "죄송해요, 일시적인 문제로 답변드리지 못했어요. "
        "잠시 후 다시 시도해 주시거나 정부민원안내콜센터 110으로 문의해 주세요.",
        "en": "Sorry, something went wrong on our side. Please try again in a moment, or call the Government "
        "Call Centre on 110.",
    },
    "too_long": {
        "ko": "메시지가 너무 길어요. {limit:,}자 이내로 나누어 보내 주세요.",
        "en": "Your message is too long. Please send it in parts of at most {limit:,} characters.",
    },
    "choose_below": {
        "ko": "아래에서 골라 주세요.",
        "en": "Please choose below.",
    },
    "no_reply": {
        "ko": "말씀하신 내용을 확인했어요. 더 궁금하신 점이 있으면 입력해 주세요.",
        "en": "Got it. If there is anything else you'd like to know, please type it.",
    },
    "links": {
        "ko": "아래 버튼으로 바로 연결할 수 있어요.",
        "en": "Use the buttons below to open these.",
    },
    "more": {"ko": "더 보기", "en": "More"},
    "show_answer": {"ko": "답변 보기", "en": "Show answer"},
}

# The menu offered when the assistant could not answer in time: (title, payload).
_MENU: Dict[str, List[Tuple[str, str]]] = {
    "ko": [("도움말", "/help"), ("상담원 연결", "/human_handoff")],
    "en": [("Help", "/help"), ("Ask a person", "/human_handoff")],
}

#: Texts a person may type to ask for the rest of an answer.
MORE_WORDS = frozenset({"더 보기", "더보기", "more", "show more", "답변 보기", "show answer"})


def language_or_default(language: str | None) -> str:
    """``language`` when the channel speaks it, else Korean."""
    return language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def text(key: str, language: str | None, **values: object) -> str:
    """The channel's text ``key`` in ``language`` (Korean for anything else)."""
    template = _TEXTS[key][language_or_default(language)]
    return template.format(**values) if values else template


def menu(language: str | None) -> List[Tuple[str, str]]:
    """The menu choices (title, payload) in ``language``."""
    return list(_MENU[language_or_default(language)])


def is_more_request(utterance: str) -> bool:
    """True when ``utterance`` is one of the words that ask for the rest of an answer."""
    return " ".join(utterance.split()).lower() in MORE_WORDS
