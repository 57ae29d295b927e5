"""A greeting in front of a request: "안녕하세요~ 전입신고 하려는데 어디로 가요".

Citizens often open with a greeting and ask in the same message. Classified
as a whole, such a message can come out as ``greet`` (the greeting's words are
the strongest evidence), and the bot would greet back and drop the question.
:func:`request_after_greeting` finds where the request starts, so the intent
classifier can classify that part on its own and answer the request instead.
"""

from __future__ import annotations

import re
from typing import Optional

# A greeting at the very start, then punctuation or spaces. Korean and English,
# in the spellings citizens type (안녕하세여, 안뇽, 하이, hii, good morning).
_LEADING_GREETING = re.compile(
    r"\s*(?:"
    r"안녕하(?:세요|세여|세용|셔요|십니까)|안녕|안뇽(?:하세요)?|안냐세요|하이(?:요)?|헬로우?|"
    r"반갑습니다|반가워요|좋은\s*(?:아침|오후|저녁)(?:이에요|입니다)?|굿모닝|여보세요|저기요|수고하십니다|수고하세요|"
    r"hi+|hello+|hey+|hiya|howdy|greetings|good\s+(?:morning|afternoon|evening|day)"
    r")(?=[\s,.!~?:;)\-]|$)[\s,.!~?:;)\-]*",
    re.IGNORECASE,
)

# What must follow the greeting to count as a request of its own: at least
# two words and this many letters or digits ("assistant" in "good morning
# assistant" is still part of the greeting; "여권 수수료 얼마예요" is not).
MINIMUM_REQUEST_CHARACTERS = 6


def request_after_greeting(text: str) -> Optional[int]:
    """The offset where a request starts after a leading greeting, or None when
    the text does not start with a greeting or nothing substantial follows it."""
    start = 0
    while match := _LEADING_GREETING.match(text, start):  # "hi 안녕하세요, ..." greets twice
        if match.end() == start:
            break
        start = match.end()
    rest = text[start:]
    if start == 0 or len(rest.split()) < 2 or sum(c.isalnum() for c in rest) < MINIMUM_REQUEST_CHARACTERS:
        return None
    return start
