"""The masking tracker store keeps conversations but not personal data."""

import json
import sqlite3
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from core.tracker_store import MaskingSQLTrackerStore

DOMAIN = Domain.from_dict(
    {
        "intents": ["check_application_status", "inform"],
        "entities": ["application_number", "birth_date"],
        "slots": {
            "application_number": {"type": "any", "mappings": [{"type": "custom"}]},
            "birth_date": {"type": "any", "mappings": [{"type": "custom"}]},
            "language": {"type": "text", "mappings": [{"type": "custom"}]},
        },
    }
)


SECRET = b"test pepper"


def raw_database(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("select data from events").fetchall()
    return "\n".join(json.dumps(json.loads(data), ensure_ascii=False) for (data,) in rows)


@pytest.fixture
def store(tmp_path: Path) -> MaskingSQLTrackerStore:
    return MaskingSQLTrackerStore(domain=DOMAIN, host=f"sqlite:///{tmp_path / 'tracker.db'}", seal_secret=SECRET)


async def test_user_texts_and_entities_are_masked(store: MaskingSQLTrackerStore, tmp_path: Path) -> None:
    tracker = DialogueStateTracker("citizen", DOMAIN.slots)
    tracker.update(
        UserUttered(
            "2026-0012345 상태 알려주세요, 생일은 1985-03-12, 주민번호 900101-1234567",
            intent={"name": "check_application_status", "confidence": 1.0},
            entities=[
                {"entity": "application_number", "start": 0, "end": 12, "value": "2026-0012345"},
                {"entity": "birth_date", "start": 26, "end": 36, "value": "1985-03-12"},
            ],
        )
    )
    tracker.update(BotUttered("확인해 볼게요"))
    await store.save(tracker)

    raw = raw_database(tmp_path / "tracker.db")
    for secret in ("0012345", "1985-03-12", "900101", "1234567"):
        assert secret not in raw
    assert "상태 알려주세요" in raw

    restored = await store.retrieve("citizen")
    assert restored is not None
    assert [e.text for e in restored.events if isinstance(e, BotUttered)] == ["확인해 볼게요"]


async def test_reset_sensitive_slots_are_scrubbed_from_history(store: MaskingSQLTrackerStore, tmp_path: Path) -> None:
    tracker = DialogueStateTracker("citizen", DOMAIN.slots)
    tracker.update(SlotSet("application_number", "2026-0012345"))
    tracker.update(SlotSet("language", "ko"))
    await store.save(tracker)
    assert "0012345" not in raw_database(tmp_path / "tracker.db")  # sealed, never in clear
    assert '"sealed"' in raw_database(tmp_path / "tracker.db")
    restored = await store.retrieve("citizen")
    assert restored is not None and restored.get_slot("application_number") == "2026-0012345"  # mid-form

    tracker.update(ActionExecuted("action_check_status"))
    tracker.update(SlotSet("application_number", None))
    await store.save(tracker)
    raw = raw_database(tmp_path / "tracker.db")
    assert "0012345" not in raw
    assert '"sealed"' not in raw
    assert '"ko"' in raw  # other slots untouched


async def test_history_survives_a_new_store_instance(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first = MaskingSQLTrackerStore(domain=DOMAIN, host=url, seal_secret=SECRET)
    tracker = DialogueStateTracker("citizen", DOMAIN.slots)
    tracker.update(UserUttered("안녕하세요", intent={"name": "inform", "confidence": 1.0}))
    await first.save(tracker)

    second = MaskingSQLTrackerStore(domain=DOMAIN, host=url, seal_secret=SECRET)
    restored = await second.retrieve("citizen")
    assert restored is not None and restored.latest_message.text == "안녕하세요"
    assert list(await second.keys()) == ["citizen"]


async def test_a_slot_kept_across_turns_is_scrubbed_once_a_later_turn_resets_it(
    store: MaskingSQLTrackerStore, tmp_path: Path
) -> None:
    """The scrub runs only on a save that can reset a sensitive slot, and that
    save still masks values stored several turns earlier."""
    tracker = DialogueStateTracker("citizen", DOMAIN.slots)
    tracker.update(SlotSet("application_number", "2026-0012347"))
    await store.save(tracker)
    tracker.update(SlotSet("language", "ko"))
    await store.save(tracker)
    assert '"sealed"' in raw_database(tmp_path / "tracker.db")  # still the live value of an open form

    tracker.update(SlotSet("application_number", None))
    await store.save(tracker)
    assert '"sealed"' not in raw_database(tmp_path / "tracker.db")


def test_the_store_pools_sqlite_connections_with_the_project_pragmas(store: MaskingSQLTrackerStore) -> None:
    from sqlalchemy import text
    from sqlalchemy.pool import QueuePool

    assert isinstance(store.engine.pool, QueuePool)
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
