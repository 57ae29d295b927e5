"""The status form across turns with the project's tracker store (issue 14, item 2).

The trained model runs in-process with the real action server and
:class:`core.tracker_store.MaskingSQLTrackerStore` on a SQLite file: the
application number typed in one turn is used in the next although the file
never holds it in clear; after a restart with another key (or once the seal has
expired) the form asks for the number again instead of failing.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from rasa.core.agent import Agent
from rasa.utils.endpoints import EndpointConfig

from core.tracker_store import MaskingSQLTrackerStore
from tests.support.conversation import say, texts
from tests.support.stack import require_model

pytestmark = pytest.mark.stack

ASK_BIRTH_DATE = "본인 확인을 위해 신청인의 생년월일"
SUPPLEMENT = "보완요청"
NUMBER = "2026-0001019"  # seeded: passport_reissue, supplement requested


def load_agent(action_server: str, database: Path, secret: bytes) -> Agent:
    store = MaskingSQLTrackerStore(host=f"sqlite:///{database}", seal_secret=secret)
    return Agent.load(str(require_model()), action_endpoint=EndpointConfig(url=action_server), tracker_store=store)


async def test_the_number_survives_the_turn_sealed_and_a_restart_with_another_key_asks_again(
    action_server: str, tmp_path: Path
) -> None:
    database = tmp_path / "tracker.db"
    agent = load_agent(action_server, database, b"first key")

    sender = f"at-rest-{uuid.uuid4().hex[:8]}"
    assert ASK_BIRTH_DATE in texts(await say(agent, sender, NUMBER))
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("tracker.db*"))
    assert b"0001019" not in raw
    assert SUPPLEMENT in texts(await say(agent, sender, "1985-03-12"))  # the sealed number was used

    # A restart mid-form whose key no longer opens the seal: the number is asked again.
    other = f"at-rest-{uuid.uuid4().hex[:8]}"
    assert ASK_BIRTH_DATE in texts(await say(agent, other, NUMBER))
    restarted = load_agent(action_server, database, b"a different key")
    reply = texts(await say(restarted, other, "1985-03-12"))
    assert "접수번호를 입력해 주세요" in reply, reply  # asks for the number, no crash
    assert SUPPLEMENT in texts(await say(restarted, other, NUMBER))
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("tracker.db*"))
    assert b"0001019" not in raw and b"1985-03-12" not in raw
