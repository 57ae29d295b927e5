"""The application-status check through the trained model, started in the ways
citizens start it. Runs the model in-process with the real action server."""

import uuid

import pytest

from tests.support.conversation import say, texts

pytestmark = pytest.mark.stack

ASK_BIRTH_DATE = {"ko": "본인 확인을 위해 신청인의 생년월일", "en": "please type the applicant's date of birth"}
CANCELLED = {"ko": "처리 상태 조회를 취소했어요", "en": "I've stopped the status check"}


def new_sender() -> str:
    return f"status-{uuid.uuid4().hex[:12]}"


async def test_an_application_number_on_its_own_starts_the_check_in_korean(rasa_agent) -> None:
    sender = new_sender()
    reply = texts(await say(rasa_agent, sender, "2026-0012347"))
    assert ASK_BIRTH_DATE["ko"] in reply, reply
    assert CANCELLED["ko"] in texts(await say(rasa_agent, sender, "취소할게요"))


async def test_an_application_number_on_its_own_starts_the_check_in_english(rasa_agent) -> None:
    sender = new_sender()
    await say(rasa_agent, sender, "hello")
    reply = texts(await say(rasa_agent, sender, "2026-0012347"))
    assert ASK_BIRTH_DATE["en"] in reply, reply
    assert CANCELLED["en"] in texts(await say(rasa_agent, sender, "cancel"))


async def test_a_bare_number_with_a_wrong_check_digit_is_explained(rasa_agent) -> None:
    reply = texts(await say(rasa_agent, new_sender(), "2026-0012345"))
    assert "접수번호의 마지막 자리가 맞지 않아요" in reply, reply
