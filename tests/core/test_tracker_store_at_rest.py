"""Nothing personal reaches the tracker store's files in clear (issue 14, item 2).

Every identifier form the parsers accept is written through the store in every
place an event can carry it (user text, parse data, entities, metadata, slots,
bot text, buttons, the bot event's metadata, an end-to-end action text); then
the raw bytes of the SQLite file and its write-ahead log are searched for the
digits. No Rasa server is needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from core.privacy import APPLICATION_MASK, BIRTH_DATE_MASK
from core.tracker_store import PENDING_SECONDS, MaskingSQLTrackerStore, mask_event_data

SECRET = b"test pepper for sealed slots"
NOW = 1_780_000_000.0  # a fixed clock: 2026-05-28

DOMAIN = Domain.from_dict(
    {
        "intents": ["check_application_status", "file_petition", "inform"],
        "entities": ["application_number", "birth_date", "service"],
        "slots": {
            "application_number": {"type": "any", "mappings": [{"type": "custom"}]},
            "birth_date": {"type": "any", "mappings": [{"type": "custom"}]},
            "petition_what": {"type": "text", "mappings": [{"type": "custom"}]},
            "answers": {"type": "any", "mappings": [{"type": "custom"}]},
            "requested_slot": {"type": "any", "mappings": [{"type": "custom"}]},
            "language": {"type": "text", "mappings": [{"type": "custom"}]},
        },
        "forms": {"application_status_form": {"required_slots": ["application_number", "birth_date"]}},
        "actions": ["action_check_application_status", "action_draft_petition"],
    }
)

#: Every form of every identifier that the parsers accept (or that must never be kept).
IDENTIFIERS = [
    "９００１０１－１２３４５６７",  # resident number, full width
    "900101-1234567",
    "900101 1234567",
    "9001011234567",
    "２０２６－００１２３４７",  # application number, full width
    "2026-0012347",
    "2026 001 2347",
    "20260012347",
    "1985-03-12",  # birth dates
    "1985 3 12",
    "12th of March, 1985",
    "March 12, 1985",
    "85년 3월 12",
    "1985년 3월 12일",
    "１９８５．０３．１２",
    "19850312",
    "850312",
    "010-9876-5432",  # a mobile phone number in free text
    "０１０ ９８７６ ５４３２",
]
FREE_TEXT = "가로등이 고장났어요. 연락처 010-9876-5432, 주민번호 900101-1234567, 생일 85년 3월 12"

#: Digit runs that must not appear anywhere in the files.
DIGIT_RUNS = ["1234567", "0012347", "001 2347", "19850312", "850312", "1985", "9876", "5432"]


def every_form(secret: str) -> Iterator[bytes]:
    """The ways ``secret`` can sit in the file: UTF-8, and as a JSON string with escapes."""
    yield secret.encode("utf-8")
    yield json.dumps(secret)[1:-1].encode("ascii")


def raw_bytes(folder: Path) -> bytes:
    """The SQLite database file and its write-ahead log (if any), as bytes."""
    return b"".join(path.read_bytes() for path in sorted(folder.glob("tracker.db*")))


def everything_tracker() -> DialogueStateTracker:
    """A conversation whose events carry every identifier form in every field."""
    text = " / ".join(IDENTIFIERS)
    tracker = DialogueStateTracker("citizen-1", DOMAIN.slots)
    tracker.update(SessionStarted(timestamp=NOW))
    tracker.update(ActionExecuted("action_listen", timestamp=NOW))
    entities = [
        {"entity": "application_number", "start": 0, "end": 12, "value": "２０２６－００１２３４７"},
        {"entity": "birth_date", "start": 13, "end": 20, "value": "85년 3월 12"},
        {"entity": "service", "start": 21, "end": 30, "value": "010-9876-5432"},
    ]
    tracker.update(
        UserUttered(
            text,
            intent={"name": "check_application_status", "confidence": 0.9},
            entities=entities,
            parse_data={
                "intent": {"name": "check_application_status", "confidence": 0.9},
                "entities": entities,
                "text": text,
                "intent_ranking": [{"name": "check_application_status", "confidence": 0.9}],
            },
            metadata={"raw": text, "nested": [{"deep": ["９００１０１－１２３４５６７", {"x": "19850312"}]}]},
            timestamp=NOW,
        )
    )
    tracker.update(ActiveLoop("application_status_form", timestamp=NOW))
    tracker.update(SlotSet("application_number", "2026-0012347", timestamp=NOW))
    tracker.update(SlotSet("birth_date", "1985-03-12", timestamp=NOW))
    tracker.update(SlotSet("petition_what", FREE_TEXT, timestamp=NOW))
    tracker.update(SlotSet("answers", {"phone": "010-9876-5432", "dates": ["1985 3 12", "850312"]}, timestamp=NOW))
    tracker.update(SlotSet("requested_slot", "birth_date", timestamp=NOW))
    tracker.update(
        BotUttered(
            "신청번호 2026-0012347 의 생년월일 1985-03-12 을 확인했습니다.",
            data={
                "buttons": [
                    {"title": "2026-0012347", "payload": '/check_application_status{"application_number": "20260012347"}'}
                ]
            },
            metadata={"utter_action": "utter_application_status", "number": "2026-0012347", "body": FREE_TEXT},
            timestamp=NOW,
        )
    )
    tracker.update(ActionExecuted(action_text="제 생일은 12th of March, 1985 이에요", timestamp=NOW))
    return tracker


def make_store(folder: Path, secret: bytes = SECRET, now: float = NOW) -> MaskingSQLTrackerStore:
    return MaskingSQLTrackerStore(
        domain=DOMAIN, host=f"sqlite:///{folder / 'tracker.db'}", seal_secret=secret, clock=lambda: now
    )


async def test_no_identifier_form_reaches_the_database_file_or_its_wal(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    await store.save(everything_tracker())

    for raw in (raw_bytes(tmp_path), b""):
        if not raw:  # once more after the WAL is checkpointed into the database file
            store.engine.dispose()
            raw = raw_bytes(tmp_path)
        assert raw, "the store wrote nothing"
        leaks: List[str] = [s for s in IDENTIFIERS + [FREE_TEXT] + DIGIT_RUNS for form in every_form(s) if form in raw]
        assert leaks == []
    # What is not personal is kept, so the conversation still reads.
    assert "가로등이 고장났어요".encode() in raw or json.dumps("가로등이 고장났어요")[1:-1].encode() in raw
    assert b"utter_application_status" in raw and b"check_application_status" in raw


async def test_the_conversation_reads_back_masked_with_the_pending_values_unsealed(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    await store.save(everything_tracker())

    restored = await make_store(tmp_path, now=NOW + 60).retrieve("citizen-1")

    assert restored is not None
    assert restored.get_slot("application_number") == "2026-0012347"  # the form can go on
    assert restored.get_slot("birth_date") == "1985-03-12"
    assert "900101" not in restored.get_slot("petition_what")
    assert "가로등이 고장났어요" in restored.get_slot("petition_what")
    assert restored.get_slot("answers") == {"phone": "***-****-****", "dates": [BIRTH_DATE_MASK, BIRTH_DATE_MASK]}
    user = restored.latest_message
    assert user is not None and user.intent["name"] == "check_application_status"
    assert {e["entity"]: e["value"] for e in user.entities} == {
        "application_number": APPLICATION_MASK,
        "birth_date": BIRTH_DATE_MASK,
        "service": "***-****-****",
    }
    bot = [e for e in restored.events if isinstance(e, BotUttered)][-1]
    assert bot.metadata["utter_action"] == "utter_application_status"
    assert bot.metadata["number"] == APPLICATION_MASK
    assert restored.active_loop_name == "application_status_form"


@pytest.mark.parametrize(
    ("secret", "later"),
    [(SECRET, PENDING_SECONDS + 1), (b"a pepper that changed", 60)],
    ids=["seal-expired", "another-key"],
)
async def test_a_restart_mid_form_empties_the_pending_slot_so_the_form_asks_again(
    tmp_path: Path, secret: bytes, later: float
) -> None:
    tracker = DialogueStateTracker("citizen-2", DOMAIN.slots)
    tracker.update(ActionExecuted("action_listen", timestamp=NOW))
    tracker.update(ActiveLoop("application_status_form", timestamp=NOW))
    tracker.update(SlotSet("application_number", "2026-0012347", timestamp=NOW))
    tracker.update(SlotSet("requested_slot", "birth_date", timestamp=NOW))
    await make_store(tmp_path).save(tracker)

    restarted = make_store(tmp_path, secret=secret, now=NOW + later)
    restored = await restarted.retrieve("citizen-2")

    assert restored is not None
    assert restored.active_loop_name == "application_status_form"
    assert restored.get_slot("application_number") is None  # asked again, not a crash
    assert restored.get_slot("requested_slot") == "birth_date"
    # The conversation goes on and is stored as usual.
    restored.update(SlotSet("application_number", "2026-0012347", timestamp=NOW + later))
    await restarted.save(restored)
    again = await restarted.retrieve("citizen-2")
    assert again is not None and again.get_slot("application_number") == "2026-0012347"


def test_mask_event_data_keeps_names_and_ids_and_leaves_its_argument_alone() -> None:
    event = SlotSet("application_number", ["2026-0012347"], timestamp=NOW).as_dict()
    original = json.loads(json.dumps(event))

    masked = mask_event_data(event)

    assert event == original
    assert masked["value"] == APPLICATION_MASK and masked["name"] == "application_number"
    reminder = {"event": "reminder", "name": "r1", "date_time": "2026-06-01T10:00:00", "intent": "remind"}
    assert mask_event_data(reminder) == reminder
