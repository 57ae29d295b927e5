"""The review inbox (issue 17, item 3): collect, label, export, validate."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine

from core.db import create_schema, get_engine
from records.cli import main
from records.repository import record_feedback
from records.review import (
    ReviewError,
    collect,
    domain_intents,
    export_training,
    find_span,
    is_safe_example,
    label,
    list_items,
    state_counts,
)
from tests.records.insight_support import fill_store, utc

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def engine(tmp_path: Path) -> Engine:
    database = tmp_path / "assistant.db"
    engine = create_schema(get_engine(f"sqlite:///{database}"))
    await fill_store(database, engine)
    return engine


def _by_text(engine: Engine) -> dict:
    return {row.text: row for row in list_items(engine, state=None)}


BOB = "how do I renew my licence"
CAROL = "여기 뭐 하는 데예요"


def test_fallbacks_low_confidence_guesses_and_thumbs_down_land_in_the_inbox_once(engine: Engine) -> None:
    assert collect(engine) == 4
    found = sorted((row.source, row.text, row.guessed_intent) for row in list_items(engine))
    assert found == [
        ("low_confidence", "***-****-****로 연락주세요", "inform"),  # the store masked the phone number
        ("nlu_fallback", BOB, "ask_service_how_to_apply"),  # the classifier's fallback; its best guess
        ("nlu_fallback", CAROL, "greet"),  # understood, but answered by the fallback action
        ("thumbs_down", BOB, None),
    ]
    bob = next(row for row in list_items(engine, source="nlu_fallback") if row.text == BOB)
    assert bob.confidence == pytest.approx(0.35) and bob.language == "en" and bob.channel == "telegram"
    assert next(row for row in list_items(engine, source="low_confidence")).confidence == 0.5

    assert collect(engine) == 0  # nothing twice
    record_feedback(engine, sender_id="erin", helpful=False, language="ko", intent="check_application_status",
                    service_id=None, question="신청번호 2026-0012347 어떻게 됐어요", at=utc(2026, 3, 25))
    assert collect(engine) == 1
    newest = list_items(engine)[0]
    assert "2026-0012347" not in newest.text and "****-*******" in newest.text


def test_labelled_items_export_as_rasa_nlu_yaml_without_identifiers(engine: Engine) -> None:
    collect(engine)
    record_feedback(engine, sender_id="erin", helpful=False, language="ko", intent="check_application_status",
                    service_id=None, question="신청번호 2026-0012347 어떻게 됐어요", at=utc(2026, 3, 25))
    collect(engine)
    fallback = next(row for row in list_items(engine, source="nlu_fallback") if row.text == BOB)
    carol = next(row for row in list_items(engine, source="nlu_fallback") if row.text == CAROL)
    thumbs = next(row for row in list_items(engine, source="thumbs_down") if row.text == BOB)
    phone = next(row for row in list_items(engine, source="low_confidence"))
    masked = next(row for row in list_items(engine) if "****-*******" in row.text)

    accepted = label(engine, fallback.id, "accepted", "trainer1", "ask_service_how_to_apply",
                     find_span(fallback.text, "licence"), "driver-licence-renewal")
    assert accepted.service_text == "licence" and accepted.reviewed_by == "trainer1"
    label(engine, carol.id, "out_of_scope", "trainer1")
    label(engine, thumbs.id, "ignored", "trainer1")
    label(engine, masked.id, "accepted", "trainer1", "check_application_status")
    label(engine, phone.id, "accepted", "trainer1", "inform")
    assert state_counts(engine) == {"open": 0, "accepted": 3, "out_of_scope": 1, "ignored": 1}

    result = export_training(engine)

    data = yaml.safe_load(result.text)
    assert data["version"] == "3.1"
    examples = {block["intent"]: block["examples"] for block in data["nlu"]}
    assert examples == {
        "ask_service_how_to_apply": "- how do I renew my [licence](service)\n",
        "out_of_scope": "- 여기 뭐 하는 데예요\n",
    }
    assert (result.examples, result.skipped) == (2, 2)  # the two masked ones are left out
    assert "*" not in result.text and "2026" not in result.text
    assert export_training(engine, language="ko").examples == 1


def test_bad_labels_are_refused(engine: Engine) -> None:
    collect(engine)
    item = list_items(engine)[0]
    with pytest.raises(ReviewError):
        label(engine, item.id, "accepted", "t", "no_such_intent")
    with pytest.raises(ReviewError):
        label(engine, item.id, "accepted", "t", "nlu_fallback")
    with pytest.raises(ReviewError):
        label(engine, item.id, "accepted", "t", "greet", (0, 999))
    with pytest.raises(ReviewError):
        label(engine, 9999, "ignored", "t")
    with pytest.raises(ReviewError):
        find_span(item.text, "not in it")
    assert "ask_service_fee" in domain_intents() and "share_resident_number" not in domain_intents()
    assert not is_safe_example("내 생일은 1990년 1월 2일") and is_safe_example("여권 재발급")
    reopened = label(engine, item.id, "ignored", "t")
    assert label(engine, reopened.id, "open", "t").reviewed_by is None


def test_the_commands_label_and_export_a_file_rasa_accepts(engine: Engine, tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["review"], out=out, engine=engine) == 0
    assert "New items collected: 4" in out.getvalue() and BOB in out.getvalue()
    fallback = next(row for row in list_items(engine, source="nlu_fallback") if row.text == BOB)
    low = next(row for row in list_items(engine, source="nlu_fallback") if row.text == CAROL)

    out = io.StringIO()
    assert main(["label", str(fallback.id), "--intent", "ask_service_how_to_apply", "--service", "licence"],
                out=out, engine=engine) == 0
    assert main(["label", str(low.id), "--out-of-scope"], out=out, engine=engine) == 0
    assert main(["label", str(low.id), "--intent", "nope"], out=out, engine=engine) == 1
    assert "Could not label" in out.getvalue()

    exported = tmp_path / "export" / "reviewed.yml"
    out = io.StringIO()
    assert main(["export-training", "--out", str(exported)], out=out, engine=engine) == 0
    assert "Wrote 2 example(s)" in out.getvalue()

    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("rasa")), "data", "validate", "--config", "config.yml",
         "--domain", "bot/domain", "--data", str(exported)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_unanswered_questions_are_read_without_writing_and_grouped_biggest_first(engine: Engine) -> None:
    from datetime import datetime

    from records.review import unanswered_questions
    from records.review_groups import group_questions

    questions = unanswered_questions(engine)
    assert [(q.source, q.text) for q in questions] == [
        ("nlu_fallback", BOB), ("thumbs_down", BOB), ("nlu_fallback", CAROL),
    ]
    assert state_counts(engine)["open"] == 0  # nothing was collected
    assert [q.text for q in unanswered_questions(engine, since=datetime(2026, 3, 15))] == [CAROL]

    groups = group_questions([q.text for q in questions], [q.at for q in questions])
    assert [(g.count, g.examples) for g in groups] == [(2, [BOB]), (1, [CAROL])]


def test_alike_questions_share_a_group_by_morphemes_or_spelling() -> None:
    from records.review_groups import group_questions

    groups = group_questions([
        "여권 재발급 어디서 해요", "날씨 어때요", "여권 재발급은 어디서 하나요", "여권 재발급 어디서 해요",
        "how do I renew my passport", "renew passport how", "여권재발급 어디서해요",
    ])
    assert [group.count for group in groups] == [4, 2, 1]
    assert set(groups[0].examples) == {"여권 재발급 어디서 해요", "여권 재발급은 어디서 하나요", "여권재발급 어디서해요"}
    assert "여권" in groups[0].keywords and groups[2].examples == ["날씨 어때요"]
