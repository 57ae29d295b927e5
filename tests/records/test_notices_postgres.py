"""The outbox on PostgreSQL (Debian's, started by the test session): the
migration, the notices written with a move, and two notifiers draining the
same outbox at once (``FOR UPDATE SKIP LOCKED``) without sending anything twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import select

from applications.statuses import ApplicationStatus
from channels.telegram.api import build_bot
from core.db import create_schema, get_engine, session_scope
from records.models import Notice
from records.notifier import Notifier, NotifierConfig
from records.notifier_senders import TelegramSender
from tests.records.notice_support import DaytimeClock, FakeBotApi, add_app, move, subscribe_chat


@pytest.fixture
def pg_engine(pg_server):
    from tests.scaleout.conftest import new_database

    engine = create_schema(get_engine(new_database(pg_server)))
    yield engine
    engine.dispose()


async def test_two_notifiers_share_a_postgresql_outbox_and_send_each_notice_once(pg_engine):
    clock = DaytimeClock()
    chats = list(range(6001, 6061))
    for chat in chats:
        number = add_app(pg_engine, status=ApplicationStatus.IN_REVIEW, now=clock())
        subscribe_chat(pg_engine, number, chat, now=clock())
        move(pg_engine, number, ApplicationStatus.APPROVED, now=clock())
    api = FakeBotApi()
    await api.start()
    config = NotifierConfig(batch_size=10, idle_seconds=0.05, rates={"telegram": 0})
    workers = [
        Notifier(pg_engine, {"telegram": TelegramSender(build_bot(api.token, api.base_url))}, clock=clock,
                 config=config, worker_id=f"worker-{index}")
        for index in (1, 2)
    ]
    try:
        results = await asyncio.gather(*(worker.run(until_idle=True) for worker in workers))
        for worker in workers:
            await worker.close()
        assert sum(result.sent for result in results) == 60
        assert all(result.sent > 0 for result in results)  # both took a share
        per_chat = Counter(call["chat_id"] for call in api.calls_to("sendMessage"))
        assert sorted(per_chat) == chats and set(per_chat.values()) == {1}
        with session_scope(pg_engine) as session:
            assert Counter(session.execute(select(Notice.state)).scalars()) == Counter({"sent": 60})
    finally:
        await api.close()
