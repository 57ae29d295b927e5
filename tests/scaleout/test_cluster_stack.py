"""The assistant on PostgreSQL + Redis with two Rasa replicas behind nginx, as `make cluster` runs it.

One stack for the module: PostgreSQL and Redis from the session's servers, one
action server, two Rasa processes sharing the database and the Redis lock
store, and nginx balancing them. The failover test kills a replica, so it runs last.
"""

from __future__ import annotations

import json
import signal
import threading
import uuid
from typing import Dict, Iterator, List, Tuple

import pytest
import sqlalchemy as sa

from scripts.cluster_services import Postgres, Redis, free_port, nginx
from tests.scaleout.conftest import new_database
from tests.support.conversation import post_rest
from tests.support.stack import Stack, start_stack

pytestmark = pytest.mark.stack


class Cluster:
    """The running stack, the balancer's URL and the database."""

    def __init__(self, stack: Stack, balancer_url: str) -> None:
        self.stack = stack
        self.balancer_url = balancer_url
        self.engine = sa.create_engine(stack.database_url, future=True)

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.stack.replica_ports[index]}"

    def stored_events(self, sender: str) -> List[Dict]:
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender}
            ).all()
        return [json.loads(data) for (data,) in rows]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, pg_server: Postgres, redis_server: Redis) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("cluster")
    env = {
        "DATABASE_URL": new_database(pg_server),
        "REDIS_URL": redis_server.url,
        # A ticket held by a killed replica blocks its conversation until it expires.
        "TICKET_LOCK_LIFETIME": "10",
        # Two replicas of one worker each: the replicas, not the workers, are under test.
        "SANIC_WORKERS": "1",
    }
    with start_stack(workdir, extra_env=env, rasa_replicas=2) as stack:
        port = free_port()
        with nginx(workdir / "nginx", port, stack.replica_ports):
            cluster = Cluster(stack, f"http://127.0.0.1:{port}")
            yield cluster
            cluster.engine.dispose()


def texts(reply: object) -> str:
    assert isinstance(reply, list), reply
    return "\n".join(message.get("text") or "" for message in reply)


def sender() -> str:
    return f"so-{uuid.uuid4().hex[:10]}"


def turns(events: List[Dict]) -> List[Tuple[str, List[str]]]:
    """(user text, what followed it up to the next user message) for each stored user message."""
    result: List[Tuple[str, List[str]]] = []
    for event in events:
        if event["event"] == "user":
            result.append((event.get("text") or "", []))
        elif result:
            result[-1][1].append(event["event"] + ":" + str(event.get("name") or event.get("text") or ""))
    return result


def test_both_replicas_answer_one_conversation_from_postgresql(cluster: Cluster) -> None:
    citizen = sender()
    status, reply = post_rest(cluster.replica_url(0), citizen, "여권 재발급 수수료 얼마예요?")
    assert status == 200 and "여권" in texts(reply), reply
    status, reply = post_rest(cluster.replica_url(1), citizen, "2026-0001027 처리 상태 알려주세요")
    assert status == 200 and texts(reply).strip()
    status, reply = post_rest(cluster.replica_url(0), citizen, "1990-07-25")
    assert status == 200 and ("처리" in texts(reply) or "심사" in texts(reply)), reply
    stored = turns(cluster.stored_events(citizen))
    assert [text for text, _ in stored][0] == "여권 재발급 수수료 얼마예요?"
    assert len(stored) == 3
    assert "1990-07-25" not in json.dumps(cluster.stored_events(citizen)), "a birth date was stored in clear"


def test_messages_sent_in_parallel_to_both_replicas_are_handled_in_order(cluster: Cluster) -> None:
    citizen = sender()
    messages = ["hello", "what documents do I need for a passport reissue?", "how much is the fee?",
                "how long does it take?", "where do I apply?", "thank you"]
    results: Dict[str, int] = {}
    start = threading.Barrier(len(messages))

    def send(index: int) -> None:
        start.wait()
        status, _ = post_rest(cluster.replica_url(index % 2), citizen, messages[index], timeout=120)
        results[messages[index]] = status

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(messages))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status == 200 for status in results.values()), results

    stored = turns(cluster.stored_events(citizen))
    assert sorted(text for text, _ in stored) == sorted(messages), "a message was lost or stored twice"
    for text, after in stored:
        # Each message was answered before the next one was read: its own
        # answer and the final action_listen follow it, never another message.
        assert any(item.startswith("bot:") for item in after), (text, after)
        assert after[-1] == "action:action_listen", (text, after)


def test_conversations_survive_a_replica_killed_under_load(cluster: Cluster) -> None:
    """Light load through nginx; replica 1 gets SIGKILL half-way. Every turn that got a 200 is stored,
    no message is stored twice, history and the chosen language survive."""
    citizens = [sender() for _ in range(3)]
    script = ["what documents do I need for a passport reissue?", "how much is the fee?", "how long does it take?",
              "where do I apply?", "what is a resident registration card?", "thank you"]
    answered: Dict[str, List[Tuple[str, int, str]]] = {citizen: [] for citizen in citizens}
    halfway = threading.Barrier(len(citizens) + 1)

    def converse(citizen: str) -> None:
        status, reply = post_rest(cluster.balancer_url, citizen, "영어로 해주세요", timeout=120)
        answered[citizen].append(("영어로 해주세요", status, texts(reply) if status == 200 else ""))
        for index, message in enumerate(script):
            if index == 2:
                halfway.wait(timeout=120)
            status, reply = post_rest(cluster.balancer_url, citizen, message, timeout=120)
            answered[citizen].append((message, status, texts(reply) if status == 200 else ""))

    threads = [threading.Thread(target=converse, args=(citizen,)) for citizen in citizens]
    for thread in threads:
        thread.start()
    halfway.wait(timeout=120)
    cluster.stack.processes[2].send_signal(signal.SIGKILL)  # [actions, replica 0, replica 1]
    for thread in threads:
        thread.join(timeout=300)
    assert cluster.stack.processes[2].wait(timeout=10) == -signal.SIGKILL

    for citizen in citizens:
        stored = turns(cluster.stored_events(citizen))
        stored_texts = [text for text, _ in stored]
        assert len(stored_texts) == len(set(stored_texts)), f"a message was handled twice: {stored_texts}"
        ok = [message for message, status, _ in answered[citizen] if status == 200]
        assert set(ok) <= set(stored_texts), (ok, stored_texts)
        # At most the one message in flight on the killed replica failed.
        assert len(ok) >= len(answered[citizen]) - 1, answered[citizen]
        _last, last_status, last_reply = answered[citizen][-1]
        assert last_status == 200 and last_reply.strip(), answered[citizen]
        for _message, status, reply in answered[citizen][3:]:
            if status == 200:
                assert not any("가" <= char <= "힣" for char in reply), f"the English choice was lost: {reply}"
    status, reply = post_rest(cluster.balancer_url, citizens[0], "hello")
    assert status == 200 and "Hello" in texts(reply)
