"""Open figures at /api/v1/figures(.csv) (issue 17, item 4): checked against the OpenAPI
document the gateway serves; groups under five conversations are suppressed."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List

import pytest
from aiohttp.test_utils import TestClient
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine

from channels.web.app import create_app
from channels.web.options import GatewayOptions
from channels.web.public_api.figures import public_rows
from core.db import create_schema, get_engine
from core.settings import get_settings
from core.tracker_store import MaskingSQLTrackerStore
from records.figures import monthly_cube
from tests.channels.web.test_public_api import Contract
from tests.records.insight_support import DOMAIN, SECRET, epoch, fill_store

#: (month, channel, language, how many one-message conversations), on top of insight_support's five.
EXTRA = [(5, "web", "ko", 6), (5, "telegram", "en", 2), (5, "kakao", "ko", 4), (6, "web", "ko", 5), (6, "kakao", "ko", 6)]


async def add_conversations(database: Path) -> None:
    store = MaskingSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{database}", seal_secret=SECRET)
    for month, channel, language, count in EXTRA:
        for number in range(count):
            at = epoch(datetime(2026, month, 10, 3, number))
            tracker = DialogueStateTracker(f"{channel}-{month}-{number}", DOMAIN.slots)
            tracker.update(SessionStarted(timestamp=at))
            text = "여권 재발급" if language == "ko" else "passport renewal"
            tracker.update(UserUttered(text, intent={"name": "ask_service_fee", "confidence": 0.9}, timestamp=at + 1,
                                       input_channel="rest" if channel == "web" else channel,
                                       metadata={"channel": "web"} if channel == "web" else {}))
            tracker.update(ActionExecuted("action_answer_service_fee", timestamp=at + 2))
            tracker.update(BotUttered("answer", timestamp=at + 3))
            await store.save(tracker)
    store.engine.dispose()


@pytest.fixture
async def engine(tmp_path: Path) -> Engine:
    database = tmp_path / "api.db"
    engine = create_schema(get_engine(f"sqlite:///{database}"))
    await fill_store(database, engine)
    await add_conversations(database)
    return engine


@pytest.fixture
def make_api(aiohttp_client: Any, engine: Engine, tmp_path: Path):
    async def make(**overrides: Any) -> TestClient:
        settings = get_settings({"RASA_PORT": "9", "ASSISTANT_VAR_DIR": str(tmp_path), "DATABASE_URL": str(engine.url)})
        return await aiohttp_client(create_app(settings, GatewayOptions.from_settings(settings, **overrides)))

    return make


def by_key(rows: List[Dict[str, Any]]) -> Dict[tuple, Dict[str, Any]]:
    return {(row["month"], row["channel"], row["language"]): row for row in rows}


async def test_monthly_figures_follow_the_contract_and_suppress_small_groups(make_api: Any) -> None:
    client = await make_api()
    contract = Contract(await (await client.get("/api/v1/openapi.json")).json())

    response = await client.get("/api/v1/figures")
    body = await response.json()

    assert response.status == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    contract.check("/api/v1/figures", 200, body)
    assert body["minimum_group"] == 5
    rows = by_key(body["items"])
    may = rows[("2026-05", "all", "all")]
    assert (may["suppressed"], may["conversations"], may["messages"], may["containment_rate"]) == (False, 12, 12, 1.0)
    assert may["median_response_seconds"] == 2.0
    assert rows[("2026-05", "web", "all")]["conversations"] == 6
    assert rows[("2026-05", "telegram", "all")] | {} == {
        "month": "2026-05", "channel": "telegram", "language": "all", "suppressed": True,
        **{key: None for key in ("conversations", "messages", "containment_rate", "fallback_rate", "handoff_rate",
                                 "helpful_rate", "median_turns", "median_response_seconds")},
    }
    assert rows[("2026-05", "kakao", "all")]["suppressed"] is True
    # English (2) is hidden, so Korean (10) is hidden too: 12 - 10 would give it away.
    assert rows[("2026-05", "all", "en")]["suppressed"] and rows[("2026-05", "all", "ko")]["suppressed"]
    assert rows[("2026-06", "kakao", "all")]["conversations"] == 6 and rows[("2026-06", "web", "all")]["conversations"] == 5
    assert rows[("2026-06", "all", "ko")]["conversations"] == 11
    for key in (("2026-02", "all", "all"), ("2026-03", "all", "all"), ("2026-04", "web", "all")):
        assert rows[key]["suppressed"] and rows[key]["conversations"] is None
    shown = [row for row in body["items"] if not row["suppressed"]]
    assert shown and all(row["conversations"] >= 5 for row in shown)

    again = await client.get("/api/v1/figures", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304


async def test_the_csv_has_the_same_rows_with_suppressed_numbers_empty(make_api: Any) -> None:
    client = await make_api()
    json_rows = (await (await client.get("/api/v1/figures")).json())["items"]

    response = await client.get("/api/v1/figures.csv")
    text = (await response.read()).decode("utf-8-sig")

    assert response.status == 200 and response.content_type == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(json_rows)
    telegram = next(row for row in rows if row["month"] == "2026-05" and row["channel"] == "telegram")
    assert telegram["suppressed"] == "true" and telegram["conversations"] == "" and telegram["messages"] == ""
    june = next(row for row in rows if row["month"] == "2026-06" and row["channel"] == "all" and row["language"] == "all")
    assert (june["suppressed"], june["conversations"]) == ("false", "11")


def test_a_single_hidden_channel_hides_the_next_smallest(engine: Engine) -> None:
    rows = by_key(public_rows(monthly_cube(engine)))
    # June: web 5 and kakao 6 are both shown; no group is hidden, so nothing more is.
    assert not rows[("2026-06", "web", "all")]["suppressed"]
    # March: the month itself has 3 conversations: everything in it is hidden.
    assert all(row["suppressed"] for key, row in rows.items() if key[0] == "2026-03")
