"""Petitions: the right channel for each kind, and a draft holding the citizen's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions.petition_drafts import classify_petition, find_place, find_time, is_descriptive
from actions.petitions import ActionDraftPetition, ActionStartPetition, ValidatePetitionForm
from tests.records.trackers import make_tracker, seeded_engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return seeded_engine(tmp_path)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("불법주차 신고하고 싶어요", "safety"),
        ("우리 집 앞 도로에 포트홀이 생겼어요", "safety"),
        ("the streetlight near my house is broken", "safety"),
        ("주민센터 직원이 불친절해서 민원 넣고 싶어요", "complaint"),
        ("I want to complain about the bus service", "complaint"),
        ("공원에 벤치를 더 설치했으면 좋겠어요", "proposal"),
        ("I have a suggestion for the city", "proposal"),
        ("구청 예산 집행 내역 정보공개 청구하고 싶어요", "records"),
        ("I want to request public records", "records"),
        ("신고하고 싶어요", None),
    ],
)
def test_the_kind_of_petition(text: str, kind: Any) -> None:
    assert classify_petition(text) == kind


def test_what_where_and_when_already_said() -> None:
    text = "강남역 앞에 어제 밤부터 가로등이 꺼져 있어요"
    assert is_descriptive(text)
    assert find_place(text) == "강남역 앞"
    assert "어제" in (find_time(text) or "")
    assert not is_descriptive("민원 넣고 싶어요")
    assert find_place("The streetlight near Gangnam Station is broken") == "Gangnam Station"
    assert find_time("it has been broken since last week") == "last week"


async def test_the_first_message_prefills_what_it_says(engine: Engine) -> None:
    text = "강남역 앞에 어제 밤부터 가로등이 꺼져 있어요"
    dispatcher = CollectingDispatcher()
    events = await ActionStartPetition(lambda: engine).run(dispatcher, make_tracker(text, "file_petition"), {})
    values = {event["name"]: event["value"] for event in events if event["value"] is not None}
    assert values == {"petition_started": True, "petition_kind": "safety", "petition_what": text,
                      "petition_where": "강남역 앞", "petition_when": "어제"}
    # The first reply says where the report will go.
    assert dispatcher.messages[0]["utter_action"] == "utter_petition_intro"
    assert "안전신문고" in dispatcher.messages[0]["text"]


async def test_a_generic_request_prefills_nothing(engine: Engine) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("신고하고 싶어요", "file_petition")
    events = await ActionStartPetition(lambda: engine).run(dispatcher, tracker, {})
    assert [(event["name"], event["value"]) for event in events] == [("petition_started", True)]
    assert dispatcher.messages[0]["utter_action"] == "utter_petition_intro_any"


def test_what_cannot_be_skipped_but_where_and_when_can() -> None:
    form = ValidatePetitionForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("건너뛰기")
    assert form.validate_petition_what("건너뛰기", dispatcher, tracker, {}) == {"petition_what": None}
    assert dispatcher.messages[0]["utter_action"] == "utter_petition_what_needed"
    assert form.validate_petition_where("건너뛰기", dispatcher, tracker, {}) == {"petition_where": "skipped"}
    assert form.validate_petition_when("skip", dispatcher, tracker, {}) == {"petition_when": "skipped"}
    assert form.validate_petition_kind("정보공개 청구", dispatcher, tracker, {}) == {"petition_kind": "records"}


def test_a_resident_number_never_reaches_the_draft() -> None:
    form = ValidatePetitionForm()
    result = form.validate_petition_what("제 번호는 900101-1234567 이고 불법주차 신고합니다", CollectingDispatcher(),
                                         make_tracker("x"), {})
    assert "1234567" not in result["petition_what"]
    assert "******-*******" in result["petition_what"]


async def draft(engine: Engine, language: str, **slots: str) -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("", slots={"language": language, **slots})
    events = await ActionDraftPetition(lambda: engine).run(dispatcher, tracker, {})
    assert all(event["value"] is None for event in events)  # nothing kept after the draft
    messages: List[Dict[str, Any]] = dispatcher.messages
    assert len(messages) == 1
    return messages[0]


async def test_safety_report_draft(engine: Engine) -> None:
    what = "강남역 2번 출구 앞 가로등이 꺼져 있어서 밤에 위험해요"
    message = await draft(engine, "ko", petition_kind="safety", petition_what=what, petition_where="강남역 2번 출구 앞",
                          petition_when="지난주부터")
    assert message["utter_action"] == "utter_petition_draft_safety"
    assert f"내용: {what}" in message["text"]
    assert "장소: 강남역 2번 출구 앞" in message["text"] and "일시: 지난주부터" in message["text"]
    assert "제목: [안전 신고] " in message["text"]
    assert "safetyreport.go.kr" in message["text"] and "112" in message["text"]


async def test_complaint_draft_in_english_without_the_skipped_parts(engine: Engine) -> None:
    what = "The staff at the district office shouted at me when I asked for help."
    message = await draft(engine, "en", petition_kind="complaint", petition_what=what, petition_where="skipped",
                          petition_when="skipped")
    assert message["utter_action"] == "utter_petition_draft_complaint"
    assert f"What: {what}" in message["text"]
    assert "Where:" not in message["text"] and "When:" not in message["text"]
    assert "Title: [Complaint] " in message["text"]
    assert "epeople.go.kr" in message["text"]


async def test_records_request_draft(engine: Engine) -> None:
    what = "2025년 구청 축제 예산 집행 내역"
    message = await draft(engine, "ko", petition_kind="records", petition_what=what, petition_where="마포구청",
                          petition_when="2025년 1월~12월")
    assert message["utter_action"] == "utter_petition_draft_records"
    assert f"청구 정보: {what}" in message["text"]
    assert "대상 기관: 마포구청" in message["text"] and "대상 기간: 2025년 1월~12월" in message["text"]
    assert "open.go.kr" in message["text"] and "10일" in message["text"]


async def test_proposal_draft_goes_to_epeople(engine: Engine) -> None:
    what = "공원에 그늘막을 더 설치했으면 좋겠어요"
    message = await draft(engine, "ko", petition_kind="proposal", petition_what=what, petition_where="skipped",
                          petition_when="skipped")
    assert message["utter_action"] == "utter_petition_draft_proposal"
    assert what in message["text"] and "epeople.go.kr" in message["text"]
