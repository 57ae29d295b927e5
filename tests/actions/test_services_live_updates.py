"""Staff changes reach the bot's answers at once: same process, no restart, < 2 s."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import ActionAnswerServiceFee, ActionAnswerServiceOverview
from core.db import get_engine
from knowledge.cli import main as knowledge_cli
from knowledge.seed import CATALOGUE_DIR, seed_catalogue

NEW_SERVICE = Path(__file__).resolve().parents[1] / "knowledge" / "fixtures" / "pet_registration.yml"


def tracker(text: str, language: str = "ko") -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "citizen",
            "slots": {"language": language},
            "latest_message": {"text": text, "intent": {"name": "ask_service_fee"}, "entities": []},
            "events": [],
        }
    )


async def answer(action, text: str, language: str = "ko") -> dict:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker(text, language), {})
    return dispatcher.messages[0]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/live.db"
    monkeypatch.setenv("DATABASE_URL", url)
    seed_catalogue(get_engine(url), CATALOGUE_DIR)
    return url


async def test_cli_fee_change_shows_in_the_next_answer(database: str) -> None:
    action = ActionAnswerServiceFee(get_engine(database))
    before = await answer(action, "여권 재발급 수수료 얼마예요")
    assert before["service_name"] == "여권 재발급" and "53,000원" not in before["answer"]
    started = time.monotonic()
    assert (
        knowledge_cli(["set", "passport_reissue", "fee.ko", "53,000원", "--by", "clerk"], out=io.StringIO())
        == 0
    )
    after = await answer(action, "여권 재발급 수수료 얼마예요")
    assert after["answer"] == "53,000원"
    assert time.monotonic() - started < 2.0


async def test_imported_service_is_answered_by_name(database: str) -> None:
    fee_action = ActionAnswerServiceFee(get_engine(database))
    overview_action = ActionAnswerServiceOverview(get_engine(database))
    unknown = await answer(fee_action, "반려동물 등록 수수료 얼마예요")
    assert unknown["utter_action"] != "utter_service_fee"
    started = time.monotonic()
    assert knowledge_cli(["import", str(NEW_SERVICE), "--by", "clerk"], out=io.StringIO()) == 0
    fee = await answer(fee_action, "반려동물 등록 수수료 얼마예요")
    overview = await answer(overview_action, "what is dog registration?", language="en")
    elapsed = time.monotonic() - started
    assert (fee["utter_action"], fee["service_name"], fee["answer"]) == (
        "utter_service_fee",
        "반려동물 등록",
        "내장형 칩 10,000원",
    )
    assert overview["service_name"] == "Pet registration" and overview["answer"].startswith("Dogs aged")
    assert elapsed < 2.0, elapsed
