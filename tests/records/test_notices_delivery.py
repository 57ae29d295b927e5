"""The notifier against the local fake Telegram Bot API (issue 20): a citizen
opts in after a status check, a clerk moves the application, and the notice
arrives in the citizen's language; opting out stops it; quiet hours hold a
notice until 08:00; deadline reminders go out at their time; a 429 slows
delivery and loses nothing; a notifier killed in the middle of a batch and
started again delivers every notice exactly once."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any, Dict

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.notices import ActionSubscribeNotices, ActionUnsubscribeNotices
from actions.status import ActionCheckApplicationStatus
from applications.models import Application
from applications.statuses import ApplicationStatus
from channels.telegram.api import build_bot
from core.db import session_scope
from records.cli import main as records_cli
from records.models import Notice, NoticeDelivery, NoticeSubscription
from records.notice_offers import offer_key
from records.notifier import Notifier, NotifierConfig
from records.notifier_senders import TelegramSender
from tests.records.notice_support import (
    BIRTH,
    HASHER,
    PEPPER,
    PROJECT_ROOT,
    START,
    Clock,
    DaytimeClock,
    FakeBotApi,
    add_app,
    move,
    new_engine,
    subscribe_chat,
    tracker,
)

FAST = NotifierConfig(idle_seconds=0.05, backoff_seconds=0.2, lease_seconds=5.0)


async def started_fake() -> Any:
    api = FakeBotApi()
    await api.start()
    return api


def notifier(engine, api, clock, config: NotifierConfig = FAST) -> Notifier:
    return Notifier(engine, {"telegram": TelegramSender(build_bot(api.token, api.base_url))}, clock=clock,
                    config=config)


def states(engine) -> Counter:
    with session_scope(engine) as session:
        return Counter(session.execute(select(Notice.state)).scalars())


async def opt_in(engine, clock, sender: str, number: str, language: str) -> Dict[str, Any]:
    """The conversation: a verified status check on Telegram, the offer, the yes."""
    check = ActionCheckApplicationStatus(engine_factory=lambda: engine, clock=clock, hasher_factory=lambda: HASHER)
    dispatcher = CollectingDispatcher()
    slots = {"application_number": number, "birth_date": BIRTH}
    events = await check.run(dispatcher, tracker(sender, "telegram", language, slots), {})
    offer = dispatcher.messages[-1]
    token = next(e["value"] for e in events if e.get("name") == "notice_offer")
    subscribe_action = ActionSubscribeNotices(
        engine_factory=lambda: engine, clock=clock, key_factory=lambda: offer_key(PEPPER)
    )
    answer = CollectingDispatcher()
    await subscribe_action.run(answer, tracker(sender, "telegram", language, {"notice_offer": token}), {})
    return {"offer": offer, "answer": answer.messages[0]}


async def test_opt_in_then_a_staff_move_brings_the_notice_in_the_citizens_language(tmp_path):
    engine = new_engine(tmp_path)
    clock = Clock()
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    api = await started_fake()
    try:
        talk = await opt_in(engine, clock, "telegram:7001", number, "en")
        assert talk["offer"]["utter_action"] == "utter_notice_offer"
        assert talk["offer"]["text"].startswith("Shall I tell you when this changes?")
        assert [b["payload"] for b in talk["offer"]["buttons"]] == ["/subscribe_notices", "/deny"]
        assert talk["answer"]["utter_action"] == "utter_notice_subscribed"
        with session_scope(engine) as session:
            subscription = session.execute(select(NoticeSubscription)).scalar_one()
            assert (subscription.channel, subscription.recipient, subscription.language) == (
                "telegram", "telegram:7001", "en")
            assert subscription.consented_at == START

        clock.now = START + timedelta(hours=2)
        move(engine, number, ApplicationStatus.SUPPLEMENT_REQUESTED, now=clock.now, deadline=date(2026, 6, 15))
        sender = notifier(engine, api, clock)
        result = await sender.run(until_idle=True)
        await sender.close()
        assert result.sent == 1
        (call,) = api.calls_to("sendMessage")
        assert call["chat_id"] == 7001
        assert call["text"].startswith("[Application notice] The office asks for more documents")
        assert number[-4:] in call["text"] and number not in call["text"] and "15 June 2026" in call["text"]
        assert "Passport" not in call["text"]  # no service, no personal detail
        buttons = [row[0]["callback_data"] for row in call["reply_markup"]["inline_keyboard"]]
        assert buttons == ["/check_application_status", "/unsubscribe_notices"]
        assert states(engine) == Counter({"sent": 1, "pending": 2})  # two reminders wait for their day
    finally:
        await api.close()


async def test_a_korean_citizen_gets_the_notice_in_korean(tmp_path):
    engine = new_engine(tmp_path)
    clock = Clock()
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    api = await started_fake()
    try:
        talk = await opt_in(engine, clock, "telegram:7002", number, "ko")
        assert talk["offer"]["text"].startswith("상태가 바뀌면 알려 드릴까요?")
        move(engine, number, ApplicationStatus.APPROVED, now=clock.now)
        sender = notifier(engine, api, clock)
        await sender.run(until_idle=True)
        await sender.close()
        (text,) = api.sent_texts(7002)
        assert text.startswith("[민원 알림]") and "승인되었어요" in text
    finally:
        await api.close()


async def test_opting_out_stops_the_notices(tmp_path):
    engine = new_engine(tmp_path)
    clock = Clock()
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    api = await started_fake()
    try:
        await opt_in(engine, clock, "telegram:7003", number, "ko")
        move(engine, number, ApplicationStatus.SUPPLEMENT_REQUESTED, now=clock.now)
        stop = CollectingDispatcher()
        action = ActionUnsubscribeNotices(engine_factory=lambda: engine, clock=clock)
        await action.run(stop, tracker("telegram:7003", "telegram", "ko", intent="unsubscribe_notices"), {})
        assert stop.messages[0]["utter_action"] == "utter_notice_unsubscribed"
        assert stop.messages[0]["text"].startswith("알림을 껐어요.")
        move(engine, number, ApplicationStatus.IN_REVIEW, now=clock.now)
        sender = notifier(engine, api, clock)
        await sender.run(until_idle=True)
        await sender.close()
        assert api.calls_to("sendMessage") == []
        assert states(engine) == Counter({"cancelled": 3})  # the status notice and its two reminders
        again = CollectingDispatcher()
        await action.run(again, tracker("telegram:7003", "telegram", "ko"), {})
        assert again.messages[0]["utter_action"] == "utter_notice_nothing_to_stop"
    finally:
        await api.close()


async def test_quiet_hours_hold_a_notice_until_eight_korea_time(tmp_path):
    engine = new_engine(tmp_path)
    evening = datetime(2026, 6, 1, 13, 30)  # 22:30 KST
    clock = Clock(evening)
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW, now=evening)
    subscribe_chat(engine, number, 7004, now=evening)
    move(engine, number, ApplicationStatus.APPROVED, now=evening)
    api = await started_fake()
    try:
        sender = notifier(engine, api, clock)
        first = await sender.run_once()
        assert (first.claimed, first.held, first.sent) == (1, 1, 0)
        with session_scope(engine) as session:
            notice = session.execute(select(Notice)).scalar_one()
            assert (notice.state, notice.due_at) == ("pending", datetime(2026, 6, 1, 23, 0))  # 08:00 KST
            assert session.execute(select(NoticeDelivery.outcome)).scalars().all() == ["held"]
        clock.now = datetime(2026, 6, 1, 22, 59)  # 07:59 KST
        assert (await sender.run_once()).claimed == 0
        clock.now = datetime(2026, 6, 1, 23, 0)
        assert (await sender.run_once()).sent == 1
        await sender.close()
        assert len(api.sent_texts(7004)) == 1
    finally:
        await api.close()


async def test_a_citizen_who_allows_night_messages_gets_them_at_once(tmp_path):
    engine = new_engine(tmp_path)
    night = datetime(2026, 6, 1, 16, 0)  # 01:00 KST
    clock = Clock(night)
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW, now=night)
    subscribe_chat(engine, number, 7005, now=night, quiet_hours=False)
    move(engine, number, ApplicationStatus.APPROVED, now=night)
    api = await started_fake()
    try:
        sender = notifier(engine, api, clock)
        assert (await sender.run_once()).sent == 1
        await sender.close()
    finally:
        await api.close()


async def test_deadline_reminders_arrive_three_days_and_one_day_before(tmp_path):
    engine = new_engine(tmp_path)
    clock = Clock()
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    subscribe_chat(engine, number, 7006, "en")
    move(engine, number, ApplicationStatus.SUPPLEMENT_REQUESTED, now=clock.now, deadline=date(2026, 6, 15))
    api = await started_fake()
    try:
        sender = notifier(engine, api, clock)
        await sender.run(until_idle=True)
        assert len(api.sent_texts(7006)) == 1  # the supplement request itself
        clock.now = datetime(2026, 6, 11, 23, 59)  # 08:59 KST on 12 June
        assert (await sender.run_once()).sent == 0
        clock.now = datetime(2026, 6, 12, 0, 0)  # 09:00 KST, 3 days before
        assert (await sender.run_once()).sent == 1
        assert api.sent_texts(7006)[-1].startswith("[Deadline reminder] 3 days left")
        clock.now = datetime(2026, 6, 14, 0, 0)
        assert (await sender.run_once()).sent == 1
        assert api.sent_texts(7006)[-1].startswith("[Deadline reminder] 1 day left")
        assert "15 June 2026" in api.sent_texts(7006)[-1]
        await sender.close()
    finally:
        await api.close()


async def test_a_corrected_deadline_moves_the_reminders(tmp_path):
    engine = new_engine(tmp_path)
    clock = Clock()
    number = add_app(engine, status=ApplicationStatus.SUPPLEMENT_REQUESTED)  # deadline 15 June
    subscribe_chat(engine, number, 7007)
    move(engine, number, ApplicationStatus.SUPPLEMENT_REQUESTED, now=clock.now, deadline=date(2026, 6, 20))
    with session_scope(engine) as session:
        reminders = session.execute(
            select(Notice.deadline, Notice.state).where(Notice.kind == "reminder").order_by(Notice.id)
        ).all()
    assert reminders == [
        (date(2026, 6, 15), "cancelled"), (date(2026, 6, 15), "cancelled"),
        (date(2026, 6, 20), "pending"), (date(2026, 6, 20), "pending"),
    ]
    api = await started_fake()
    try:
        clock.now = datetime(2026, 6, 12, 0, 0)  # the old 3-day reminder's time
        sender = notifier(engine, api, clock)
        await sender.run(until_idle=True)
        await sender.close()
        texts = api.sent_texts(7007)
        assert len(texts) == 1 and "보완 요청" in texts[0] and "6월 20일" in texts[0]
    finally:
        await api.close()


async def test_the_notifier_drops_a_reminder_whose_request_is_over(tmp_path):
    engine = new_engine(tmp_path)
    clock = Clock()
    number = add_app(engine, status=ApplicationStatus.SUPPLEMENT_REQUESTED)
    subscribe_chat(engine, number, 7008)
    with session_scope(engine) as session:
        # A change that did not go through move_application (e.g. a database fix).
        session.execute(Application.__table__.update().values(status="in_review"))
    api = await started_fake()
    try:
        clock.now = datetime(2026, 6, 12, 0, 0)
        sender = notifier(engine, api, clock)
        result = await sender.run_once()
        await sender.close()
        assert (result.cancelled, result.sent) == (1, 0) and api.calls_to("sendMessage") == []
        with session_scope(engine) as session:
            outcomes = session.execute(select(NoticeDelivery.outcome, NoticeDelivery.detail)).all()
        assert outcomes == [("cancelled", "the supplement request is over")]
    finally:
        await api.close()


async def test_a_429_slows_delivery_down_and_loses_nothing(tmp_path):
    engine = new_engine(tmp_path)
    clock = DaytimeClock()
    chats = list(range(8001, 8021))
    for chat in chats:
        number = add_app(engine, status=ApplicationStatus.IN_REVIEW, now=clock())
        subscribe_chat(engine, number, chat, now=clock())
        move(engine, number, ApplicationStatus.APPROVED, now=clock())
    api = await started_fake()
    api.failures["sendMessage"] = [(429, "Too Many Requests: retry after 1", {"retry_after": 1})]
    try:
        sender = notifier(engine, api, clock)
        started = time.monotonic()
        result = await sender.run(until_idle=True)
        elapsed = time.monotonic() - started
        await sender.close()
        assert result.rate_limited == 1 and result.sent == 20
        assert elapsed >= 1.0  # the channel waited retry_after
        delivered = Counter(message["chat"]["id"] for message in api.results_of("sendMessage"))
        assert sorted(delivered) == chats and set(delivered.values()) == {1}
        assert len(api.calls_to("sendMessage")) == 21  # one refused, then each exactly once
        assert states(engine) == Counter({"sent": 20})
        with session_scope(engine) as session:
            outcomes = Counter(session.execute(select(NoticeDelivery.outcome)).scalars())
        assert outcomes == Counter({"sent": 20, "rate_limited": 1})
        with session_scope(engine) as session:
            # Waiting on flood control is not a failed attempt.
            assert set(session.execute(select(Notice.attempts)).scalars()) == {1}
    finally:
        await api.close()


async def test_network_trouble_is_retried_with_backoff_and_a_blocked_bot_gives_up(tmp_path):
    engine = new_engine(tmp_path)
    clock = DaytimeClock()
    first = add_app(engine, status=ApplicationStatus.IN_REVIEW, now=clock())
    subscribe_chat(engine, first, 8101, now=clock())
    move(engine, first, ApplicationStatus.APPROVED, now=clock())
    api = await started_fake()
    api.failures["sendMessage"] = [
        (502, "Bad Gateway", None),
        (403, "Forbidden: bot was blocked by the user", None),
    ]
    try:
        sender = notifier(engine, api, clock)
        result = await sender.run(until_idle=True)
        await sender.close()
        assert (result.retried, result.failed, result.sent) == (1, 1, 0)
        with session_scope(engine) as session:
            notice = session.execute(select(Notice)).scalar_one()
            assert (notice.state, notice.attempts) == ("failed", 2)
            subscription = session.execute(select(NoticeSubscription)).scalar_one()
            assert subscription.end_reason == "blocked"
        out = io.StringIO()
        records_cli(["notices", "--state", "failed"], out=out, engine=engine)
        assert "blocked by the user" in out.getvalue()
    finally:
        await api.close()


class HangingBotApi(FakeBotApi):
    """Answers sendMessage normally, except call number ``hang_at``, which it
    records and never answers (the notifier is killed while waiting)."""

    hang_at: int = 0
    release: asyncio.Event | None = None

    async def _result(self, method: str, params: Dict[str, Any]) -> Any:
        if method == "sendMessage" and len(self.calls_to("sendMessage")) == self.hang_at:
            assert self.release is not None
            await self.release.wait()
        return await super()._result(method, params)


async def _notifier_process(env: Dict[str, str], *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "records.notifier", "--lease", "2", "--idle", "0.1", "--telegram-rate", "40",
        # One call in flight: the kill lands on a known notice.
        "--concurrency", "1", *args,
        cwd=str(PROJECT_ROOT), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )


async def test_a_notifier_killed_mid_batch_and_restarted_delivers_every_notice_exactly_once(tmp_path):
    engine = new_engine(tmp_path)
    chats = list(range(9001, 9031))
    for chat in chats:
        number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
        # Night-time messages allowed: the processes run on the real clock.
        subscribe_chat(engine, number, chat, quiet_hours=False)
        move(engine, number, ApplicationStatus.APPROVED)
    api = HangingBotApi()
    api.hang_at, api.release = 12, asyncio.Event()
    await api.start()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/notices.db",
        "TELEGRAM_TOKEN": api.token,
        "TELEGRAM_BASE_URL": api.base_url,
        "RASA_TELEMETRY_ENABLED": "false",
    }
    env.pop("KAKAO_REST_API_KEY", None)
    try:
        first = await _notifier_process(env)
        try:
            await api.wait_for("sendMessage", 12, timeout=60)
        except AssertionError:
            if first.returncode is None:
                first.kill()
            raise AssertionError((await first.communicate())[0].decode()) from None
        await asyncio.sleep(0.2)  # the 12th call is in flight, the rest of the batch claimed
        first.send_signal(signal.SIGKILL)
        await first.wait()
        api.release.set()
        assert states(engine)["sent"] == 11
        second = await _notifier_process(env, "--once")
        output, _ = await asyncio.wait_for(second.communicate(), timeout=90)
        assert second.returncode == 0, output.decode()
        per_chat = Counter(call["chat_id"] for call in api.calls_to("sendMessage"))
        assert sorted(per_chat) == chats
        assert set(per_chat.values()) == {1}, per_chat  # nobody got a message twice
        # The one in flight at the crash reached Telegram but was never confirmed:
        # it is not sent again, and staff see it.
        assert states(engine) == Counter({"sent": 29, "unconfirmed": 1})
        out = io.StringIO()
        records_cli(["notices", "--state", "failed"], out=out, engine=engine)
        assert "unconfirmed" in out.getvalue() and "interrupted while sending" in out.getvalue()
    finally:
        api.release.set()
        await api.close()
