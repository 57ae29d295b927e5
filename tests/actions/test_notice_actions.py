"""The notice offer after a status check, and the yes and stop actions (issue 20),
run through rasa_sdk with a real SQLite database."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.notices import ActionSubscribeNotices
from actions.status import ActionCheckApplicationStatus
from applications.statuses import ApplicationStatus
from core.db import session_scope
from records.models import NoticeSubscription
from records.notice_offers import offer_key
from tests.records.notice_support import BIRTH, HASHER, PEPPER, Clock, add_app, new_engine, tracker


async def check(engine, number: str, sender: str, channel: str | None, language: str = "ko"):
    action = ActionCheckApplicationStatus(
        engine_factory=lambda: engine, clock=Clock(), hasher_factory=lambda: HASHER
    )
    dispatcher = CollectingDispatcher()
    slots = {"application_number": number, "birth_date": BIRTH}
    events = await action.run(dispatcher, tracker(sender, channel, language, slots), {})
    return [m.get("utter_action") for m in dispatcher.messages], dispatcher.messages, events


def offer_of(events: List[Dict[str, Any]]) -> Any:
    return next((e["value"] for e in events if e.get("name") == "notice_offer"), None)


@pytest.mark.parametrize("channel", ["telegram", "kakao"])
async def test_a_messenger_that_can_push_gets_the_offer_with_buttons(tmp_path, channel):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    names, messages, events = await check(engine, number, f"{channel}:42", channel)
    assert names == ["utter_application_status_in_review", "utter_notice_offer"]
    assert [b["title"] for b in messages[-1]["buttons"]] == ["네, 알려 주세요", "아니요, 괜찮아요"]
    token = offer_of(events)
    assert token and token.isalpha() and number not in token
    # The number and birth date are still forgotten.
    assert {e["name"]: e["value"] for e in events if e["name"] != "notice_offer"} == {
        "application_number": None, "birth_date": None}


async def test_the_web_page_names_the_messengers_instead(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    names, messages, events = await check(engine, number, "web-visitor", "rest", "en")
    assert names == ["utter_application_status_in_review", "utter_notice_offer_web"]
    assert "Telegram" in messages[-1]["text"] and "KakaoTalk" in messages[-1]["text"]
    assert not messages[-1]["buttons"] and offer_of(events) is None


async def test_a_final_status_gets_no_offer(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.COMPLETED)
    names, _, events = await check(engine, number, "telegram:42", "telegram")
    assert names == ["utter_application_status_issued"] and offer_of(events) is None


async def test_yes_stores_the_subscription_once_and_only_for_its_own_conversation(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.RECEIVED)
    _, _, events = await check(engine, number, "telegram:42", "telegram")
    token = offer_of(events)
    action = ActionSubscribeNotices(engine_factory=lambda: engine, clock=Clock(),
                                    key_factory=lambda: offer_key(PEPPER))

    async def yes(sender: str, channel: str) -> str:
        dispatcher = CollectingDispatcher()
        await action.run(dispatcher, tracker(sender, channel, "ko", {"notice_offer": token}), {})
        return dispatcher.messages[0]["utter_action"]

    assert await yes("telegram:99", "telegram") == "utter_notice_no_offer"  # a copied token
    assert await yes("web-visitor", "rest") == "utter_notice_web_only"
    assert await yes("telegram:42", "telegram") == "utter_notice_subscribed"
    assert await yes("telegram:42", "telegram") == "utter_notice_subscribed"  # renewing is harmless
    with session_scope(engine) as session:
        rows = session.execute(select(NoticeSubscription.recipient, NoticeSubscription.channel)).all()
    assert rows == [("telegram:42", "telegram")]


async def test_yes_without_an_offer_explains_how_to_get_one(tmp_path):
    engine = new_engine(tmp_path)
    action = ActionSubscribeNotices(engine_factory=lambda: engine, clock=Clock(),
                                    key_factory=lambda: offer_key(PEPPER))
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker("telegram:42", "telegram", "en"), {})
    assert dispatcher.messages[0]["utter_action"] == "utter_notice_no_offer"
    assert dispatcher.messages[0]["text"].startswith("To sign up for notices")
    assert events == [{"event": "slot", "timestamp": None, "name": "notice_offer", "value": None}]
