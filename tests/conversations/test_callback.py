"""Call-back requests (issue 18, item 1) through the trained model, in both languages.

The model runs in-process with the real action server on a seeded database
with no agent on duty, so a handoff always ends with today's answer and the
offer of a call-back (reason ``out_of_hours`` or ``no_agent`` depending on the
hour the test runs at, computed here the same way).
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from sqlalchemy import select

from core.db import create_project_engine, session_scope
from records.callback_models import CallbackRequest
from records.callbacks import RETENTION_DAYS
from tests.support.conversation import buttons, say, texts

pytestmark = pytest.mark.stack

FORM_SLOTS = ("callback_consent", "callback_phone", "callback_message", "callback_reason", "callback_agency")


def new_sender() -> str:
    return f"test-cb-{uuid.uuid4().hex[:12]}"


def expected_reason() -> str:
    """What the action server decides for a handoff now, with nobody on duty."""
    from actions.handoff import configured_agent_hours
    from actions.office_hours import availability

    return "no_agent" if availability(configured_agent_hours(), datetime.now(timezone.utc)).open_now else "out_of_hours"


def requests() -> List[Tuple[Any, ...]]:
    """Every call-back request in the action server's database, oldest first."""
    engine = create_project_engine(os.environ["DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            rows = session.execute(select(CallbackRequest).order_by(CallbackRequest.id)).scalars().all()
            return [(r.id, r.reason, r.agency_id, r.language, r.channel, r.message, r.phone_sealed) for r in rows]
    finally:
        engine.dispose()


async def slots_and_loop(agent, sender: str) -> Tuple[Dict[str, Any], Optional[str]]:  # type: ignore[no-untyped-def]
    tracker = await agent.tracker_store.retrieve(sender)
    return {name: tracker.get_slot(name) for name in FORM_SLOTS}, tracker.active_loop_name


def payloads(messages: List[Dict[str, Any]]) -> List[str]:
    return [b["payload"] for b in buttons(messages)]


@pytest.mark.parametrize(("language", "ask_person", "consent_words", "booked_words", "message", "kept"), [
    ("ko", "상담원 연결해 주세요", ["개인정보 수집·이용 동의", "전화 상담 회신", f"{RETENTION_DAYS}일 후 파기", "거부하실 수 있어요"],
     ["전화 상담 예약을 접수했어요", "정부민원안내콜센터", "6789", f"{RETENTION_DAYS}일 후 파기"],
     "오후 두 시 이후가 편해요", "오후 두 시 이후가 편해요"),
    ("en", "talk to a person", ["Consent to the collection and use of personal information", "You may refuse",
                                f"{RETENTION_DAYS} days, then deleted"],
     ["call-back request is booked", "Government Call Centre", "6789", f"deleted after {RETENTION_DAYS} days"],
     "/skip", ""),
])
async def test_handoff_button_consent_phone_message_confirmation_and_a_sealed_row(
    rasa_agent, language: str, ask_person: str, consent_words: List[str], booked_words: List[str],
    message: str, kept: str,
) -> None:
    sender = new_sender()
    before = requests()
    handoff = await say(rasa_agent, sender, ask_person)
    assert "110" in texts(handoff)
    assert "/request_callback" in payloads(handoff)

    notice = await say(rasa_agent, sender, "/request_callback")
    for words in consent_words:
        assert words in texts(notice), words
    assert payloads(notice) == ["/affirm", "/deny"]

    ask_phone = texts(await say(rasa_agent, sender, "/affirm"))
    assert "010-1234-5678" in ask_phone
    ask_message = await say(rasa_agent, sender, "010-2345-6789")
    assert "/skip" in payloads(ask_message)
    booked = texts(await say(rasa_agent, sender, message))
    for words in booked_words:
        assert words in booked, (words, booked)
    assert "010-2345" not in booked

    after = requests()
    assert len(after) == len(before) + 1
    _, reason, agency, stored_language, channel, stored_message, sealed = after[-1]
    assert (reason, agency, stored_language, stored_message) == (expected_reason(), None, language, kept)
    assert "2345" not in sealed and "6789" not in sealed and sealed.startswith("gAAAAA")  # a Fernet token
    slots, loop = await slots_and_loop(rasa_agent, sender)
    assert loop is None and all(value is None for value in slots.values()), slots


async def test_a_typed_request_reaches_the_form_and_refusing_consent_stores_nothing(rasa_agent) -> None:
    sender = new_sender()
    before = requests()
    notice = texts(await say(rasa_agent, sender, "콜백 신청할게요"))
    assert "개인정보 수집·이용 동의" in notice
    declined = texts(await say(rasa_agent, sender, "/deny"))
    assert "저장하지도 않았어요" in declined and "전화번호를 알려" not in declined
    assert requests() == before
    slots, loop = await slots_and_loop(rasa_agent, sender)
    assert loop is None and all(value is None for value in slots.values())


async def test_call_me_back_typed_in_english_and_refused_in_words(rasa_agent) -> None:
    sender = new_sender()
    before = requests()
    notice = texts(await say(rasa_agent, sender, "call me back please"))
    assert "Do you agree?" in notice
    declined = texts(await say(rasa_agent, sender, "no, I don't agree"))
    assert "no call-back" in declined
    assert requests() == before


@pytest.mark.parametrize(("start", "cancel", "stopped"), [
    ("전화 상담 예약", "취소", "취소"),
    ("call me back", "cancel", "cancel"),
])
async def test_cancel_in_the_middle_leaves_the_form(rasa_agent, start: str, cancel: str, stopped: str) -> None:
    sender = new_sender()
    before = requests()
    await say(rasa_agent, sender, start)
    await say(rasa_agent, sender, "/affirm")
    reply = await say(rasa_agent, sender, cancel)
    assert reply, "cancel got no answer"
    slots, loop = await slots_and_loop(rasa_agent, sender)
    assert loop is None and all(value is None for value in slots.values())
    assert requests() == before
    # the next message is an ordinary one again, not a phone number
    assert "010-1234-5678" not in texts(await say(rasa_agent, sender, "안녕하세요" if start != "call me back" else "hello"))


@pytest.mark.parametrize(("start", "question", "left", "answered"), [
    ("전화 상담 예약", "여권 재발급 수수료 얼마예요?", "전화 상담 예약은 여기서 멈추고", "여권"),
    ("call me back", "how much does a passport reissue cost?", "stopped the call-back request", "assport"),
])
async def test_a_service_question_mid_form_leaves_it_and_is_answered(
    rasa_agent, start: str, question: str, left: str, answered: str
) -> None:
    sender = new_sender()
    await say(rasa_agent, sender, start)
    await say(rasa_agent, sender, "/affirm")
    reply = texts(await say(rasa_agent, sender, question))
    assert left in reply and answered in reply, reply
    slots, loop = await slots_and_loop(rasa_agent, sender)
    assert loop is None and slots["callback_consent"] is None


async def test_a_resident_number_as_the_phone_is_refused_never_kept_and_stored_masked(
    rasa_agent, tmp_path: Path
) -> None:
    from core.tracker_store import MaskingSQLTrackerStore

    sender = new_sender()
    await say(rasa_agent, sender, "전화 상담 예약")
    await say(rasa_agent, sender, "/affirm")
    warned = texts(await say(rasa_agent, sender, "900101-1234567"))
    assert "주민등록번호로 보여요" in warned and "1234567" not in warned
    slots, loop = await slots_and_loop(rasa_agent, sender)
    assert loop == "callback_form" and slots["callback_phone"] is None
    # still asking for the number: a real one goes through
    assert "/skip" in payloads(await say(rasa_agent, sender, "010-2345-6789"))
    tracker = await rasa_agent.tracker_store.retrieve(sender)
    store = MaskingSQLTrackerStore(domain=rasa_agent.domain, host=f"sqlite:///{tmp_path / 'tracker.db'}",
                                   seal_secret=b"test pepper")
    await store.save(tracker)
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        stored = " ".join(row[0] for row in db.execute("SELECT data FROM events"))
    # (digits alone could be part of a stored confidence figure: look for the numbers' shapes)
    assert "-1234567" not in stored and "900101" not in stored
    assert "2345-6789" not in stored and "23456789" not in stored
    await say(rasa_agent, sender, "취소")
