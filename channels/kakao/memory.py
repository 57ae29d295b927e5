"""What the KakaoTalk channel remembers about each user between two requests.

A skill response shows at most 3 outputs, so the rest of a long answer waits
here until the user taps "더 보기" (More); an answer that came too late for its
request (and had no callback URL) waits here until "답변 보기" (Show answer). The
quick replies offered last are kept too, so the payload behind a tapped quick
reply can be trusted, and the language the user was last answered in.

Kept in this process's memory only, for ``ttl`` seconds (10 minutes by
default) and for at most ``capacity`` users (the least recently seen are
forgotten first). Nothing is written anywhere: after a restart, or on another
Rasa replica, "더 보기" answers that the rest has expired. Replies held here are
the assistant's own answers, never a citizen's message.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from channels.shared.buttons import ButtonChoice

Output = Dict[str, Any]

DEFAULT_TTL_SECONDS = 600.0
DEFAULT_CAPACITY = 10_000


@dataclass
class _UserState:
    expires: float
    pending: List[Output] = field(default_factory=list)
    choices: Tuple[ButtonChoice, ...] = ()
    language: Optional[str] = None
    waiting: bool = False


@dataclass(frozen=True)
class Page:
    """The next outputs of a pending answer; ``more`` when others still follow."""

    outputs: Tuple[Output, ...]
    more: bool
    choices: Tuple[ButtonChoice, ...]
    language: Optional[str]


class ConversationMemory:
    """Per-user state of the KakaoTalk channel, in memory, with expiry."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL_SECONDS,
        capacity: int = DEFAULT_CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._capacity = capacity
        self._clock = clock
        self._users: OrderedDict[str, _UserState] = OrderedDict()

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
        state = self._touch(user)
        state.pending = list(rest)
        if keep_offered:
            titles = {choice.title for choice in choices}
            state.choices = (*choices, *(choice for choice in state.choices if choice.title not in titles))
        else:
            state.choices = tuple(choices)
        state.waiting = False
        if language:
            state.language = language

    def offer(self, user: str, choices: Sequence[ButtonChoice], language: Optional[str]) -> None:
        """Remember the choices offered to ``user`` without touching a pending answer."""
        state = self._touch(user)
        state.choices = tuple(choices)
        if language:
            state.language = language

    def mark_waiting(self, user: str) -> None:
        """An answer for ``user`` is still being prepared and will be kept when ready."""
        state = self._touch(user)
        state.pending = []
        state.waiting = True

    def is_waiting(self, user: str) -> bool:
        """True while an answer for ``user`` is still being prepared."""
        state = self._state(user)
        return bool(state and state.waiting)

    def next_page(self, user: str, size: int) -> Optional[Page]:
        """Take the next ``size`` pending outputs of ``user``; ``None`` when none are pending."""
        state = self._state(user)
        if state is None or not state.pending:
            return None
        page, state.pending = state.pending[:size], state.pending[size:]
        return Page(tuple(page), bool(state.pending), state.choices, state.language)

    def payload_for(self, user: str, *, payload: Optional[str] = None, title: Optional[str] = None) -> Optional[str]:
        """The payload of a choice offered to ``user`` whose payload is ``payload``
        or whose title is ``title``; ``None`` when no offered choice matches."""
        state = self._state(user)
        if state is None:
            return None
        for choice in state.choices:
            if payload is not None and choice.payload == payload:
                return choice.payload
        for choice in state.choices:
            if title is not None and choice.title == " ".join(title.split()):
                return choice.payload
        return None

    def language(self, user: str) -> Optional[str]:
        """The language ``user`` was last answered in, if remembered."""
        state = self._state(user)
        return state.language if state else None

    def __len__(self) -> int:
        return len(self._users)

    def _state(self, user: str) -> Optional[_UserState]:
        """The live state of ``user`` (its expiry renewed), or ``None``."""
        now = self._clock()
        self._expire(now)
        state = self._users.get(user)
        if state is not None:
            self._users.move_to_end(user)
            state.expires = now + self._ttl
        return state

    def _touch(self, user: str) -> _UserState:
        """The live state of ``user``, created when there is none."""
        state = self._state(user)
        if state is None:
            state = _UserState(expires=self._clock() + self._ttl)
            self._users[user] = state
            while len(self._users) > self._capacity:
                self._users.popitem(last=False)
        return state

    def _expire(self, now: float) -> None:
        while self._users:
            user, state = next(iter(self._users.items()))
            if state.expires > now:
                break
            del self._users[user]
