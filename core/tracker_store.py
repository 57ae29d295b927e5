"""Rasa's SQL tracker store, made private and non-blocking.

``MaskingSQLTrackerStore`` is configured in endpoints.yml. It differs from
Rasa's ``SQLTrackerStore`` in these ways:

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
* The ``events`` table gets the indexes Rasa's queries need
  (:func:`ensure_event_indexes`), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import AllSlotsReset, Event, Restarted, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from core.db import create_project_engine
from core.privacy import APPLICATION_MASK, BIRTH_DATE_MASK, mask_for_log
from core.rasa_speedups import install_rasa_speedups
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


#: Indexes on Rasa's ``events`` table for the queries it runs on every turn:
#: a conversation's events in id order, and the start of its latest session.
EVENT_INDEXES: Dict[str, Tuple[str, ...]] = {
    "ix_events_sender_id_id": ("sender_id", "id"),
    "ix_events_sender_type_timestamp": ("sender_id", "type_name", "timestamp"),
}

#: PostgreSQL advisory lock held while the indexes are made (replicas start together).
EVENT_INDEX_LOCK_KEY = 7406150002


def ensure_event_indexes(engine: Engine) -> None:
    """Create the :data:`EVENT_INDEXES` on ``events`` unless they exist.

    Rasa creates the table and indexes only ``sender_id``; reading one
    conversation then sorts all its rows and finds the latest session start
    by scanning them. ``CREATE INDEX IF NOT EXISTS`` works on SQLite and
    PostgreSQL; on PostgreSQL an advisory lock keeps two replicas that start
    together from creating the same index at once.
    """
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({EVENT_INDEX_LOCK_KEY})")
        for name, columns in EVENT_INDEXES.items():
            connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON events ({', '.join(columns)})")


def _resets_sensitive_slot(events: Iterable[Event]) -> bool:
    """Whether any of ``events`` can end a sensitive slot's value: the slot set
    to None, all slots reset, a restart or a new session."""
    for event in events:
        if isinstance(event, SlotSet) and event.key in SENSITIVE_SLOTS and event.value is None:
            return True
        if isinstance(event, (AllSlotsReset, Restarted, SessionStarted)):
            return True
    return False


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
        # Rasa's engine opens a new SQLite connection for every session and
        # never checks a pooled server connection; the project's engine pools
        # SQLite connections with the project's pragmas (WAL,
        # synchronous=NORMAL, busy timeout) and pings a PostgreSQL connection
        # before use, so a database restart costs no failed turn.
        url = self.engine.url.render_as_string(hide_password=False)
        self.engine.dispose()
        self.engine = create_project_engine(url)
        self.sessionmaker = sessionmaker(bind=self.engine)
        ensure_event_indexes(self.engine)
        install_rasa_speedups()

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's new events, masked, in a worker thread."""
        await self.stream_events(tracker)
        await asyncio.to_thread(self._save_sync, tracker)

    def _save_sync(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            for event in new_events:
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
            if _resets_sensitive_slot(new_events):
                self._scrub_reset_slots(session, tracker)
            session.commit()

    def _scrub_reset_slots(self, session: Any, tracker: DialogueStateTracker) -> None:
        """Mask stored values of sensitive slots that the conversation has reset.

        Called only when the events being saved can reset one (see
        :func:`_resets_sensitive_slot`): before that, a stored value is the
        slot's current one, which the conversation still needs.
        """
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


__all__ = ["MaskingSQLTrackerStore", "ensure_event_indexes", "mask_event_data", "SessionStarted"]
