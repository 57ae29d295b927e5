"""Where the request starts after a leading greeting."""

from typing import Optional

import pytest

from nlu.components.greeting_prefix import request_after_greeting


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("안녕하세요~ 전입신고 하려는데 어디로 가요", "전입신고 하려는데 어디로 가요"),
        ("안녕하세요 기초연금 신청하고 싶어요", "기초연금 신청하고 싶어요"),
        ("hi, i am foreigner, how i extend my visa", "i am foreigner, how i extend my visa"),
        ("Hello! how much is a passport", "how much is a passport"),
        ("hi 안녕하세요, 여권 수수료 얼마예요", "여권 수수료 얼마예요"),
        ("good morning. i lost my job", "i lost my job"),
    ],
)
def test_the_request_after_a_greeting_is_found(text: str, asked: str) -> None:
    start = request_after_greeting(text)
    assert start is not None and text[start:] == asked


@pytest.mark.parametrize(
    "text",
    ["안녕하세요", "hello hello", "hello, good morning", "good morning assistant", "hi there", "안녕하세요 반갑습니다",
     "hiking trails near seoul", "하이킹 코스 알려줘요", "여권 수수료 얼마예요", ""],
)
def test_no_request_without_a_greeting_or_after_a_greeting_alone(text: str) -> None:
    found: Optional[int] = request_after_greeting(text)
    assert found is None
