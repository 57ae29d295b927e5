"""The live-agent queue (issue 18) on a real SQLite database: duty, places and
expected waits, exactly one winner when two agents take a chat at once,
transfer, end, cancel, timeout, masked messages and the figures."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from core.db import create_project_engine, create_schema
from records.live_agents import (
    DUTY_STALE_AFTER,
    QUEUE_TIMEOUT,
    add_message,
    agents_on_duty,
    cancel_waiting,
    channel_of,
    chat_figures,
    chats_held_by,
    end_chat,
    expire_waiting,
    get_chat,
    go_off_duty,
    go_on_duty,
    is_on_duty,
    join_queue,
    messages_of,
    open_chat,
    serves,
    take_chat,
    ticket_of,
    transfer_chat,
    waiting_chats,
)

START = datetime(2026, 12, 2, 1, 0)  # 10:00 Korea time, a Wednesday


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return create_schema(create_project_engine(f"sqlite:///{tmp_path}/live.db"))


def queue(engine: Engine, sender: str, agency: str | None = None, minutes: int = 0, language: str = "ko") -> int:
    return join_queue(engine, sender_id=sender, language=language, reason="requested", agency_id=agency,
                      transcript=[{"who": "user", "text": "여권 재발급 2026-0012347"}],
                      now=START + timedelta(minutes=minutes)).chat_id


def test_duty_counts_agency_agents_and_the_general_pool_and_goes_stale(engine: Engine) -> None:
    go_on_duty(engine, 1, "agent.mofa", "mofa", now=START)
    go_on_duty(engine, 2, "agent.pool", None, now=START)
    assert agents_on_duty(engine, "mofa", now=START) == 2
    assert agents_on_duty(engine, "mois", now=START) == 1
    assert agents_on_duty(engine, None, now=START) == 2
    assert is_on_duty(engine, 1, now=START)
    assert not is_on_duty(engine, 1, now=START + DUTY_STALE_AFTER + timedelta(seconds=1))
    go_off_duty(engine, 2)
    assert agents_on_duty(engine, "mois", now=START) == 0


def test_places_and_expected_waits_follow_the_queue(engine: Engine) -> None:
    go_on_duty(engine, 1, "agent.mofa", "mofa", now=START)
    first = join_queue(engine, sender_id="a", language="ko", reason="requested", agency_id="mofa", now=START)
    second = join_queue(engine, sender_id="b", language="en", reason="thumbs_down", agency_id="mofa",
                        now=START + timedelta(seconds=5))
    other = join_queue(engine, sender_id="c", language="ko", reason="requested", agency_id=None,
                       now=START + timedelta(seconds=6))
    assert (first.position, second.position, other.position) == (1, 2, 1)
    assert second.expected_minutes > first.expected_minutes >= 1
    # Joining again while waiting gives the same ticket, not a second place.
    again = join_queue(engine, sender_id="b", language="en", reason="requested", agency_id="mofa", now=START)
    assert again.chat_id == second.chat_id
    assert take_chat(engine, first.chat_id, 1, "agent.mofa", "mofa", now=START + timedelta(minutes=1))
    assert ticket_of(engine, second.chat_id).position == 1
    assert ticket_of(engine, first.chat_id) is None


def test_transcripts_and_messages_are_masked(engine: Engine) -> None:
    chat_id = queue(engine, "web-1")
    chat = get_chat(engine, chat_id)
    assert "2026-0012347" not in str(chat.transcript)
    stored = add_message(engine, chat_id, "citizen", "제 주민번호는 900101-1234567 입니다", now=START)
    assert "1234567" not in stored.text
    assert [m.text for m in messages_of(engine, chat_id)] == [stored.text]
    assert messages_of(engine, chat_id, after_id=stored.id) == []
    with pytest.raises(ValueError):
        add_message(engine, chat_id, "robot", "hi")


def test_agents_see_and_take_only_the_queues_they_serve(engine: Engine) -> None:
    mofa = queue(engine, "a", "mofa")
    mois = queue(engine, "b", "mois", minutes=1)
    pool = queue(engine, "c", None, minutes=2)
    assert [c.id for c in waiting_chats(engine, "mofa")] == [mofa, pool]
    assert [c.id for c in waiting_chats(engine, None)] == [mofa, mois, pool]
    assert serves(None, "mois") and serves("mofa", None) and not serves("mofa", "mois")
    assert not take_chat(engine, mois, 1, "agent.mofa", "mofa", now=START)
    assert take_chat(engine, mois, 2, "agent.pool", None, now=START + timedelta(minutes=3))
    held = chats_held_by(engine, 2)
    assert [c.id for c in held] == [mois] and held[0].agent_login == "agent.pool"
    assert held[0].waited_seconds() == 120


def test_two_agents_taking_the_same_chat_at_once_exactly_one_gets_it(engine: Engine) -> None:
    def take(chat_id: int, staff_id: int, barrier: threading.Barrier, wins: list) -> None:
        barrier.wait()
        wins.append((staff_id, take_chat(engine, chat_id, staff_id, f"agent{staff_id}", None)))

    for round_ in range(5):
        chat_id = queue(engine, f"race-{round_}")
        barrier = threading.Barrier(4)
        wins: list = []
        threads = [threading.Thread(target=take, args=(chat_id, n, barrier, wins)) for n in range(1, 5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        winners = [staff for staff, won in wins if won]
        assert len(winners) == 1, wins
        assert get_chat(engine, chat_id).agent_id == winners[0]


def test_transfer_puts_the_chat_at_the_head_of_the_other_queue(engine: Engine) -> None:
    moved = queue(engine, "a", "mofa")
    later = queue(engine, "b", "mois", minutes=5)
    assert take_chat(engine, moved, 1, "agent.mofa", "mofa", now=START + timedelta(minutes=1))
    assert not transfer_chat(engine, moved, 99, "mois")  # not held by agent 99
    assert transfer_chat(engine, moved, 1, "mois", now=START + timedelta(minutes=6))
    chat = get_chat(engine, moved)
    assert (chat.state, chat.agency_id, chat.agent_id, chat.transfers) == ("waiting", "mois", None, 1)
    assert [c.id for c in waiting_chats(engine, "mois")] == [moved, later]


def test_end_cancel_timeout_and_figures(engine: Engine) -> None:
    handled = queue(engine, "handled")
    queue(engine, "cancelled", minutes=1)
    stale = queue(engine, "stale", minutes=2)
    assert take_chat(engine, handled, 1, "agent1", None, now=START + timedelta(minutes=2))
    assert open_chat(engine, "handled").state == "active"
    assert not end_chat(engine, handled, 2)  # someone else's chat
    assert end_chat(engine, handled, 1, now=START + timedelta(minutes=7))
    assert open_chat(engine, "handled") is None
    assert cancel_waiting(engine, "cancelled", now=START + timedelta(minutes=3)).outcome == "cancelled"
    assert cancel_waiting(engine, "cancelled") is None
    assert expire_waiting(engine, now=START + timedelta(minutes=5)) == []
    expired = expire_waiting(engine, now=START + timedelta(minutes=2) + QUEUE_TIMEOUT)
    assert [c.id for c in expired] == [stale] and expired[0].outcome == "timed_out"
    figures = chat_figures(engine, since=START)
    assert figures["handled"] == 1 and figures["abandoned"] == 2
    assert figures["wait_seconds"] == 120.0 and figures["chat_seconds"] == 300.0
    # The next chat's expected wait uses the 5 minutes the last one took.
    ticket = join_queue(engine, sender_id="next", language="en", reason="requested", agency_id=None,
                        now=START + timedelta(minutes=30))
    assert ticket.expected_minutes == 5


def test_channel_of_conversation_ids() -> None:
    assert channel_of("telegram:42") == "telegram"
    assert channel_of("kakao:abc") == "kakao"
    assert channel_of("3f2a-uuid") == "web"
