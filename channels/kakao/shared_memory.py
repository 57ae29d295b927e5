"""The KakaoTalk channel's per-user state in the project's SQL database, shared
by every Sanic worker and Rasa replica.

A user's requests may reach any Rasa process: the page after "더 보기", the
late answer behind "답변 보기", the quick replies that may be trusted, the last
reply language and the "still preparing" flag must be seen by all of them.
:class:`SQLConversationMemory` keeps them in one row per user of the
``kakao_memory`` table, with the same methods and meaning as
:class:`~channels.kakao.memory.ConversationMemory`:

* the row holds JSON of the outputs still to show, the offered choices
  (title, payload, url), the language, the waiting flag and ``expires``, a
  wall-clock time (epoch seconds, comparable across machines);
* every method is one short transaction. Those that change the state (the
  read-modify-write of :meth:`~SQLConversationMemory.next_page`,
  :meth:`~SQLConversationMemory.remember_answer`,
  :meth:`~SQLConversationMemory.offer`, :meth:`~SQLConversationMemory.mark_waiting`)
  hold the user's row from the read to the write: ``BEGIN IMMEDIATE`` on
  SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL (after an
  ``INSERT ... ON CONFLICT DO NOTHING``, so a brand-new user has a row to
  lock). Two processes never serve the same page twice;
* a change renews the expiry; a read renews it once a tenth of ``ttl`` has
  passed since the last renewal, so most reads write nothing. Expired rows
  count as absent and are deleted every ``purge_interval`` seconds;
* the table is created on first use (on its own ``MetaData``, like the lock
  store's); the engine is made on first use too, and again in a forked
  worker, so no connection crosses a ``fork``.

The calls are synchronous and small (an indexed row read and write); the
channel runs them in a worker thread. A database that fails or stays locked
longer than ``BUSY_TIMEOUT_MS`` is logged (the error's type only) and treated
as "nothing remembered": the citizen gets an answer, never a 500.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from sqlalchemy import Boolean, Column, Float, MetaData, String, Table, delete, func, inspect, select
from sqlalchemy import Text as SqlText
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from channels.kakao.memory import DEFAULT_TTL_SECONDS, Output, Page, UserState
from channels.shared.buttons import ButtonChoice
from core.db import create_project_engine, take_write_lock
from core.settings import get_settings

logger = logging.getLogger(__name__)

#: How long a call waits for another process's write on SQLite before giving up.
BUSY_TIMEOUT_MS = 2000

#: How often one process deletes the expired rows.
DEFAULT_PURGE_INTERVAL_SECONDS = 60.0

#: A read renews the expiry once this share of the ttl has passed since the last renewal.
RENEW_FRACTION = 0.1

T = TypeVar("T")
#: Given the live state (or None), return the state to store (None: write nothing) and a result.
StateChange = Callable[[Optional[UserState]], Tuple[Optional[UserState], T]]

_metadata = MetaData()
memory_table = Table(
    "kakao_memory",
    _metadata,
    Column("user_key", String(255), primary_key=True),
    Column("pending", SqlText, nullable=False),
    Column("choices", SqlText, nullable=False),
    Column("language", String(16), nullable=True),
    Column("waiting", Boolean, nullable=False),
    Column("expires", Float, nullable=False, index=True),
)


def state_row(state: UserState) -> Dict[str, Any]:
    """The columns (all but the key and the expiry) that store ``state``."""
    return {
        "pending": json.dumps(state.pending, ensure_ascii=False, separators=(",", ":")),
        "choices": json.dumps(
            [{"title": choice.title, "payload": choice.payload, "url": choice.url} for choice in state.choices],
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        "language": state.language,
        "waiting": bool(state.waiting),
    }


def row_state(row: Any) -> UserState:
    """The state a row (with the columns of :func:`state_row`) stores."""
    choices = tuple(
        ButtonChoice(str(item["title"]), payload=item.get("payload"), url=item.get("url"))
        for item in json.loads(row.choices or "[]")
    )
    pending: List[Output] = list(json.loads(row.pending or "[]"))
    return UserState(pending=pending, choices=choices, language=row.language, waiting=bool(row.waiting))


class SQLConversationMemory:
    """Per-user state of the KakaoTalk channel in a SQL table (see the module docstring).

    ``url`` is the database (default: ``DATABASE_URL``, read on first use);
    ``clock`` gives wall-clock seconds (``time.time``).
    """

    blocking = True

    def __init__(
        self,
        url: Optional[str] = None,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        purge_interval: float = DEFAULT_PURGE_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._url = url
        self._ttl = ttl
        self._purge_interval = purge_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._engine: Optional[Engine] = None
        self._engine_pid = 0
        self._next_purge = 0.0

    # -- the memory's methods (same meaning as ConversationMemory) ---------------------------------

    def remember_answer(
        self,
        user: str,
        rest: Sequence[Output],
        choices: Sequence[ButtonChoice],
        language: Optional[str],
        *,
        keep_offered: bool = False,
    ) -> None:
        """Keep the outputs not shown yet and the choices offered with them.

        With ``keep_offered`` (an answer kept for later while other quick
        replies are on screen), the choices offered before stay valid too.
        """

        def change(state: Optional[UserState]) -> Tuple[Optional[UserState], None]:
            state = state or UserState()
            state.remember_answer(rest, choices, language, keep_offered)
            return state, None

        self._guarded("remember_answer", None, lambda: self._modify(user, change, create=True))

    def offer(self, user: str, choices: Sequence[ButtonChoice], language: Optional[str]) -> None:
        """Remember the choices offered to ``user`` without touching a pending answer."""

        def change(state: Optional[UserState]) -> Tuple[Optional[UserState], None]:
            state = state or UserState()
            state.offer(choices, language)
            return state, None

        self._guarded("offer", None, lambda: self._modify(user, change, create=True))

    def mark_waiting(self, user: str) -> None:
        """An answer for ``user`` is still being prepared and will be kept when ready."""

        def change(state: Optional[UserState]) -> Tuple[Optional[UserState], None]:
            state = state or UserState()
            state.mark_waiting()
            return state, None

        self._guarded("mark_waiting", None, lambda: self._modify(user, change, create=True))

    def is_waiting(self, user: str) -> bool:
        """True while an answer for ``user`` is still being prepared."""
        state = self._guarded("is_waiting", None, lambda: self._read(user))
        return bool(state and state.waiting)

    def next_page(self, user: str, size: int) -> Optional[Page]:
        """Take the next ``size`` pending outputs of ``user``; ``None`` when none are pending.

        Atomic across processes: each page is served once.
        """

        def change(state: Optional[UserState]) -> Tuple[Optional[UserState], Optional[Page]]:
            page = state.take_page(size) if state is not None else None
            return (state if page is not None else None), page

        return self._guarded("next_page", None, lambda: self._modify(user, change, create=False))

    def payload_for(self, user: str, *, payload: Optional[str] = None, title: Optional[str] = None) -> Optional[str]:
        """The payload of a choice offered to ``user`` whose payload is ``payload``
        or whose title is ``title``; ``None`` when no offered choice matches."""
        state = self._guarded("payload_for", None, lambda: self._read(user))
        return state.payload_for(payload, title) if state is not None else None

    def language(self, user: str) -> Optional[str]:
        """The language ``user`` was last answered in, if remembered."""
        state = self._guarded("language", None, lambda: self._read(user))
        return state.language if state is not None else None

    def __len__(self) -> int:
        """How many users have a live (unexpired) state."""
        with self._connect().connect() as connection:
            count = connection.execute(
                select(func.count()).select_from(memory_table).where(memory_table.c.expires > self._clock())
            ).scalar()
        return int(count or 0)

    def purge(self) -> int:
        """Delete the expired rows now; returns how many."""
        with self._connect().begin() as connection:
            result = connection.execute(delete(memory_table).where(memory_table.c.expires <= self._clock()))
        return int(result.rowcount or 0)

    def close(self) -> None:
        """Close this process's connections (a later call connects again)."""
        with self._lock:
            engine, self._engine = self._engine, None
        if engine is not None:
            engine.dispose()

    # -- storage ------------------------------------------------------------------------------------

    def _connect(self) -> Engine:
        """This process's engine, made (and the table created) on first use."""
        with self._lock:
            if self._engine is not None and self._engine_pid == os.getpid():
                return self._engine
            if self._engine is not None:
                # A forked worker: leave the parent's connections to the parent.
                self._engine.dispose(close=False)
            engine = create_project_engine(self._url or get_settings().database_url, busy_timeout_ms=BUSY_TIMEOUT_MS)
            _create_table(engine)
            self._engine, self._engine_pid = engine, os.getpid()
            return engine

    def _read(self, user: str) -> Optional[UserState]:
        """The live state of ``user``, or ``None``; renews the expiry when due."""
        now = self._clock()
        engine = self._connect()
        with engine.connect() as connection:
            row = connection.execute(select(memory_table).where(memory_table.c.user_key == user)).first()
        if row is None or row.expires <= now:
            return None
        if row.expires - now < self._ttl * (1 - RENEW_FRACTION):
            with engine.begin() as connection:
                connection.execute(
                    memory_table.update()
                    .where(memory_table.c.user_key == user, memory_table.c.expires > now)
                    .values(expires=now + self._ttl)
                )
        return row_state(row)

    def _modify(self, user: str, change: StateChange[T], *, create: bool) -> T:
        """Apply ``change`` to the live state of ``user`` in one transaction
        that holds the row from the read to the write; returns its result.

        ``create``: the change may make a state for a user without one (on
        PostgreSQL an empty row is inserted first, so there is a row to lock).
        """
        engine = self._connect()
        dialect = engine.dialect.name
        now = self._clock()
        with engine.begin() as connection:
            query = select(memory_table).where(memory_table.c.user_key == user)
            take_write_lock(connection)  # SQLite: no other process reads the row in between
            if dialect != "sqlite":
                if create and dialect == "postgresql":
                    from sqlalchemy.dialects.postgresql import insert

                    connection.execute(
                        insert(memory_table)
                        .values(user_key=user, expires=now, **state_row(UserState()))
                        .on_conflict_do_nothing(index_elements=[memory_table.c.user_key])
                    )
                query = query.with_for_update()
            row = connection.execute(query).first()
            live = row_state(row) if row is not None and row.expires > now else None
            state, result = change(live)
            if state is not None:
                self._write(connection, user, state, now + self._ttl, exists=row is not None)
        self._purge_when_due(now)
        return result

    def _write(self, connection: Connection, user: str, state: UserState, expires: float, *, exists: bool) -> None:
        values = {**state_row(state), "expires": expires}
        if exists:
            connection.execute(memory_table.update().where(memory_table.c.user_key == user).values(**values))
        else:
            connection.execute(memory_table.insert().values(user_key=user, **values))

    def _purge_when_due(self, now: float) -> None:
        with self._lock:
            if now < self._next_purge:
                return
            self._next_purge = now + self._purge_interval
        try:
            self.purge()
        except SQLAlchemyError as error:  # the change itself is done; the next purge retries
            logger.warning("Could not delete expired KakaoTalk channel memory (%s)", type(error).__name__)

    def _guarded(self, operation: str, default: T, call: Callable[[], T]) -> T:
        """``call()``, or ``default`` (logged) when the database fails."""
        try:
            return call()
        except SQLAlchemyError as error:
            # The error's text carries the statement's parameters (answers,
            # user keys): only its type is logged.
            logger.error(
                "The KakaoTalk channel memory failed in %s (%s); answering as if nothing was remembered",
                operation,
                type(error).__name__,
            )
            return default


def _create_table(engine: Engine) -> None:
    """Create the table unless it exists (another replica may be creating it at the same time)."""
    try:
        _metadata.create_all(engine)
    except SQLAlchemyError:
        if not inspect(engine).has_table(memory_table.name):
            raise
