"""Building rasa_sdk trackers and seeded databases for the issue-5 tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from sqlalchemy.engine import Engine

from core.db import create_schema, get_engine
from knowledge.seed import CATALOGUE_DIR, seed_catalogue


def seeded_engine(tmp_path: Path) -> Engine:
    """A fresh SQLite database with every table and the real catalogue."""
    engine = get_engine(f"sqlite:///{tmp_path}/routing.db")
    seed_catalogue(engine, CATALOGUE_DIR)
    return create_schema(engine)


def user_event(text: str, intent: str = "inform", entities: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    """A user event as Rasa sends it to the action server."""
    return {
        "event": "user",
        "text": text,
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
    }


def bot_event(text: str, utter_action: Optional[str] = None) -> Dict[str, Any]:
    """A bot message event."""
    return {"event": "bot", "text": text, "metadata": {"utter_action": utter_action} if utter_action else {}}


def action_event(name: str) -> Dict[str, Any]:
    """An executed action."""
    return {"event": "action", "name": name}


def make_tracker(
    text: str = "",
    intent: str = "inform",
    entities: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    sender_id: str = "citizen-1",
    active_loop: Optional[str] = None,
) -> Tracker:
    """A tracker whose latest message is ``text``; ``events`` precede it (the message is appended)."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    history = list(events or []) + [user_event(text, intent, entities)]
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": {"language": "ko", **(slots or {})},
            "latest_message": latest,
            "events": history,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )
