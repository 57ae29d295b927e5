"""A tracker store filled with known conversations, for the issue-17 tests.

Every figure these conversations give is counted by hand in the tests. The
conversations are written through the project's masking tracker store, as the
assistant writes them, with the handoff and feedback records beside them.

=====  ========  ========  ===  ====  =========  ====================  ===================
who    month     channel   lng  msgs  fallbacks  response times (s)    records
=====  ========  ========  ===  ====  =========  ====================  ===================
alice  2026-03   web       ko   2     0          2, 4                  thumbs-up
bob    2026-03   telegram  en   2     1 (nlu)    1, 3                  handoff requested, thumbs-down
carol  2026-03   kakao     ko   2     1 (core)   6                     handoff repeated_fallback
alice  2026-04   web       ko   1     0          3                     -
dave   2026-02   web       en   1     0          1                     -
=====  ========  ========  ===  ====  =========  ====================  ===================
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Engine

from core.tracker_store import MaskingSQLTrackerStore
from records.repository import record_feedback, record_handoff

SECRET = b"test pepper"
DOMAIN = Domain.from_dict(
    {
        "intents": ["greet", "thank", "inform", "human_handoff", "ask_service_fee", "ask_service_documents"],
        "entities": ["service"],
        "slots": {
            "language": {"type": "text", "mappings": [{"type": "custom"}]},
            "current_service": {"type": "text", "mappings": [{"type": "custom"}]},
        },
    }
)


def utc(*parts: int) -> datetime:
    """A naive UTC time."""
    return datetime(*parts)


def epoch(moment: datetime) -> float:
    """Seconds since the epoch of a naive UTC time."""
    return moment.replace(tzinfo=timezone.utc).timestamp()


ALICE_MARCH = utc(2026, 3, 10, 1, 0)
BOB = utc(2026, 3, 12, 5, 0)
CAROL = utc(2026, 3, 20, 10, 0)
ALICE_APRIL = utc(2026, 4, 2, 2, 0)
DAVE = utc(2026, 2, 20, 8, 0)


def _start(tracker: DialogueStateTracker, at: float) -> None:
    tracker.update(ActionExecuted("action_session_start", timestamp=at))
    tracker.update(SessionStarted(timestamp=at))
    tracker.update(ActionExecuted("action_listen", timestamp=at))


def _user(
    tracker: DialogueStateTracker,
    at: float,
    text: str,
    intent: str,
    confidence: float,
    channel: str,
    entities: Optional[List[Dict[str, Any]]] = None,
    ranking: Optional[List[Dict[str, Any]]] = None,
    web: bool = False,
) -> None:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
    }
    tracker.update(
        UserUttered(
            text, intent=parse["intent"], entities=entities or [], parse_data=parse, timestamp=at,
            input_channel=channel, metadata={"channel": "web"} if web else {},
        )
    )


def _reply(tracker: DialogueStateTracker, at: float, action: str, text: str) -> None:
    tracker.update(ActionExecuted(action, timestamp=at))
    tracker.update(BotUttered(text, timestamp=at))
    tracker.update(ActionExecuted("action_listen", timestamp=at))


async def fill_store(database: Union[Path, str], engine: Engine) -> None:
    """Write the five conversations of the table above, and their records, into
    the SQLite file ``database`` (or the database at the URL ``database``)."""
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    store = MaskingSQLTrackerStore(domain=DOMAIN, host=url, seal_secret=SECRET)

    alice = DialogueStateTracker("alice", DOMAIN.slots)
    t = epoch(ALICE_MARCH)
    _start(alice, t)
    _user(alice, t + 10, "여권 재발급 수수료 얼마예요", "ask_service_fee", 0.92, "rest",
          [{"entity": "service", "value": "passport-reissue", "start": 0, "end": 6}], web=True)
    alice.update(SlotSet("current_service", "passport-reissue", timestamp=t + 11))
    _reply(alice, t + 12, "action_answer_service_fee", "수수료는 53,000원이에요.")
    _user(alice, t + 20, "감사합니다", "thank", 0.99, "rest", web=True)
    _reply(alice, t + 24, "utter_thank", "천만에요.")
    t = epoch(ALICE_APRIL)
    _start(alice, t)
    _user(alice, t + 1, "주민등록등본 발급 서류", "ask_service_documents", 0.9, "rest", web=True)
    alice.update(SlotSet("current_service", "resident-copy", timestamp=t + 2))
    _reply(alice, t + 4, "action_answer_service_documents", "신분증이 필요해요.")

    bob = DialogueStateTracker("bob", DOMAIN.slots)
    t = epoch(BOB)
    _start(bob, t)
    bob.update(SlotSet("language", "en", timestamp=t))
    _user(bob, t + 5, "how do I renew my licence", "nlu_fallback", 0.4, "telegram",
          ranking=[{"name": "nlu_fallback", "confidence": 0.4},
                   {"name": "ask_service_how_to_apply", "confidence": 0.35}])
    _reply(bob, t + 6, "action_handle_fallback", "Sorry, I did not understand.")
    _user(bob, t + 30, "talk to a person", "human_handoff", 0.97, "telegram")
    _reply(bob, t + 33, "action_human_handoff", "Call 110.")

    carol = DialogueStateTracker("carol", DOMAIN.slots)
    t = epoch(CAROL)
    _start(carol, t)
    _user(carol, t + 1, "여기 뭐 하는 데예요", "greet", 0.55, "kakao")
    carol.update(ActionExecuted("action_handle_fallback", timestamp=t + 2))
    carol.update(BotUttered("다시 말씀해 주세요.", timestamp=t + 7))
    carol.update(ActionExecuted("action_listen", timestamp=t + 7))
    _user(carol, t + 20, "010-1234-5678로 연락주세요", "inform", 0.5, "kakao")

    dave = DialogueStateTracker("dave", DOMAIN.slots)
    t = epoch(DAVE)
    _start(dave, t)
    _user(dave, t + 1, "hello", "greet", 0.99, "rest", web=True)
    _reply(dave, t + 2, "utter_greet", "Hello!")

    for tracker in (alice, bob, carol, dave):
        await store.save(tracker)
    store.engine.dispose()

    record_feedback(engine, sender_id="alice", helpful=True, language="ko", intent="ask_service_fee",
                    service_id="passport-reissue", question="여권 재발급 수수료 얼마예요",
                    at=utc(2026, 3, 10, 1, 0, 30))
    record_handoff(engine, sender_id="bob", reason="requested", language="en", service_id=None, agency_id=None,
                   open_now=True, transcript=[], at=utc(2026, 3, 12, 5, 0, 34))
    record_feedback(engine, sender_id="bob", helpful=False, language="en", intent=None, service_id=None,
                    question="how do I renew my licence", at=utc(2026, 3, 12, 5, 0, 40))
    record_handoff(engine, sender_id="carol", reason="repeated_fallback", language="ko", service_id=None,
                   agency_id=None, open_now=False, transcript=[], at=utc(2026, 3, 20, 10, 0, 25))
