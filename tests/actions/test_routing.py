"""Life events: the checklist of services, from the catalogue database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions.routing import ActionListLifeEventServices
from core.db import session_scope
from knowledge.models import LifeEvent
from knowledge.seed import CATALOGUE_DIR
from tests.records.trackers import make_tracker, seeded_engine

LIFE_EVENTS = yaml.safe_load((CATALOGUE_DIR / "life_events.yml").read_text(encoding="utf-8"))["life_events"]
EVENT_IDS = [event["id"] for event in LIFE_EVENTS]


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return seeded_engine(tmp_path)


async def run(engine: Engine, **tracker: Any) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await ActionListLifeEventServices(lambda: engine).run(dispatcher, make_tracker(**tracker), {})
    return dispatcher.messages


def test_the_catalogue_has_the_nine_life_events() -> None:
    assert len(EVENT_IDS) == 9


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("event", LIFE_EVENTS, ids=EVENT_IDS)
async def test_each_event_lists_its_bundle_in_order_with_buttons(engine: Engine, event: Dict, language: str) -> None:
    entities = [{"entity": "life_event", "value": event["id"]}]
    messages = await run(engine, text="x", intent="report_life_event", entities=entities,
                         slots={"language": language})
    assert len(messages) == 1
    message = messages[0]
    assert message["utter_action"] == "utter_life_event_checklist"
    assert message["service_ids"] == event["services"]
    payloads = [button["payload"] for button in message["buttons"]]
    assert payloads == [f"/ask_service_overview{json.dumps({'service': sid})}" for sid in event["services"]]
    # numbered, one line per service, named in the citizen's language
    assert f"1. {message['buttons'][0]['title']} — " in message["text"]
    assert f"{len(event['services'])}. " in message["text"]
    assert event["name"][language] in message["text"]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("아기를 낳았어요", "ko", "birth"),
        ("회사에서 잘렸어요 ㅠ", "ko", "job_loss"),
        ("we just moved to Busan", "en", "moving"),
        ("my mom passed away last week", "en", "death_in_family"),
        ("I just arrived in Korea", "en", "foreign_resident_arrival"),
    ],
)
async def test_the_event_is_found_from_the_triggers_without_an_entity(
    engine: Engine, text: str, language: str, expected: str
) -> None:
    messages = await run(engine, text=text, intent="report_life_event", slots={"language": language})
    assert messages[0]["life_event"] == expected


async def test_a_trigger_added_by_staff_works_at_once(engine: Engine) -> None:
    assert (await run(engine, text="배우자와 합가했어요"))[0]["utter_action"] == "utter_life_event_ask_which"
    with session_scope(engine) as session:
        event = session.get(LifeEvent, "marriage")
        event.triggers_ko = [*event.triggers_ko, "배우자와 합가했어요"]
    assert (await run(engine, text="배우자와 합가했어요"))[0]["life_event"] == "marriage"


async def test_moving_mentions_the_region_for_the_move_in_report(engine: Engine) -> None:
    entities = [{"entity": "life_event", "value": "moving"}, {"entity": "region", "value": "부산광역시"}]
    ko = (await run(engine, text="부산으로 이사 왔어요", entities=entities))[0]["text"]
    assert "전입신고" in ko and "부산광역시" in ko and "주민센터" in ko
    en = (await run(engine, text="we moved to Busan", entities=entities, slots={"language": "en"}))[0]["text"]
    assert "부산광역시" in en and "within 14 days" in en


async def test_birth_says_what_the_one_stop_service_covers(engine: Engine) -> None:
    entities = [{"entity": "life_event", "value": "birth"}]
    text = (await run(engine, text="아기를 낳았어요", entities=entities))[0]["text"]
    assert "행복출산 원스톱서비스로 한 번에 신청하실 수 있어요" in text
    assert "부모급여" in text and "아동수당" in text


@pytest.mark.parametrize("language", ["ko", "en"])
async def test_an_unknown_event_asks_which_with_nine_buttons(engine: Engine, language: str) -> None:
    messages = await run(engine, text="무슨 일이 생겼어요" if language == "ko" else "something happened",
                         slots={"language": language})
    assert messages[0]["utter_action"] == "utter_life_event_ask_which"
    payloads = [button["payload"] for button in messages[0]["buttons"]]
    assert payloads == [f"/report_life_event{json.dumps({'life_event': e})}" for e in EVENT_IDS]
