"""Notices on KakaoTalk through the Event API, against the fake Kakao server of
the channel tests: the notice event carries the text and the notice id; a 429
pauses the channel and loses nothing; a refused event is a failure."""

from __future__ import annotations

import time

import aiohttp
from sqlalchemy import select

from applications.statuses import ApplicationStatus
from channels.kakao.outbound import NOTICE_EVENT, EventApiClient
from core.db import session_scope
from records.models import Notice
from records.notifier import Notifier, NotifierConfig
from records.notifier_senders import KakaoSender
from tests.channels.kakao.conftest import BOT_ID, REST_API_KEY, FakeKakao
from tests.records.notice_support import Clock, DaytimeClock, add_app, application_id, move, new_engine

FAST = NotifierConfig(idle_seconds=0.05, backoff_seconds=0.2, lease_seconds=5.0)


def subscribe_kakao(engine, number: str, user_key: str, language: str) -> None:
    from records.notices import subscribe
    from tests.records.notice_support import START

    with session_scope(engine) as session:
        subscribe(session, application_id=application_id(engine, number), channel="kakao",
                  recipient=f"kakao:{user_key}", language=language, now=START)


async def test_a_notice_is_a_kakao_event_with_its_text_and_id(tmp_path):
    engine = new_engine(tmp_path)
    clock = Clock()
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    subscribe_kakao(engine, number, "bu-user-1", "ko")
    move(engine, number, ApplicationStatus.COMPLETED, now=clock.now)
    kakao = FakeKakao()
    await kakao.start()
    session = aiohttp.ClientSession()
    try:
        client = EventApiClient(session, REST_API_KEY, BOT_ID, kakao.base_url)
        notifier = Notifier(engine, {"kakao": KakaoSender(client)}, clock=clock, config=FAST)
        result = await notifier.run(until_idle=True)
        assert result.sent == 1
        (event,) = kakao.events
        with session_scope(engine) as db:
            notice = db.execute(select(Notice)).scalar_one()
        assert event.body["event"]["name"] == NOTICE_EVENT
        assert event.body["user"] == [{"type": "botUserKey", "id": "bu-user-1"}]
        data = event.body["event"]["data"]
        assert data["notice_id"] == str(notice.id)
        assert data["text"].startswith("[민원 알림]") and "처리가 끝났어요" in data["text"]
        assert number not in data["text"]
    finally:
        await session.close()
        await kakao.close()


async def test_kakao_429_pauses_the_channel_and_a_refusal_fails(tmp_path):
    engine = new_engine(tmp_path)
    clock = DaytimeClock()
    first = add_app(engine, status=ApplicationStatus.IN_REVIEW, now=clock())
    subscribe_kakao(engine, first, "bu-user-2", "en")
    move(engine, first, ApplicationStatus.APPROVED, now=clock())
    kakao = FakeKakao()
    kakao.event_answers = [(429, {"status": "FAIL", "message": "too many requests"}),
                           (400, {"status": "FAIL", "message": "event block not found"})]
    await kakao.start()
    session = aiohttp.ClientSession()
    try:
        client = EventApiClient(session, REST_API_KEY, BOT_ID, kakao.base_url)
        notifier = Notifier(engine, {"kakao": KakaoSender(client, rate_limit_pause=0.5)}, clock=clock, config=FAST)
        started = time.monotonic()
        result = await notifier.run(until_idle=True)
        assert time.monotonic() - started >= 0.5
        assert (result.rate_limited, result.failed, result.sent) == (1, 1, 0)
        with session_scope(engine) as db:
            notice = db.execute(select(Notice)).scalar_one()
            assert notice.state == "failed" and "event block not found" in notice.last_error
        assert len(kakao.events) == 2
    finally:
        await session.close()
        await kakao.close()
