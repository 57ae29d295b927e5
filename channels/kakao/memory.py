"""What the KakaoTalk channel remembers about each user between two requests.

A skill response shows at most 3 outputs, so the rest of a long answer waits
here until the user taps "더 보기" (More); an answer that came too late for its
request (and had no callback URL) waits here until "답변 보기" (Show answer). The
quick replies offered last are kept too, so the payload behind a tapped quick
reply can be trusted, and the language the user was last answered in.

Two memories keep this state with the same methods and meaning
(:class:`KakaoMemory`):

* :class:`~channels.kakao.shared_memory.SQLConversationMemory`, the channel's
  default: one row per user in the project's SQL database, so every Sanic
  worker and every Rasa replica sees the same state;
* :class:`ConversationMemory`: this process's memory only, for unit tests or
  a single process. After a restart, or on another worker, "더 보기" answers
  that the rest has expired.

Both forget a user ``ttl`` seconds (10 minutes by default) after the last use.
What they hold are the assistant's own answers and button titles and payloads,
never a citizen's message. :class:`UserState` holds the rules both follow.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Protocol, Sequence, Tuple

from channels.shared.buttons import ButtonChoice

Output = Dict[str, Any]

DEFAULT_TTL_SECONDS = 600.0
DEFAULT_CAPACITY = 10_000


@dataclass(frozen=True)
class Page:
    """The next outputs of a pending answer; ``more`` when others still follow."""

    outputs: Tuple[Output, ...]
    more: bool
    choices: Tuple[ButtonChoice, ...]
    language: Optional[str]


@dataclass
class UserState:
    """One user's state and the changes the channel makes to it (no expiry, no storage)."""

    pending: List[Output] = field(default_factory=list)
    choices: Tuple[ButtonChoice, ...] = ()
    language: Optional[str] = None
    waiting: bool = False

    def remember_answer(
        self,
        rest: Sequence[Output],
        choices: Sequence[ButtonChoice],
        language: Optional[str],
        keep_offered: bool,
    ) -> None:
        """Keep ``rest`` for "더 보기" and trust ``choices`` (and, with
        ``keep_offered``, the choices offered before whose titles differ);
        the answer is no longer being prepared."""
        self.pending = list(rest)
        if keep_offered:
            titles = {choice.title for choice in choices}
            self.choices = (*choices, *(choice for choice in self.choices if choice.title not in titles))
        else:
            self.choices = tuple(choices)
        self.waiting = False
        if language:
            self.language = language

    def offer(self, choices: Sequence[ButtonChoice], language: Optional[str]) -> None:
        """Trust only ``choices`` from now on; the pending answer stays."""
        self.choices = tuple(choices)
        if language:
            self.language = language

    def mark_waiting(self) -> None:
        """Drop the pending answer: a new one is being prepared."""
        self.pending = []
        self.waiting = True

    def take_page(self, size: int) -> Optional[Page]:
        """Remove and return the next ``size`` pending outputs; ``None`` when none are pending."""
        if not self.pending:
            return None
        page, self.pending = self.pending[:size], self.pending[size:]
        return Page(tuple(page), bool(self.pending), self.choices, self.language)

    def payload_for(self, payload: Optional[str] = None, title: Optional[str] = None) -> Optional[str]:
        """The payload of an offered choice whose payload is ``payload``, else
        of one whose title is ``title`` (spaces folded); ``None`` otherwise."""
        for choice in self.choices:
            if payload is not None and choice.payload == payload:
                return choice.payload
        for choice in self.choices:
            if title is not None and choice.title == " ".join(title.split()):
                return choice.payload
        return None


class KakaoMemory(Protocol):
    """What the channel needs from a memory; each method keeps or reads one user's state.

    ``blocking`` is True when the methods do I/O: the channel then calls them
    in a worker thread, never on the event loop.
    """

    blocking: bool

    def remember_answer(
        self,
        user: str,
        rest: Sequence[Output],
        choices: Sequence[ButtonChoice],
        language: Optional[str],
        *,
        keep_offered: bool = False,
    ) -> None: ...

    def offer(self, user: str, choices: Sequence[ButtonChoice], language: Optional[str]) -> None: ...

    def mark_waiting(self, user: str) -> None: ...

    def is_waiting(self, user: str) -> bool: ...

    def next_page(self, user: str, size: int) -> Optional[Page]: ...

    def payload_for(
        self, user: str, *, payload: Optional[str] = None, title: Optional[str] = None
    ) -> Optional[str]: ...

    def language(self, user: str) -> Optional[str]: ...

    def close(self) -> None: ...


@dataclass
class _Slot:
    expires: float
    state: UserState


class ConversationMemory:
    """Per-user state of the KakaoTalk channel in this process's memory, with
    expiry; at most ``capacity`` users (the least recently seen are forgotten first)."""

    blocking = False

    def __init__(
        self,
        ttl: float = DEFAULT_TTL_SECONDS,
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._capacity = capacity
        self._clock = clock
        self._users: OrderedDict[str, _Slot] = OrderedDict()

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
        self._touch(user).remember_answer(rest, choices, language, keep_offered)

    def offer(self, user: str, choices: Sequence[ButtonChoice], language: Optional[str]) -> None:
        """Remember the choices offered to ``user`` without touching a pending answer."""
        self._touch(user).offer(choices, language)

    def mark_waiting(self, user: str) -> None:
        """An answer for ``user`` is still being prepared and will be kept when ready."""
        self._touch(user).mark_waiting()

    def is_waiting(self, user: str) -> bool:
        """True while an answer for ``user`` is still being prepared."""
        state = self._state(user)
        return bool(state and state.waiting)

    def next_page(self, user: str, size: int) -> Optional[Page]:
        """Take the next ``size`` pending outputs of ``user``; ``None`` when none are pending."""
        state = self._state(user)
        return state.take_page(size) if state is not None else None

    def payload_for(self, user: str, *, payload: Optional[str] = None, title: Optional[str] = None) -> Optional[str]:
        """The payload of a choice offered to ``user`` whose payload is ``payload``
        or whose title is ``title``; ``None`` when no offered choice matches."""
        state = self._state(user)
        return state.payload_for(payload, title) if state is not None else None

    def language(self, user: str) -> Optional[str]:
        """The language ``user`` was last answered in, if remembered."""
        state = self._state(user)
        return state.language if state else None

    def close(self) -> None:
        """Nothing to release (the state simply goes with the process)."""

    def __len__(self) -> int:
        return len(self._users)

    def _state(self, user: str) -> Optional[UserState]:
        """The live state of ``user`` (its expiry renewed), or ``None``."""
        now = self._clock()
        self._expire(now)
        slot = self._users.get(user)
        if slot is None:
            return None
        self._users.move_to_end(user)
        slot.expires = now + self._ttl
        return slot.state

    def _touch(self, user: str) -> UserState:
        """The live state of ``user``, created when there is none."""
        state = self._state(user)
        if state is None:
            state = UserState()
            self._users[user] = _Slot(self._clock() + self._ttl, state)
            while len(self._users) > self._capacity:
                self._users.popitem(last=False)
        return state

    def _expire(self, now: float) -> None:
        while self._users:
            user, slot = next(iter(self._users.items()))
            if slot.expires > now:
                break
            del self._users[user]
