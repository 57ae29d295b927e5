from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart


async def test_new_session_keeps_language_but_not_identifiers() -> None:
    tracker = Tracker.from_dict(
        {
            "sender_id": "citizen",
            "slots": {
                "language": "en",
                "language_locked": True,
                "application_number": "2026-0001019",
                "birth_date": "1985-03-12",
                "requested_slot": "birth_date",
                "current_service": None,
            },
            "latest_message": {},
            "events": [],
        }
    )
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker, {})
    assert events[0]["event"] == "session_started"
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"language": "en", "language_locked": True}
    assert events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
