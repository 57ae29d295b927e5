"""Rasa's SQL tracker store, made private and non-blocking.

``MaskingSQLTrackerStore`` is configured in endpoints.yml. It differs from
Rasa's ``SQLTrackerStore`` in these ways:

* It uses the project's one database (``DATABASE_URL``, default the SQLite file
  under ``var/``) unless endpoints.yml names another.
* Every string it writes is masked (:func:`mask_event_data`): user and bot
  texts, slot values (inside lists and dicts too), entity values, metadata
  (including the values an action passed to ``utter()``, which Rasa stores again
  in the bot event's metadata), parse data and action texts, for every event
  type. Only names (event types, actions, intents, slots, entity types) and ids
  are kept as they are. The live tracker of the current turn is not changed.
* The sensitive slots (``application_number``, ``birth_date``, ``callback_phone``) are written as
  their mask, always. While a form is open the next turn still needs the value,
  so it is also kept *sealed*: encrypted and authenticated (Fernet) with a key
  derived from the birth-date pepper (``ASSISTANT_HASH_SALT`` or the key file
  under ``var/``, never the database). A sealed value opens for
  :data:`PENDING_SECONDS` only, the longest a form can stay open (one session);
  after that, or with another key, the slot comes back empty and the form asks
  again. ``python -m records purge`` removes expired seals from disk.
* Once a sensitive slot has been reset, its seals are scrubbed from the stored
  history.
* Database work runs in a worker thread, so a slow disk or database never
  blocks Rasa's event loop.
* The ``events`` table gets the indexes Rasa's queries need
  (:func:`ensure_event_indexes`), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import logging
import threading
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Text, Tuple

from cryptography.fernet import Fernet, InvalidToken
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import AllSlotsReset, Event, Restarted, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from core.db import create_project_engine, create_tables
from core.outage import TrackerStoreUnavailable
from core.privacy import APPLICATION_MASK, BIRTH_DATE_MASK, PHONE_MASK, mask_citizen_text, mask_for_log
from core.rasa_speedups import install_rasa_speedups
from core.settings import get_settings

logger = logging.getLogger(__name__)

#: Slots written as their mask and kept only sealed while a form needs them
#: (``callback_phone``: the number a citizen leaves for a call-back, actions/callback.py).
SENSITIVE_SLOTS: Dict[str, str] = {
    "application_number": APPLICATION_MASK,
    "birth_date": BIRTH_DATE_MASK,
    "callback_phone": PHONE_MASK,
}
SENSITIVE_ENTITIES = SENSITIVE_SLOTS


#: Keys whose string values name things (event types, actions, intents, slots,
#: entity types, policies, channels) or identify them (message ids, reminder
#: times), never what a citizen typed; every other string is masked.
STRUCTURAL_KEYS = frozenset(
    {
        "event", "name", "policy", "message_id", "input_channel", "entity", "extractor", "role",
        "group", "intent_name", "action_name", "utter_action", "date_time", "intent_response_key",
    }
)

#: The key under which a sealed (encrypted) sensitive slot value is stored.
SEALED_KEY = "sealed"

#: How long a sealed sensitive slot value can be opened: one session (the
#: domain's ``session_expiration_time`` is 60 minutes), the longest a form lives.
PENDING_SECONDS = 60 * 60


def _mask_tree(value: Any, mask: Callable[[str], str] = mask_for_log) -> Any:
    """``value`` with ``mask`` applied to every string except those under :data:`STRUCTURAL_KEYS`."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {
            key: item if key in STRUCTURAL_KEYS and not isinstance(item, (dict, list)) else _mask_tree(item, mask)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_mask_tree(item, mask) for item in value]
    return value


def _mask_entities(entities: Any) -> None:
    """Replace the values of sensitive entities by their mask, in place."""
    for entity in entities if isinstance(entities, list) else []:
        if isinstance(entity, dict) and entity.get("entity") in SENSITIVE_ENTITIES:
            entity["value"] = SENSITIVE_ENTITIES[entity["entity"]]


def mask_event_data(data: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a serialised event of any type with personal data masked.

    Every string is passed through :func:`core.privacy.mask_for_log` (a
    citizen's message through :func:`core.privacy.mask_citizen_text`), except
    names and ids (:data:`STRUCTURAL_KEYS`); a sensitive slot's value and a
    sensitive entity's value are replaced by their mask whatever they hold.
    ``data`` itself is not changed.
    """
    # What a citizen wrote loses every phone number; the assistant's replies keep agencies' numbers.
    mask = mask_citizen_text if data.get("event") == "user" else mask_for_log
    masked: Dict[str, Any] = _mask_tree(data, mask)  # builds new dicts and lists: ``data`` stays as it was
    if masked.get("event") == "slot" and masked.get("name") in SENSITIVE_SLOTS and masked.get("value") is not None:
        masked["value"] = SENSITIVE_SLOTS[masked["name"]]
    parse_data = masked.get("parse_data")
    if isinstance(parse_data, dict):
        _mask_entities(parse_data.get("entities"))
    _mask_entities(masked.get("entities"))
    return masked


def derive_seal_key(secret: bytes) -> bytes:
    """The Fernet key for sealed slot values, derived from ``secret`` (the
    birth-date pepper) so that the database alone never opens them."""
    digest = hmac.new(secret, b"assistant tracker store: pending slot values v1", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest)


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


def prepare_tracker_tables(url: Optional[str] = None) -> None:
    """Create Rasa's tracker tables and :data:`EVENT_INDEXES` in the database at
    ``url`` (default ``DATABASE_URL``) now. :mod:`core.serve_rasa` calls this
    once before Rasa forks its workers: each worker's store then finds them,
    instead of two workers racing to create them and one logging an error."""
    engine = create_project_engine(url or get_settings().database_url)
    try:
        create_tables(SQLTrackerStore.Base.metadata, engine)
        ensure_event_indexes(engine)
    finally:
        engine.dispose()


def _resets_sensitive_slot(events: Iterable[Event]) -> bool:
    """Whether any of ``events`` can end a sensitive slot's value: the slot set
    to None, all slots reset, a restart or a new session."""
    for event in events:
        if isinstance(event, SlotSet) and event.key in SENSITIVE_SLOTS and event.value is None:
            return True
        if isinstance(event, (AllSlotsReset, Restarted, SessionStarted)):
            return True
    return False


# Rasa's own queries (SQLTrackerStore._event_query) written once as SQL text:
# the same rows in the same order, without SQLAlchemy building and hashing an
# ORM query on every turn (profiled: about a tenth of Rasa's CPU).
_LATEST_SESSION_START = (
    "(SELECT MAX(timestamp) FROM events WHERE sender_id = :sender_id AND type_name = 'session_started')"
)
_IN_LATEST_SESSION = (
    "FROM events WHERE sender_id = :sender_id AND (timestamp >= " + _LATEST_SESSION_START
    + " OR " + _LATEST_SESSION_START + " IS NULL)"
)
_LATEST_SESSION_EVENTS = text("SELECT data " + _IN_LATEST_SESSION + " ORDER BY id")  # noqa: S608 - constants only
_COUNT_LATEST_SESSION = text("SELECT COUNT(*) " + _IN_LATEST_SESSION)  # noqa: S608 - constants only
_ALL_EVENTS = text("SELECT data FROM events WHERE sender_id = :sender_id ORDER BY id")


#: A save the database refuses is tried this often, with this pause between.
SAVE_ATTEMPTS = 2
SAVE_RETRY_PAUSE_SECONDS = 0.5


class MaskingSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store that masks personal data and never blocks the event loop."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Any = None,
        seal_secret: Optional[bytes] = None,
        clock: Optional[Callable[[], float]] = None,
        **kwargs: Any,
    ) -> None:
        """Open the store. ``seal_secret`` (default: the birth-date pepper,
        loaded on first use) keys the sealed slot values; ``clock`` (default
        ``time.time``) says when a seal expires."""
        self._seal_secret = seal_secret
        self._fernet: Optional[Fernet] = None
        self._fernet_lock = threading.Lock()
        self._clock: Callable[[], float] = clock or time.time
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
        """Store the tracker's new events, masked, in a worker thread.

        A write the database refuses (locked past the busy timeout, a server
        gone) is tried once more after a short pause; then
        :class:`TrackerStoreUnavailable` is raised, and :mod:`core.outage`
        makes Rasa answer with an error instead of keeping the turn in memory.
        """
        await self.stream_events(tracker)
        for attempt in range(1, SAVE_ATTEMPTS + 1):
            try:
                await asyncio.to_thread(self._save_sync, tracker)
                return
            except DBAPIError as error:
                logger.warning("saving a conversation failed (attempt %d of %d): %s",
                               attempt, SAVE_ATTEMPTS, type(error.orig).__name__)
                if attempt == SAVE_ATTEMPTS:
                    raise TrackerStoreUnavailable("the conversation could not be saved") from error
                await asyncio.sleep(SAVE_RETRY_PAUSE_SECONDS)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The conversation's latest session; :class:`TrackerStoreUnavailable`
        when the database cannot be read (never a fresh conversation instead)."""
        try:
            return await super().retrieve(sender_id)
        except DBAPIError as error:
            raise TrackerStoreUnavailable("the conversation could not be read") from error

    def _seal(self) -> Fernet:
        """The Fernet of sealed values; the pepper is read (perhaps created) once,
        in the worker thread that first needs it."""
        with self._fernet_lock:
            if self._fernet is None:
                secret = self._seal_secret
                if secret is None:
                    from applications.hashing import load_pepper

                    secret = load_pepper()
                self._fernet = Fernet(derive_seal_key(secret))
            return self._fernet

    def _stored_event(self, event: Event) -> Dict[str, Any]:
        """The masked form of ``event`` that is written; a sensitive slot value is sealed alongside."""
        original = event.as_dict()
        data = mask_event_data(original)
        if isinstance(event, SlotSet) and event.key in SENSITIVE_SLOTS and event.value is not None:
            plain = json.dumps(original.get("value"), ensure_ascii=False).encode("utf-8")
            data[SEALED_KEY] = self._seal().encrypt_at_time(plain, int(self._clock())).decode("ascii")
        return data

    def _opened_event(self, data: Dict[str, Any]) -> Dict[str, Any]:
        """A stored event as Rasa reads it: a sensitive slot holds its sealed
        value while the seal is valid, otherwise nothing (the form asks again)."""
        sealed = data.pop(SEALED_KEY, None)
        if data.get("event") != "slot" or data.get("name") not in SENSITIVE_SLOTS or data.get("value") is None:
            return data
        data["value"] = None
        if isinstance(sealed, str):
            try:
                plain = self._seal().decrypt_at_time(sealed.encode("ascii"), PENDING_SECONDS, int(self._clock()))
                data["value"] = json.loads(plain.decode("utf-8"))
            except (InvalidToken, ValueError):
                logger.info("a pending %s could not be opened (expired or another key); it is asked again",
                            data.get("name"))
        return data

    def _save_sync(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            rows = []
            for event in new_events:
                data = self._stored_event(event)
                rows.append({
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                })
            if rows:  # one multi-row insert, not an ORM object and flush per event
                session.execute(self.SQLEvent.__table__.insert(), rows)
            if _resets_sensitive_slot(new_events):
                self._scrub_reset_slots(session, tracker)
            session.commit()

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The tracker's events that are not stored yet (Rasa's rule: those after
        as many events as the latest session has in the table)."""
        stored = session.execute(_COUNT_LATEST_SESSION, {"sender_id": tracker.sender_id}).scalar_one()
        return itertools.islice(tracker.events, stored, len(tracker.events))

    def _scrub_reset_slots(self, session: Any, tracker: DialogueStateTracker) -> None:
        """Drop the seals (and mask any clear value left by an older version) of
        sensitive slots that the conversation has reset.

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
            if SEALED_KEY in data or data.get("value") not in (None, SENSITIVE_SLOTS[data.get("name", "")]):
                data.pop(SEALED_KEY, None)
                if data.get("value") is not None:
                    data["value"] = SENSITIVE_SLOTS[data["name"]]
                row.data = json.dumps(data)

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        return await asyncio.to_thread(self._retrieve_sync, sender_id, fetch_events_from_all_sessions)

    def _retrieve_sync(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        query = _ALL_EVENTS if fetch_events_from_all_sessions else _LATEST_SESSION_EVENTS
        with self.session_scope() as session:
            stored = session.execute(query, {"sender_id": sender_id}).scalars().all()
            events: List[Dict[str, Any]] = [self._opened_event(json.loads(data)) for data in stored]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def keys(self) -> Iterable[Text]:
        """Sender ids of every stored conversation."""
        return await asyncio.to_thread(self._keys_sync)

    def _keys_sync(self) -> List[Text]:
        with self.session_scope() as session:
            return [sender for (sender,) in session.query(self.SQLEvent.sender_id).distinct().all()]


__all__ = [
    "MaskingSQLTrackerStore",
    "PENDING_SECONDS",
    "SEALED_KEY",
    "derive_seal_key",
    "ensure_event_indexes",
    "mask_event_data",
    "SessionStarted",
]
