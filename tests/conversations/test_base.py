"""The base conversation, in Korean and English, through the trained model.

Runs the model in-process (``Agent.handle_text``) with the real action server.
"""

import uuid

import pytest

from tests.support.conversation import buttons, say, texts

pytestmark = pytest.mark.stack


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


MENU_PAYLOADS = {"/ask_service_overview", "/check_application_status", "/find_benefits"}


@pytest.mark.parametrize(
    ("message", "expected"),
    [("안녕하세요", "안녕하세요! 정부 민원 안내 도우미"), ("hello", "Hello! I'm the government services assistant")],
)
async def test_greeting_in_the_citizens_language(rasa_agent, message: str, expected: str) -> None:
    reply = await say(rasa_agent, new_sender(), message)
    assert expected in texts(reply)
    assert {b["payload"] for b in buttons(reply)} == MENU_PAYLOADS


@pytest.mark.parametrize(
    ("message", "title"),
    [("뭐 할 수 있어요?", "내 민원 처리 상태 확인"), ("what can you do?", "Check my application status")],
)
async def test_help_lists_the_three_capabilities_with_buttons(rasa_agent, message: str, title: str) -> None:
    reply = await say(rasa_agent, new_sender(), message)
    assert {b["payload"] for b in buttons(reply)} == MENU_PAYLOADS
    assert title in [b["title"] for b in buttons(reply)]


async def test_switching_to_english_holds_for_the_rest_of_the_conversation(rasa_agent) -> None:
    sender = new_sender()
    assert "English" in texts(await say(rasa_agent, sender, "영어로 해주세요"))
    later = await say(rasa_agent, sender, "안녕하세요")
    assert "Hello!" in texts(later)
    assert "안녕하세요!" not in texts(later)


async def test_switching_to_korean_holds_for_the_rest_of_the_conversation(rasa_agent) -> None:
    sender = new_sender()
    assert "한국어로" in texts(await say(rasa_agent, sender, "switch to Korean"))
    assert "안녕하세요!" in texts(await say(rasa_agent, sender, "hello"))


async def test_language_follows_each_message_until_chosen(rasa_agent) -> None:
    sender = new_sender()
    assert "안녕하세요!" in texts(await say(rasa_agent, sender, "안녕하세요"))
    assert "Hello!" in texts(await say(rasa_agent, sender, "hi there"))


@pytest.mark.parametrize(
    ("message", "expected"),
    [("너 사람이야?", "자동 응답 챗봇"), ("are you a robot?", "automated assistant")],
)
async def test_bot_challenge_says_it_is_automated(rasa_agent, message: str, expected: str) -> None:
    assert expected in texts(await say(rasa_agent, new_sender(), message))


@pytest.mark.parametrize(
    ("message", "expected"),
    [("상담원 연결해 주세요", "110"), ("I want to talk to a real person", "110")],
)
async def test_handoff_gives_the_call_centre(rasa_agent, message: str, expected: str) -> None:
    reply = texts(await say(rasa_agent, new_sender(), message))
    assert expected in reply
    assert "09:00" in reply or "9:00" in reply


@pytest.mark.parametrize(
    ("message", "expected"),
    [("오늘 서울 날씨 어때요?", "답변드리기 어려워요"), ("tell me a joke", "outside what I can help with")],
)
async def test_out_of_scope_is_refused_with_the_menu(rasa_agent, message: str, expected: str) -> None:
    reply = await say(rasa_agent, new_sender(), message)
    assert expected in texts(reply)
    assert {b["payload"] for b in buttons(reply)} == MENU_PAYLOADS


@pytest.mark.parametrize(
    ("message", "expected"),
    [("감사합니다", "천만에요"), ("thanks a lot", "You're welcome"), ("안녕히 계세요", "감사합니다"), ("bye", "Have a good day")],
)
async def test_thanks_and_goodbye(rasa_agent, message: str, expected: str) -> None:
    assert expected in texts(await say(rasa_agent, new_sender(), message))


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("제 주민번호는 900101-1234567이에요", "주민등록번호는 여기에 입력하지 마세요"),
        ("my resident registration number is 900101-1234567", "Please don't share your resident registration number"),
    ],
)
async def test_resident_number_gets_a_warning(rasa_agent, message: str, expected: str) -> None:
    assert expected in texts(await say(rasa_agent, new_sender(), message))


@pytest.mark.parametrize("message", ["", "😀😀😀", "\x00\x01\x02\x03", "<script>alert(1)</script>", "' OR 1=1; --"])
async def test_odd_input_gets_an_answer(rasa_agent, message: str) -> None:
    reply = await say(rasa_agent, new_sender(), message)
    assert texts(reply).strip(), f"no reply to {message!r}"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("안녕하세요~ 전입신고 하려는데 어디로 가요", "행정복지센터"),
        ("안녕하세요 기초연금 신청하고 싶어요", "기초연금 신청 방법"),
        ("hi, i am foreigner, how i extend my visa", "Extension of period of stay"),
    ],
)
async def test_a_greeting_in_front_of_a_question_gets_the_question_answered(
    rasa_agent, message: str, expected: str
) -> None:
    reply = texts(await say(rasa_agent, new_sender(), message))
    assert expected in reply, reply
