"""Rasa's SQL tracker store, made private and non-blocking.

``MaskingSQLTrackerStore`` is configured in endpoints.yml. It differs from
Rasa's ``SQLTrackerStore`` in three ways:

* It uses the project's one database (``DATABASE_URL``, default the SQLite file
  under ``var/``) unless endpoints.yml names another.
* What it writes is masked: resident registration numbers, application numbers
  and birth dates are hidden in user texts and in the entities of those types.
  A conversation never needs them back: actions read them from the live
  tracker of the current turn and keep what they need in slots.
* Once a sensitive slot (``application_number``, ``birth_date``) has been reset,
  its earlier values are scrubbed from the stored history too.
* Database work runs in a worker thread, so a slow disk or database never
  blocks Rasa's event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, Iterable, List, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import event as sa_event

from core.privacy import APPLICATION_MASK, BIRTH_DATE_MASK, mask_for_log
from core.settings import get_settings

logger = logging.getLogger(__name__)

SENSITIVE_SLOTS: Dict[str, str] = {"application_number": APPLICATION_MASK, "birth_date": BIRTH_DATE_MASK}
SENSITIVE_ENTITIES = SENSITIVE_SLOTS


def mask_event_data(data: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a serialised event with personal data masked.

    User texts are masked with :func:`core.privacy.mask_for_log`; entity values
    of sensitive types are replaced by their mask. Other events are unchanged.
    """
    if data.get("event") != "user":
        return data
    data = json.loads(json.dumps(data))
    if isinstance(data.get("text"), str):
        data["text"] = mask_for_log(data["text"])
    parse_data = data.get("parse_data") or {}
    if isinstance(parse_data.get("text"), str):
        parse_data["text"] = mask_for_log(parse_data["text"])
    for entity in parse_data.get("entities") or []:
        if entity.get("entity") in SENSITIVE_ENTITIES:
            entity["value"] = SENSITIVE_ENTITIES[entity["entity"]]
        elif isinstance(entity.get("value"), str):
            entity["value"] = mask_for_log(entity["value"])
    return data


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


class MaskingSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store that masks personal data and never blocks the event loop."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Any = None,
        **kwargs: Any,
    ) -> None:
        # Rasa's get_db_url takes a complete URL in `host`.
        host = host or get_settings().database_url
        if host.startswith("sqlite:///"):
            from pathlib import Path

            Path(host[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(domain=domain, host=host, event_broker=event_broker, **kwargs)
        if self.engine.dialect.name == "sqlite":
            sa_event.listen(self.engine, "connect", _sqlite_pragmas)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's new events, masked, in a worker thread."""
        await self.stream_events(tracker)
        await asyncio.to_thread(self._save_sync, tracker)

    def _save_sync(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            for event in list(self._additional_events(session, tracker)):
                data = mask_event_data(event.as_dict())
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            self._scrub_reset_slots(session, tracker)
            session.commit()

    def _scrub_reset_slots(self, session: Any, tracker: DialogueStateTracker) -> None:
        """Mask stored values of sensitive slots that the conversation has reset."""
        reset = [name for name in SENSITIVE_SLOTS if tracker.get_slot(name) is None]
        if not reset:
            return
        rows = (
            session.query(self.SQLEvent)
            .filter(
                self.SQLEvent.sender_id == tracker.sender_id,
                self.SQLEvent.type_name == "slot",
                self.SQLEvent.action_name.in_(reset),
            )
            .all()
        )
        for row in rows:
            data = json.loads(row.data)
            if data.get("value") not in (None, SENSITIVE_SLOTS[data.get("name", "")]):
                data["value"] = SENSITIVE_SLOTS[data["name"]]
                row.data = json.dumps(data)

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        return await asyncio.to_thread(self._retrieve_sync, sender_id, fetch_events_from_all_sessions)

    def _retrieve_sync(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).all()
            events: List[Dict[str, Any]] = [json.loads(row.data) for row in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def keys(self) -> Iterable[Text]:
        """Sender ids of every stored conversation."""
        return await asyncio.to_thread(self._keys_sync)

    def _keys_sync(self) -> List[Text]:
        with self.session_scope() as session:
            return [sender for (sender,) in session.query(self.SQLEvent.sender_id).distinct().all()]


__all__ = ["MaskingSQLTrackerStore", "mask_event_data", "SessionStarted"]
