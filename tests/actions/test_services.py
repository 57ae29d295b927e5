"""The service-answer actions, run the way the action server runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Tuple, Type

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions import services as service_actions
from actions.service_answers import topic_intent
from actions.services import ActionAnswerService
from core.db import get_engine
from knowledge.seed import CATALOGUE_DIR, seed_catalogue

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "bot" / "domain" / "services.yml"
RESPONSES_FILE = Path(__file__).resolve().parents[2] / "bot" / "responses" / "services.yml"
ACTIONS: Dict[str, Type[ActionAnswerService]] = {
    "overview": service_actions.ActionAnswerServiceOverview,
    "documents": service_actions.ActionAnswerServiceDocuments,
    "fee": service_actions.ActionAnswerServiceFee,
    "processing_time": service_actions.ActionAnswerServiceProcessingTime,
    "eligibility": service_actions.ActionAnswerServiceEligibility,
    "how_to_apply": service_actions.ActionAnswerServiceHowToApply,
    "where": service_actions.ActionAnswerServiceWhere,
    "deadline": service_actions.ActionAnswerServiceDeadline,
}
QUESTIONS = {
    "ko": {
        "overview": "이게 뭔가요",
        "documents": "필요한 서류 알려주세요",
        "fee": "수수료 얼마예요",
        "processing_time": "얼마나 걸려요",
        "eligibility": "누가 신청할 수 있어요",
        "how_to_apply": "어떻게 신청해요",
        "where": "어디서 해요",
        "deadline": "기한이 언제까지예요",
    },
    "en": {
        "overview": "what is it",
        "documents": "which documents",
        "fee": "how much is the fee",
        "processing_time": "how long does it take",
        "eligibility": "who can apply",
        "how_to_apply": "how do I apply",
        "where": "where do I go",
        "deadline": "is there a deadline",
    },
}


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = get_engine(f"sqlite:///{tmp_path}/actions.db")
    seed_catalogue(engine, CATALOGUE_DIR)
    return engine


def source_services() -> Dict[str, Dict[str, Any]]:
    """The catalogue entries read straight from the YAML (independently of the code under test)."""
    entries: Dict[str, Dict[str, Any]] = {}
    for path in sorted((CATALOGUE_DIR / "services").glob("*.yml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["services"]:
            entries[entry["id"]] = entry
    return entries


def tracker(
    text: str,
    intent: str,
    entities: List[Dict[str, Any]] | None = None,
    language: str = "ko",
    current_service: str | None = None,
) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "citizen",
            "slots": {"language": language, "current_service": current_service},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.9},
                "entities": entities or [],
            },
            "events": [],
        }
    )


async def ask(
    engine: Engine,
    topic: str,
    text: str,
    entities: List[Dict[str, Any]] | None = None,
    language: str = "ko",
    current_service: str | None = None,
) -> Tuple[List[Dict[str, Any]], list]:
    action = ACTIONS[topic](engine)
    dispatcher = CollectingDispatcher()
    events = await action.run(
        dispatcher, tracker(text, topic_intent(topic), entities, language, current_service), {}
    )
    return dispatcher.messages, events


def service_entity(text: str, value: str | None = None) -> List[Dict[str, Any]]:
    return [{"entity": "service", "value": value or text, "start": 0, "end": len(text)}]


def expected_fragments(entry: Dict[str, Any], topic: str, language: str) -> List[str]:
    """Texts from the source YAML that an answer about ``topic`` must contain."""
    if topic == "overview":
        return [entry["overview"][language]]
    if topic == "documents":
        return list(entry["documents"][language])
    if topic == "fee":
        fee = entry["fee"]
        return [fee[language]] if isinstance(fee, dict) else [f"{fee:,}"]
    if topic == "processing_time":
        return [entry["processing_time"][language]]
    if topic == "eligibility":
        return [entry["eligibility"]["text"][language]]
    if topic == "how_to_apply":
        ways = [entry["apply"].get("online"), entry["apply"].get("in_person")]
        return [way[language] for way in ways if way]
    if topic == "deadline":
        return [entry["deadline"][language]]
    return [entry["where"]["office_type"][language]]


def other_topics_fields(entry: Dict[str, Any], topic: str, language: str) -> List[str]:
    fields = []
    for other in ("overview", "processing_time", "eligibility"):
        if other != topic:
            fields += expected_fragments(entry, other, language)
    return fields


async def test_answers_carry_the_right_field_of_the_right_service_in_both_languages(engine: Engine) -> None:
    entries = source_services()
    assert len(entries) >= 40
    topics = list(ACTIONS)
    checked = set()
    for number, (service_id, entry) in enumerate(sorted(entries.items())):
        for language in ("ko", "en"):
            for topic in (topics[number % len(topics)], topics[(number + 3) % len(topics)]):
                name = entry["name"][language]
                text = f"{name} {QUESTIONS[language][topic]}"
                messages, events = await ask(engine, topic, text, service_entity(name), language)
                assert len(messages) == 1, (service_id, topic, language)
                message = messages[0]
                assert message["utter_action"] == f"utter_service_{topic}", (service_id, topic, message)
                assert message["service_name"] == name
                for fragment in expected_fragments(entry, topic, language):
                    assert fragment in message["answer"], (service_id, topic, language, fragment)
                for unrelated in other_topics_fields(entry, topic, language):
                    if unrelated not in expected_fragments(entry, topic, language):
                        assert unrelated != message["answer"], (service_id, topic, "answered another field")
                assert message["link"].startswith("http")
                assert message["reviewed"] == str(entry["last_reviewed"])
                assert events == [SlotSet("current_service", service_id)]
                checked.add((service_id, language))
    assert len({service_id for service_id, _ in checked}) >= 40


async def test_follow_ups_keep_the_service_and_follow_the_language(engine: Engine) -> None:
    messages, events = await ask(engine, "how_to_apply", "여권 재발급하려면요?")
    assert messages[0]["service_name"] == "여권 재발급"
    assert events == [SlotSet("current_service", "passport_reissue")]
    entry = source_services()["passport_reissue"]
    messages, events = await ask(engine, "fee", "수수료는요?", current_service="passport_reissue")
    assert messages[0]["answer"] == entry["fee"]["ko"]
    messages, _ = await ask(
        engine, "processing_time", "how long?", language="en", current_service="passport_reissue"
    )
    assert messages[0]["answer"] == entry["processing_time"]["en"]
    assert messages[0]["service_name"] == "Passport reissuance"


async def test_ambiguous_question_offers_one_button_per_candidate_keeping_the_question(
    engine: Engine,
) -> None:
    messages, events = await ask(engine, "fee", "여권 수수료 얼마예요")
    assert events == []
    assert messages[0]["utter_action"] == "utter_service_ask_which"
    payloads = {button["payload"] for button in messages[0]["buttons"]}
    assert payloads == {
        '/ask_service_fee{"service": "passport_issue"}',
        '/ask_service_fee{"service": "passport_reissue"}',
    }
    assert {button["title"] for button in messages[0]["buttons"]} == {"여권 발급 (신규)", "여권 재발급"}
    # The citizen presses a button: the payload carries the id as the entity.
    payload = '/ask_service_fee{"service": "passport_issue"}'
    messages, events = await ask(engine, "fee", payload, service_entity(payload, "passport_issue"))
    assert messages[0]["answer"] == source_services()["passport_issue"]["fee"]["ko"]
    assert events == [SlotSet("current_service", "passport_issue")]


async def test_ambiguity_is_settled_by_the_service_in_context(engine: Engine) -> None:
    messages, _ = await ask(engine, "fee", "여권 수수료 얼마예요", current_service="passport_issue")
    assert messages[0]["service_name"] == "여권 발급 (신규)"


async def test_unknown_service_says_so_and_suggests_buttons_or_the_call_centre(engine: Engine) -> None:
    messages, events = await ask(engine, "fee", "우주여행 허가 수수료", service_entity("우주여행 허가"))
    assert events == []
    assert messages[0]["utter_action"] in ("utter_service_not_found", "utter_service_not_found_no_suggestions")
    messages, _ = await ask(engine, "documents", "주민등록 관련 서류 알려주세요", language="en")
    response = messages[0]["utter_action"]
    assert response in ("utter_service_ask_which", "utter_service_not_found")
    for button in messages[0]["buttons"]:
        payload = json.loads("{" + button["payload"].split("{", 1)[1])
        assert button["payload"].startswith("/ask_service_documents")
        assert payload["service"].startswith("resident")


async def test_no_service_and_no_context_asks_which_service(engine: Engine) -> None:
    messages, events = await ask(engine, "fee", "/ask_service_fee")
    assert (messages[0]["utter_action"], events) == ("utter_service_ask_name", [])
    messages, _ = await ask(engine, "overview", "수수료는요?")
    assert messages[0]["utter_action"] == "utter_service_ask_name"


async def test_a_database_failure_gives_a_polite_answer(tmp_path: Path) -> None:
    broken = get_engine(f"sqlite:///{tmp_path}/no_tables.db")  # no schema: every query fails
    messages, events = await ask(broken, "fee", "여권 재발급 수수료")
    assert (messages[0]["utter_action"], events) == ("utter_service_unavailable", [])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "🙂🙂🙂",
        "<script>alert(1)</script>",
        "'; DROP TABLE catalogue_service; --",
        "가" * 10_000,
        "\x00\x01binary",
    ],
)
async def test_bad_input_gets_a_clear_answer(engine: Engine, text: str) -> None:
    messages, _ = await ask(engine, "overview", text)
    assert messages[0]["utter_action"] in (
        "utter_service_ask_name",
        "utter_service_not_found",
        "utter_service_not_found_no_suggestions",
    )


def test_domain_declares_every_action_and_bilingual_response() -> None:
    domain = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    followup = service_actions.ActionAnswerServiceFollowup(None).name()
    assert set(domain["actions"]) == {cls(None).name() for cls in ACTIONS.values()} | {followup}
    assert {f"ask_service_{topic}" for topic in ACTIONS} == set(domain["intents"])
    assert domain["slots"]["current_service"]["influence_conversation"] is False
    used = {f"utter_service_{topic}" for topic in ACTIONS} | {
        "utter_service_ask_which",
        "utter_service_not_found",
        "utter_service_not_found_no_suggestions",
        "utter_service_ask_name",
        "utter_service_unavailable",
        "utter_service_topic_missing",
        "utter_service_ask_which_last",
    }
    responses = yaml.safe_load(RESPONSES_FILE.read_text(encoding="utf-8"))["responses"]
    assert used <= set(responses)
    for name, variations in responses.items():
        languages = {v["condition"][0]["value"] for v in variations}
        assert languages == {"ko", "en"}, name
    for name in ("utter_service_not_found", "utter_service_not_found_no_suggestions"):
        assert all("110" in v["text"] for v in responses[name])
