"""Opting in and out in a real conversation (issue 20): the trained model
(``rasa_agent``, with the real action server and its seeded database) behind
the Telegram channel, the Bot API faked. A citizen checks a status, taps
"네, 알려 주세요", a clerk moves the application, the notifier delivers the
notice in Korean; "알림 끄기" stops the notices."""

from __future__ import annotations

import os
import random
import uuid
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import aiohttp
from rasa.core.channels.channel import register
from sanic import Sanic
from sqlalchemy import select

from applications.hashing import BirthDateHasher, load_pepper
from applications.repository import add_application, default_handling
from applications.statuses import ApplicationStatus
from channels.telegram import TelegramInput
from channels.telegram.api import build_bot
from core.db import get_engine, session_scope
from core.settings import get_settings
from records.models import NoticeSubscription
from records.notifier import Notifier, NotifierConfig
from records.notifier_senders import TelegramSender
from tests.channels.serving import start_sanic, stop_sanic
from tests.records.notice_support import (
    BIRTH,
    WEBHOOK_SECRET,
    DaytimeClock,
    FakeBotApi,
    ServedChannel,
    Updates,
    move,
)


def _shared_database():
    """The action server's database and the key its birth-date hashes use."""
    url = os.environ["DATABASE_URL"]
    env = dict(os.environ)
    if url.startswith("sqlite:///"):
        env.setdefault("ASSISTANT_VAR_DIR", str(Path(url[len("sqlite:///"):]).parent))
    return get_engine(url), BirthDateHasher(load_pepper(get_settings(env)))


def _new_application(engine, hasher) -> str:
    """A fresh application of this test's own, so shared sample data stays as it is."""
    with session_scope(engine) as session:
        application = add_application(
            session, service_id="passport_reissue", birth_date=date.fromisoformat(BIRTH),
            handling=default_handling("passport_reissue"), hasher=hasher,
            now=DaytimeClock()(), created_by="notice-test",
        )
        return application.number


async def test_a_citizen_opts_in_on_telegram_gets_the_notice_and_opts_out(rasa_agent):
    engine, hasher = _shared_database()
    number = _new_application(engine, hasher)
    api = FakeBotApi()
    await api.start()
    channel = TelegramInput(api.token, WEBHOOK_SECRET, api.base_url)
    app = Sanic(f"notice_test_{uuid.uuid4().hex}")
    app.ctx.agent = SimpleNamespace(handle_message=rasa_agent.handle_message)
    register([channel], app, route="/webhooks/")
    server, port = await start_sanic(app)
    served = ServedChannel(app, port, aiohttp.ClientSession(), server)
    updates = Updates()
    chat = random.randint(10**8, 10**9)
    try:
        await served.post_update(updates.text(chat, number, "ko"))
        await served.post_update(updates.text(chat, BIRTH, "ko"))
        offer = [m for m in api.results_of("sendMessage") if m["chat"]["id"] == chat and "reply_markup" in m][-1]
        assert offer["text"].startswith("상태가 바뀌면 알려 드릴까요?")
        yes = offer["reply_markup"]["inline_keyboard"][0][0]
        assert (yes["text"], yes["callback_data"]) == ("네, 알려 주세요", "/subscribe_notices")

        status, _ = await served.post_update(updates.callback(offer, yes["callback_data"], "ko"))
        assert status == 200
        assert api.sent_texts(chat)[-1].startswith("알림을 신청했어요.")
        with session_scope(engine) as session:
            subscription = session.execute(
                select(NoticeSubscription).where(NoticeSubscription.recipient == f"telegram:{chat}")
            ).scalar_one()
            assert (subscription.channel, subscription.language, subscription.ended_at) == ("telegram", "ko", None)

        clock = DaytimeClock()
        move(engine, number, ApplicationStatus.IN_REVIEW, now=clock())
        notifier = Notifier(engine, {"telegram": TelegramSender(build_bot(api.token, api.base_url))}, clock=clock,
                            config=NotifierConfig(idle_seconds=0.05))
        result = await notifier.run_once()
        await notifier.close()
        assert result.sent >= 1
        notice = api.sent_texts(chat)[-1]
        assert notice.startswith("[민원 알림]") and "'처리중'으로 바뀌었어요" in notice
        assert number[-4:] in notice and number not in notice

        await served.post_update(updates.text(chat, "알림 끄기", "ko"))
        assert api.sent_texts(chat)[-1].startswith("알림을 껐어요.")
        with session_scope(engine) as session:
            ended = session.execute(
                select(NoticeSubscription.end_reason).where(NoticeSubscription.recipient == f"telegram:{chat}")
            ).scalar_one()
        assert ended == "cancelled"
    finally:
        await served.session.close()
        await stop_sanic(server)
        await channel.aclose()
        await api.close()


async def test_an_english_citizen_stops_notices_with_the_button_under_a_notice(rasa_agent):
    engine, hasher = _shared_database()
    number = _new_application(engine, hasher)
    api = FakeBotApi()
    await api.start()
    channel = TelegramInput(api.token, WEBHOOK_SECRET, api.base_url)
    app = Sanic(f"notice_test_{uuid.uuid4().hex}")
    app.ctx.agent = SimpleNamespace(handle_message=rasa_agent.handle_message)
    register([channel], app, route="/webhooks/")
    server, port = await start_sanic(app)
    served = ServedChannel(app, port, aiohttp.ClientSession(), server)
    updates = Updates()
    chat = random.randint(10**8, 10**9)
    try:
        await served.post_update(updates.text(chat, f"What is the status of {number}?", "en"))
        await served.post_update(updates.text(chat, "March 12, 1985", "en"))
        offer = [m for m in api.results_of("sendMessage") if m["chat"]["id"] == chat and "reply_markup" in m][-1]
        assert offer["text"].startswith("Shall I tell you when this changes?")
        await served.post_update(updates.callback(offer, "/subscribe_notices", "en"))
        assert api.sent_texts(chat)[-1].startswith("Done. I'll tell you here when the status changes")

        clock = DaytimeClock()
        notifier = Notifier(engine, {"telegram": TelegramSender(build_bot(api.token, api.base_url))}, clock=clock,
                            config=NotifierConfig(idle_seconds=0.05))
        move(engine, number, ApplicationStatus.IN_REVIEW, now=clock())
        await notifier.run_once()
        notice = [m for m in api.results_of("sendMessage") if m["chat"]["id"] == chat][-1]
        assert notice["text"].startswith("[Application notice]") and "is now in review" in notice["text"]
        stop = notice["reply_markup"]["inline_keyboard"][1][0]
        assert (stop["text"], stop["callback_data"]) == ("Stop notifications", "/unsubscribe_notices")
        await served.post_update(updates.callback(notice, stop["callback_data"], "en"))
        assert api.sent_texts(chat)[-1].startswith("Notifications are off.")

        sent_before = len(api.sent_texts(chat))
        move(engine, number, ApplicationStatus.REJECTED, now=clock(), reason_ko="서류 미비", reason_en="Missing papers")
        await notifier.run_once()
        await notifier.close()
        assert len(api.sent_texts(chat)) == sent_before  # opted out: no notice of the rejection
    finally:
        await served.session.close()
        await stop_sanic(server)
        await channel.aclose()
        await api.close()
