"""The database write-locked for longer than the tracker store waits: every turn
in that time is refused with an apology in the citizen's language, none is
answered as if it had been stored (issue 14, item 6)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from core.outage import APOLOGY
from tests.support.conversation import post_rest
from tests.support.stack import Stack, start_stack


@pytest.fixture(scope="module")
def sqlite_stack(tmp_path_factory: pytest.TempPathFactory):
    with start_stack(tmp_path_factory.mktemp("storage-faults")) as stack:
        yield stack


def _user_texts(stack: Stack, sender: str) -> list:
    path = stack.database_url.replace("sqlite:///", "")
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def _say(url: str, sender: str, text: str) -> list:
    status, replies = post_rest(url, sender, text)
    assert status == 200, replies
    return replies


def test_turns_that_cannot_be_stored_are_refused_not_answered(sqlite_stack: Stack) -> None:
    url = sqlite_stack.rasa_url
    assert _say(url, "fault-ko", "안녕하세요")
    assert _say(url, "fault-en", "hello")

    blocker = sqlite3.connect(sqlite_stack.database_url.replace("sqlite:///", ""), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the file past every busy timeout
    try:
        korean = _say(url, "fault-ko", "여권 재발급 서류 알려 주세요")
        english = _say(url, "fault-en", "what documents do I need to renew my passport?")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()

    assert [reply.get("text") for reply in korean] == [APOLOGY["ko"]]
    assert [reply.get("text") for reply in english] == [APOLOGY["en"]]
    assert _user_texts(sqlite_stack, "fault-ko") == ["안녕하세요"]  # nothing half-kept
    assert _user_texts(sqlite_stack, "fault-en") == ["hello"]

    again = _say(url, "fault-ko", "여권 재발급 서류 알려 주세요")
    assert any("여권" in (reply.get("text") or "") for reply in again)
    assert _user_texts(sqlite_stack, "fault-ko") == ["안녕하세요", "여권 재발급 서류 알려 주세요"]
