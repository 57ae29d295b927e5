"""The KakaoTalk channel's state in SQL, shared by Sanic workers and Rasa replicas.

Each ``SQLConversationMemory`` below has its own engine and connections, as a
separate process would; several on one SQLite file stand for several workers.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator, List, Optional

import pytest

from channels.kakao import shared_memory
from channels.kakao.input import KakaoInput
from channels.kakao.memory import Page
from channels.kakao.shared_memory import SQLConversationMemory
from channels.shared.buttons import ButtonChoice
from tests.channels.kakao.conftest import (
    SKILL_SECRET,
    FakeAssistant,
    new_user,
    outputs_text,
    quick_reply_labels,
)
from tests.support.stack import PROJECT_ROOT

HELP = ButtonChoice("도움말", "/help")
ENGLISH = ButtonChoice("English", '/set_language{"language": "en"}')


def texts_of(page: Optional[Page]) -> List[str]:
    assert page is not None
    return [output["simpleText"]["text"] for output in page.outputs]


def outputs(count: int, prefix: str = "안내") -> List[dict]:
    return [{"simpleText": {"text": f"{prefix} {n}"}} for n in range(count)]


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shared.db'}"


@pytest.fixture
def memories(url: str):
    """A factory of memories on one database, closed at the end."""
    made: List[SQLConversationMemory] = []

    def make(**kwargs) -> SQLConversationMemory:
        memory = SQLConversationMemory(url, **kwargs)
        made.append(memory)
        return memory

    yield make
    for memory in made:
        memory.close()


def test_two_workers_see_each_others_pages_choices_language_and_waiting_flag(memories) -> None:
    first, second = memories(), memories()

    first.remember_answer("u1", outputs(5), [HELP, ENGLISH], "ko")
    assert second.language("u1") == "ko"
    assert second.payload_for("u1", title="  도움말 ") == "/help"
    assert second.payload_for("u1", payload=ENGLISH.payload) == ENGLISH.payload
    assert second.payload_for("u1", payload="/restart") is None
    assert second.payload_for("u2", title="도움말") is None

    page = second.next_page("u1", 3)
    assert texts_of(page) == ["안내 0", "안내 1", "안내 2"] and page.more
    assert page.choices == (HELP, ENGLISH) and page.language == "ko"
    last = first.next_page("u1", 3)
    assert texts_of(last) == ["안내 3", "안내 4"] and not last.more
    assert second.next_page("u1", 3) is None and first.next_page("u1", 3) is None

    first.mark_waiting("u1")
    assert second.is_waiting("u1") and not second.is_waiting("u2")
    second.offer("u1", [ButtonChoice("답변 보기", "/show")], "en")
    assert first.is_waiting("u1"), "offering quick replies keeps the flag"
    assert first.payload_for("u1", title="도움말") is None and first.language("u1") == "en"

    first.remember_answer("u1", outputs(1, "늦은 답변"), [HELP], None, keep_offered=True)
    assert not second.is_waiting("u1")
    assert second.payload_for("u1", title="답변 보기") == "/show", "the choices on screen stay valid"
    assert second.language("u1") == "en", "an answer without a language keeps the last one"
    assert texts_of(second.next_page("u1", 3)) == ["늦은 답변 0"]


def test_a_link_choice_and_unicode_survive_the_round_trip(memories) -> None:
    link = ButtonChoice("정부24 바로가기", url="https://www.gov.kr")
    first, second = memories(), memories()
    first.remember_answer("u1", [{"textCard": {"description": "신청 → 완료 ✓"}}, *outputs(3)], [link, HELP], "ko")

    page = second.next_page("u1", 3)

    assert page is not None and page.outputs[0] == {"textCard": {"description": "신청 → 완료 ✓"}}
    assert page.choices == (link, HELP)


def test_state_expires_after_the_ttl_unless_used_and_expired_rows_are_purged(memories, url: str) -> None:
    clock = [1_000_000.0]
    first = memories(ttl=60, purge_interval=30, clock=lambda: clock[0])
    second = memories(ttl=60, purge_interval=30, clock=lambda: clock[0])
    first.remember_answer("kept", outputs(6), [HELP], "ko")
    first.offer("forgotten", [HELP], "en")

    clock[0] += 50
    assert second.language("kept") == "ko"  # a read renews the expiry
    clock[0] += 50
    assert second.payload_for("kept", title="도움말") == "/help"
    assert second.language("forgotten") is None, "100 s without use: expired"
    assert len(first) == 1

    clock[0] += 61
    assert len(second) == 0 and second.language("kept") is None
    database = url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as raw:
        assert raw.execute("SELECT count(*) FROM kakao_memory").fetchone()[0] == 2, "reads do not purge"
    assert first.next_page("kept", 3) is None, "the rest of an expired answer is gone"
    first.offer("new", [HELP], "ko")
    with sqlite3.connect(database) as raw:
        assert [row[0] for row in raw.execute("SELECT user_key FROM kakao_memory")] == ["new"], "purged"


def test_expiry_is_wall_clock_time_that_another_process_can_compare(memories, url: str) -> None:
    import time

    memories().offer("u1", [HELP], "ko")

    with sqlite3.connect(url.removeprefix("sqlite:///")) as raw:
        (expires,) = raw.execute("SELECT expires FROM kakao_memory WHERE user_key = 'u1'").fetchone()
    assert 590 < expires - time.time() <= 600


def test_workers_paging_at_once_never_serve_the_same_page_twice(memories) -> None:
    workers = [memories() for _ in range(8)]
    workers[0].remember_answer("u1", outputs(120), [HELP], "ko")
    start = threading.Barrier(len(workers))
    served: List[List[str]] = [[] for _ in workers]
    errors: List[BaseException] = []

    def page_through(index: int) -> None:
        start.wait()
        try:
            while (page := workers[index].next_page("u1", 1)) is not None:
                served[index].extend(texts_of(page))
        except BaseException as error:  # noqa: BLE001 - asserted below
            errors.append(error)

    threads = [threading.Thread(target=page_through, args=(index,)) for index in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    every_page = [text for pages in served for text in pages]
    assert sorted(every_page) == sorted(f"안내 {n}" for n in range(120)), "each page exactly once"
    assert sum(1 for pages in served if pages) > 1, "the workers really ran together"


def test_a_separate_process_reads_what_this_one_wrote_and_pages_it(memories, url: str) -> None:
    memories().remember_answer("u1", outputs(4), [HELP], "en")
    script = (
        "import sys; from channels.kakao.shared_memory import SQLConversationMemory as M; "
        "m = M(sys.argv[1]); p = m.next_page('u1', 3); "
        "print(m.language('u1'), m.payload_for('u1', title='도움말'), len(p.outputs), p.more)"
    )
    result = subprocess.run([sys.executable, "-c", script, url], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120, env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["en", "/help", "3", "True"]
    assert texts_of(memories().next_page("u1", 3)) == ["안내 3"]


def _child_pages(memory: SQLConversationMemory, answers: "multiprocessing.Queue[List[str]]") -> None:
    page = memory.next_page("u1", 2)
    answers.put([output["simpleText"]["text"] for output in page.outputs] if page else [])
    memory.offer("u1", [ENGLISH], "en")


def test_a_forked_worker_opens_its_own_connections(memories) -> None:
    """Sanic forks its workers after the channel is built: the child must not reuse the parent's connections."""
    memory = memories()
    memory.remember_answer("u1", outputs(4), [HELP], "ko")  # the parent has connected
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    child = context.Process(target=_child_pages, args=(memory, answers))
    child.start()
    child.join(timeout=60)

    assert child.exitcode == 0
    assert answers.get(timeout=5) == ["안내 0", "안내 1"]
    assert memory.language("u1") == "en"
    assert texts_of(memory.next_page("u1", 2)) == ["안내 2", "안내 3"]


def test_a_locked_database_is_logged_and_treated_as_nothing_remembered(
    memories, url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(shared_memory, "BUSY_TIMEOUT_MS", 200)
    memory = memories()
    memory.remember_answer("u1", outputs(4), [HELP], "ko")
    memory.close()  # reconnect with the short timeout
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing and does not let go
    try:
        with caplog.at_level(logging.ERROR, logger="channels.kakao.shared_memory"):
            assert memory.next_page("u1", 3) is None
            memory.offer("u1", [ENGLISH], "en")
        assert memory.language("u1") == "ko", "reads still work while another process writes"
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert "OperationalError" in caplog.text and "안내" not in caplog.text and "u1" not in caplog.text
    assert texts_of(memory.next_page("u1", 3)) == ["안내 0", "안내 1", "안내 2"], "nothing was lost"


# -- the channel on several workers -------------------------------------------------------------


@pytest.fixture
async def two_workers(serve_kakao, kakao_database: str):
    """Two channels (two Sanic apps) on one database, each with its own memory, and one assistant."""

    async def serve(assistant: FakeAssistant, budget: float = 3.5):
        first = await serve_kakao(KakaoInput(secret=SKILL_SECRET, budget=budget), assistant)
        second = await serve_kakao(KakaoInput(secret=SKILL_SECRET, budget=budget), assistant)
        return first.open_builder, second.open_builder

    return serve


async def test_more_on_another_worker_serves_the_rest_of_the_answer(two_workers) -> None:
    paragraphs = [f"{n}번째 안내입니다. " + "민원 서류를 준비해 주세요. " * 40 for n in range(1, 6)]
    assistant = FakeAssistant(lambda message: [{"text": text} for text in paragraphs])
    first, second = await two_workers(assistant)
    user = new_user()

    shown = [await first.send("긴 안내 주세요", user)]
    workers = [second, first]
    while "더 보기" in quick_reply_labels(shown[-1]):
        shown.append(await workers[len(shown) % 2].tap(shown[-1], "더 보기", user))

    assert len(shown) >= 2
    assert " ".join(outputs_text(page) for page in shown).split() == " ".join(paragraphs).split()
    assert len(assistant.messages) == 1


async def test_a_late_answer_made_by_one_worker_is_shown_by_another(two_workers) -> None:
    assistant = FakeAssistant(
        lambda message: [{"text": "처리 상태는 '처리중'이에요.",
                          "buttons": [{"title": "알림 받기", "payload": "/affirm"}]}],
        delay=0.5,
    )
    first, second = await two_workers(assistant, budget=0.1)
    user = new_user()

    late = await first.send("제 민원 어떻게 됐어요?", user)
    assert quick_reply_labels(late) == ["답변 보기", "도움말", "상담원 연결"]
    early = await second.tap(late, "답변 보기", user)
    assert "아직 답변을 준비하고 있어요" in outputs_text(early)

    await asyncio.wait_for(assistant.finished.wait(), timeout=5)
    for _ in range(100):  # the first worker stores the answer in a thread just after it is ready
        if not await asyncio.to_thread(still_waiting, user):
            break
        await asyncio.sleep(0.02)
    answer = await second.tap(early, "답변 보기", user)
    assert outputs_text(answer) == "처리 상태는 '처리중'이에요."
    await second.tap(answer, "알림 받기", user)
    await second.tap(late, "상담원 연결", user)

    assert [message.text for message in assistant.messages] == ["제 민원 어떻게 됐어요?", "/affirm", "/human_handoff"]


def still_waiting(user: str) -> bool:
    """Whether the database (``DATABASE_URL``) still marks the answer for ``user`` as being prepared."""
    memory = SQLConversationMemory()
    try:
        return memory.is_waiting(user)
    finally:
        memory.close()


async def test_a_payload_offered_by_one_worker_is_trusted_by_another(two_workers) -> None:
    buttons = [{"title": "English", "payload": '/set_language{"language": "en"}'}]
    assistant = FakeAssistant(lambda message: [{"text": "언어를 골라 주세요.", "buttons": buttons}])
    first, second = await two_workers(assistant)
    user = new_user()

    offered = await first.send("언어 바꿀래요", user)
    await second.tap(offered, "English", user)
    await second.send("x", user, client_extra={"payload": "/restart"})

    assert [message.text for message in assistant.messages] == [
        "언어 바꿀래요", '/set_language{"language": "en"}', "x",
    ]


async def test_nothing_stored_contains_what_the_citizen_wrote(two_workers, kakao_database: str) -> None:
    secret_words = ["비밀동 742번지", "900101-1234567", "My landlord Kim Cheolsu"]
    paragraphs = [f"{n}번째 안내입니다. " + "서류를 준비해 주세요. " * 60 for n in range(1, 6)]
    assistant = FakeAssistant(
        lambda message: [{"text": text} for text in paragraphs]
        + [{"text": "다른 도움이 필요하세요?", "buttons": [{"title": "상담원 연결", "payload": "/human_handoff"}]}],
    )
    first, second = await two_workers(assistant)
    user = new_user()
    for words in secret_words:
        response = await first.send(f"제 주소는 {words} 이에요", user)
        await second.tap(response, "더 보기", user)
    late_assistant = FakeAssistant(lambda message: [{"text": "늦은 답변이에요."}], delay=0.3)
    slow, _ = await two_workers(late_assistant, budget=0.05)
    await slow.send("Kim Cheolsu lives at 비밀동 742번지", user)
    await asyncio.wait_for(late_assistant.finished.wait(), timeout=5)
    await asyncio.sleep(0.2)

    path = Path(kakao_database.removeprefix("sqlite:///"))
    stored = b"".join(file.read_bytes() for file in path.parent.glob(path.name + "*"))
    assert "서류를 준비해 주세요".encode() in stored and "상담원 연결".encode() in stored, "the answers are stored"
    for words in [*secret_words, "Kim Cheolsu", "1234567", "제 주소는"]:
        assert words.encode() not in stored, words


# -- PostgreSQL (several replicas on a server database) -----------------------------------------


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A fresh database on a PostgreSQL server run from Debian's binaries for this module."""
    import shutil
    import tempfile

    import sqlalchemy as sa

    from scripts.cluster_services import postgres

    root = Path(tempfile.mkdtemp(prefix="kakao-pg-"))
    os.chmod(root, 0o755)  # noqa: S103 - the postgres user traverses it, never writes
    try:
        with postgres(root / "postgres") as server:
            admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.exec_driver_sql("CREATE DATABASE kakao_memory_test")
            admin.dispose()
            yield server.url.rsplit("/", 1)[0] + "/kakao_memory_test"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_replicas_on_postgresql_share_the_state_and_page_atomically(pg_url: str) -> None:
    replicas = [SQLConversationMemory(pg_url) for _ in range(6)]
    start = threading.Barrier(len(replicas))
    errors: List[BaseException] = []

    def first_contact(index: int) -> None:
        start.wait()
        try:  # six replicas create the table and the brand-new user's row at once
            replicas[index].offer("new-user", [HELP], "ko")
        except BaseException as error:  # noqa: BLE001 - asserted below
            errors.append(error)

    threads = [threading.Thread(target=first_contact, args=(index,)) for index in range(len(replicas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert all(replica.payload_for("new-user", title="도움말") == "/help" for replica in replicas)

    replicas[0].remember_answer("u1", outputs(60), [ENGLISH], "en")
    assert replicas[1].language("u1") == "en" and replicas[2].payload_for("u1", payload=ENGLISH.payload)
    served: List[List[str]] = [[] for _ in replicas]
    start = threading.Barrier(len(replicas))

    def page_through(index: int) -> None:
        start.wait()
        try:
            while (page := replicas[index].next_page("u1", 1)) is not None:
                served[index].extend(texts_of(page))
        except BaseException as error:  # noqa: BLE001 - asserted below
            errors.append(error)

    threads = [threading.Thread(target=page_through, args=(index,)) for index in range(len(replicas))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        assert sorted(text for pages in served for text in pages) == sorted(f"안내 {n}" for n in range(60))
        replicas[3].mark_waiting("u1")
        assert replicas[4].is_waiting("u1") and len(replicas[5]) == 2
    finally:
        for replica in replicas:
            replica.close()
