"""The live-agent queue (issue 18): who is on duty, who waits, who holds a chat.

A handoff during agents' hours, with an agent of the right agency (or of the
general pool) on duty, puts the conversation in a queue (:func:`join_queue`)
instead of ending with a phone number. Agents see the queues they serve
(:func:`waiting_chats`), take one (:func:`take_chat`: of two agents taking the
same chat at the same moment exactly one gets it), write to the citizen
(:func:`add_message`), pass it to another agency's queue
(:func:`transfer_chat`) and end it (:func:`end_chat`). The citizen can cancel
while waiting (:func:`cancel_waiting`); a chat nobody took in time times out
(:func:`expire_waiting`). Each chat row is also the record staff figures use:
who took it, when it joined, was taken and ended, and the outcome
(:func:`chat_figures`).

All functions are blocking (SQLAlchemy): call them in a thread from async
code. Times are naive UTC, as the rest of the database keeps them. Every text
is masked with :func:`core.privacy.mask_for_log` before it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, aliased

from core.db import session_scope, take_write_lock
from core.privacy import mask_citizen_text, mask_for_log, mask_line
from records.live_agent_models import OPEN_STATES, AgentDuty, LiveChat, LiveChatMessage

#: An agent whose console has not been seen for this long no longer counts as on duty.
DUTY_STALE_AFTER = timedelta(minutes=5)
#: A chat nobody took within this time times out and the citizen gets today's answer.
QUEUE_TIMEOUT = timedelta(minutes=10)
#: How long one chat is assumed to take before there are figures to go by.
DEFAULT_CHAT_SECONDS = 180
#: How many recent chats of a queue the expected wait is estimated from.
RECENT_CHATS = 20
#: Longest message an agent or a citizen may store.
MAX_MESSAGE_CHARS = 2000

CHANNELS = ("web", "telegram", "kakao", "rest")
MESSAGE_AUTHORS = ("citizen", "agent", "system")


def utc_now() -> datetime:
    """The current time as naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _naive(moment: Optional[datetime]) -> datetime:
    if moment is None:
        return utc_now()
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def channel_of(sender_id: str) -> str:
    """The channel a conversation id belongs to: ``telegram:1`` -> telegram, ``kakao:..`` -> kakao, else web."""
    prefix = sender_id.split(":", 1)[0] if ":" in sender_id else ""
    return prefix if prefix in ("telegram", "kakao") else "web"


def serves(agent_agency: Optional[str], chat_agency: Optional[str]) -> bool:
    """Whether an agent of ``agent_agency`` (None: the general pool) may take a chat queued for ``chat_agency``.

    General-pool agents serve every queue; an agency's agents serve their own
    agency's queue and the general queue.
    """
    return agent_agency is None or chat_agency is None or chat_agency == agent_agency


# --- duty ---------------------------------------------------------------------------------


def go_on_duty(engine: Engine, staff_id: int, login: str, agency_id: Optional[str],
               now: Optional[datetime] = None) -> None:
    """Mark the agent on duty for ``agency_id``'s queue (None: the general pool), or refresh it."""
    now = _naive(now)
    with session_scope(engine) as session:
        row = session.get(AgentDuty, staff_id)
        if row is None:
            session.add(AgentDuty(staff_id=staff_id, login=login, agency_id=agency_id, since=now, last_seen=now))
        else:
            row.login, row.agency_id, row.last_seen = login, agency_id, now


def go_off_duty(engine: Engine, staff_id: int) -> None:
    """The agent takes no more chats (chats they hold stay theirs until ended)."""
    with session_scope(engine) as session:
        session.execute(delete(AgentDuty).where(AgentDuty.staff_id == staff_id))


def touch_duty(engine: Engine, staff_id: int, now: Optional[datetime] = None) -> bool:
    """Refresh an on-duty agent's ``last_seen``; False when they are not on duty."""
    with session_scope(engine) as session:
        done = session.execute(
            update(AgentDuty).where(AgentDuty.staff_id == staff_id).values(last_seen=_naive(now))
        )
        return bool(done.rowcount)


def is_on_duty(engine: Engine, staff_id: int, now: Optional[datetime] = None) -> bool:
    """Whether the agent is on duty and was seen recently."""
    with session_scope(engine) as session:
        row = session.get(AgentDuty, staff_id)
        return row is not None and row.last_seen >= _naive(now) - DUTY_STALE_AFTER


def agents_on_duty(engine: Engine, agency_id: Optional[str], now: Optional[datetime] = None) -> int:
    """How many agents who serve ``agency_id``'s queue (None: the general queue) are on duty now."""
    since = _naive(now) - DUTY_STALE_AFTER
    query = select(func.count()).select_from(AgentDuty).where(AgentDuty.last_seen >= since)
    if agency_id is not None:
        query = query.where(or_(AgentDuty.agency_id.is_(None), AgentDuty.agency_id == agency_id))
    with session_scope(engine) as session:
        return int(session.execute(query).scalar_one())


# --- the queue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatSummary:
    """A chat as agents, the handoff and the gateways see it."""

    id: int
    sender_id: str
    channel: str
    language: str
    reason: str
    agency_id: Optional[str]
    service_id: Optional[str]
    state: str
    joined_at: datetime
    taken_at: Optional[datetime]
    ended_at: Optional[datetime]
    agent_id: Optional[int]
    agent_login: Optional[str]
    outcome: Optional[str]
    transfers: int
    transcript: List[Dict[str, str]]

    def waited_seconds(self, now: Optional[datetime] = None) -> int:
        """Seconds from joining to being taken (or to ``now`` while waiting)."""
        end = self.taken_at or _naive(now)
        return max(0, int((end - self.joined_at).total_seconds()))


def _summary(row: LiveChat) -> ChatSummary:
    return ChatSummary(
        id=int(row.id), sender_id=row.sender_id, channel=row.channel, language=row.language, reason=row.reason,
        agency_id=row.agency_id, service_id=row.service_id, state=row.state, joined_at=row.joined_at,
        taken_at=row.taken_at, ended_at=row.ended_at, agent_id=row.agent_id, agent_login=row.agent_login,
        outcome=row.outcome, transfers=int(row.transfers or 0), transcript=list(row.transcript or []),
    )


@dataclass(frozen=True)
class QueueTicket:
    """A waiting citizen's place (1 = next) and the expected wait in whole minutes (at least 1)."""

    chat_id: int
    position: int
    expected_minutes: int


def _same_queue(agency_id: Optional[str]):  # type: ignore[no-untyped-def]
    return LiveChat.agency_id.is_(None) if agency_id is None else LiveChat.agency_id == agency_id


def _ticket(session: Session, row: LiveChat, now: datetime) -> QueueTicket:
    ahead = session.execute(
        select(func.count()).select_from(LiveChat).where(
            LiveChat.state == "waiting", _same_queue(row.agency_id),
            or_(LiveChat.joined_at < row.joined_at, and_(LiveChat.joined_at == row.joined_at, LiveChat.id < row.id)),
        )
    ).scalar_one()
    position = int(ahead) + 1
    recent = session.execute(
        select(LiveChat.taken_at, LiveChat.ended_at).where(
            LiveChat.state == "ended", _same_queue(row.agency_id), LiveChat.taken_at.is_not(None),
        ).order_by(LiveChat.ended_at.desc()).limit(RECENT_CHATS)
    ).all()
    durations = [(ended - taken).total_seconds() for taken, ended in recent if ended and taken]
    per_chat = sum(durations) / len(durations) if durations else DEFAULT_CHAT_SECONDS
    since = now - DUTY_STALE_AFTER
    duty = select(func.count()).select_from(AgentDuty).where(AgentDuty.last_seen >= since)
    if row.agency_id is not None:
        duty = duty.where(or_(AgentDuty.agency_id.is_(None), AgentDuty.agency_id == row.agency_id))
    agents = max(1, int(session.execute(duty).scalar_one()))
    minutes = max(1, round(position * per_chat / agents / 60))
    return QueueTicket(chat_id=int(row.id), position=position, expected_minutes=minutes)


def _open_row(session: Session, sender_id: str) -> Optional[LiveChat]:
    return session.execute(
        select(LiveChat).where(LiveChat.sender_id == sender_id, LiveChat.state.in_(OPEN_STATES))
        .order_by(LiveChat.id.desc()).limit(1)
    ).scalar_one_or_none()


def join_queue(
    engine: Engine,
    *,
    sender_id: str,
    language: str,
    reason: str,
    agency_id: Optional[str],
    service_id: Optional[str] = None,
    channel: Optional[str] = None,
    transcript: Sequence[Dict[str, str]] = (),
    now: Optional[datetime] = None,
) -> QueueTicket:
    """Queue the conversation for ``agency_id`` (None: the general pool) and return its place.

    A conversation already waiting or held is not queued twice: its current
    ticket comes back. The transcript texts are masked again here.
    """
    now = _naive(now)
    masked = [{"who": str(line.get("who", "")), "text": mask_line(str(line.get("who", "")), str(line.get("text", "")))}
              for line in transcript]
    with session_scope(engine) as session:
        take_write_lock(session.connection())
        row = _open_row(session, sender_id)
        if row is None:
            row = LiveChat(
                sender_id=sender_id, channel=channel or channel_of(sender_id), language=language,
                reason=reason, agency_id=agency_id, service_id=service_id, state="waiting",
                joined_at=now, transfers=0, transcript=masked,
            )
            session.add(row)
            session.flush()
        return _ticket(session, row, now)


def ticket_of(engine: Engine, chat_id: int, now: Optional[datetime] = None) -> Optional[QueueTicket]:
    """The current place of a waiting chat; None once it is no longer waiting."""
    with session_scope(engine) as session:
        row = session.get(LiveChat, chat_id)
        if row is None or row.state != "waiting":
            return None
        return _ticket(session, row, _naive(now))


def open_chat(engine: Engine, sender_id: str) -> Optional[ChatSummary]:
    """The conversation's chat that is waiting or held by an agent, if any."""
    with session_scope(engine) as session:
        row = _open_row(session, sender_id)
        return _summary(row) if row is not None else None


def latest_chat(engine: Engine, sender_id: str) -> Optional[ChatSummary]:
    """The conversation's most recent chat in any state (what a citizen's page follows)."""
    with session_scope(engine) as session:
        row = session.execute(
            select(LiveChat).where(LiveChat.sender_id == sender_id).order_by(LiveChat.id.desc()).limit(1)
        ).scalar_one_or_none()
        return _summary(row) if row is not None else None


def last_message_id(engine: Engine, chat_id: int) -> int:
    """The id of the chat's newest message (0 when none)."""
    with session_scope(engine) as session:
        found = session.execute(
            select(func.max(LiveChatMessage.id)).where(LiveChatMessage.chat_id == chat_id)
        ).scalar_one()
        return int(found or 0)


#: The author of the stored notice of a queue that timed out: it is sent with the
#: call-back offer's button (console/agent_chat.py; the chat page, channels/web/live.py).
TIMED_OUT_NOTICE = "utter_live_agent_timed_out"

#: What a citizen's page has seen of its conversation: (chat id, state, newest message id);
#: (0, "none", 0) when the conversation never asked for a person.
ChatMark = Tuple[int, str, int]
NO_CHAT: ChatMark = (0, "none", 0)
_MARK_BATCH = 400


def chat_marks(engine: Engine, sender_ids: Sequence[str]) -> Dict[str, ChatMark]:
    """For each of ``sender_ids``, the mark of its most recent chat (:data:`NO_CHAT` when none).

    One query per :data:`_MARK_BATCH` conversations, however many there are: the
    chat page's stream hub asks this once a second for every open page.
    """
    marks: Dict[str, ChatMark] = {sender: NO_CHAT for sender in sender_ids}
    unique = list(marks)
    chat = aliased(LiveChat, name="chat")
    latest = select(func.max(LiveChat.id)).where(LiveChat.sender_id == chat.sender_id).scalar_subquery()
    newest_message = select(func.max(LiveChatMessage.id)).where(LiveChatMessage.chat_id == chat.id).scalar_subquery()
    with session_scope(engine) as session:
        for start in range(0, len(unique), _MARK_BATCH):
            batch = unique[start:start + _MARK_BATCH]
            rows = session.execute(
                select(chat.sender_id, chat.id, chat.state, newest_message)
                .where(chat.sender_id.in_(batch), chat.id == latest)
            ).all()
            for sender, chat_id, state, message_id in rows:
                marks[sender] = (int(chat_id), str(state), int(message_id or 0))
    return marks


def get_chat(engine: Engine, chat_id: int) -> Optional[ChatSummary]:
    """One chat by id."""
    with session_scope(engine) as session:
        row = session.get(LiveChat, chat_id)
        return _summary(row) if row is not None else None


def waiting_chats(engine: Engine, agent_agency: Optional[str]) -> List[ChatSummary]:
    """The chats an agent of ``agent_agency`` may take, longest waiting first."""
    query = select(LiveChat).where(LiveChat.state == "waiting")
    if agent_agency is not None:
        query = query.where(or_(LiveChat.agency_id.is_(None), LiveChat.agency_id == agent_agency))
    with session_scope(engine) as session:
        rows = session.execute(query.order_by(LiveChat.joined_at, LiveChat.id)).scalars().all()
        return [_summary(row) for row in rows]


def chats_held_by(engine: Engine, staff_id: int) -> List[ChatSummary]:
    """The chats the agent holds now, oldest first."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(LiveChat).where(LiveChat.state == "active", LiveChat.agent_id == staff_id)
            .order_by(LiveChat.taken_at, LiveChat.id)
        ).scalars().all()
        return [_summary(row) for row in rows]


def take_chat(engine: Engine, chat_id: int, staff_id: int, login: str, agent_agency: Optional[str],
              now: Optional[datetime] = None) -> bool:
    """Give a waiting chat to the agent; True only for the one agent that got it.

    One conditional UPDATE (``state = 'waiting'``) decides, so of two agents
    taking the same chat at the same moment exactly one succeeds, on SQLite and
    PostgreSQL alike. An agent may take only chats of the queues they serve.
    """
    now = _naive(now)
    condition = [LiveChat.id == chat_id, LiveChat.state == "waiting"]
    if agent_agency is not None:
        condition.append(or_(LiveChat.agency_id.is_(None), LiveChat.agency_id == agent_agency))
    with session_scope(engine) as session:
        done = session.execute(
            update(LiveChat).where(*condition).values(
                state="active", taken_at=now, agent_id=staff_id, agent_login=login
            ).execution_options(synchronize_session=False)
        )
        return done.rowcount == 1


def transfer_chat(engine: Engine, chat_id: int, staff_id: int, to_agency: Optional[str],
                  now: Optional[datetime] = None) -> bool:
    """Put a chat the agent holds back in ``to_agency``'s queue (None: the general pool).

    It keeps its original joining time, so it is next in line there. False when
    the agent does not hold it.
    """
    with session_scope(engine) as session:
        done = session.execute(
            update(LiveChat).where(
                LiveChat.id == chat_id, LiveChat.state == "active", LiveChat.agent_id == staff_id
            ).values(
                state="waiting", agency_id=to_agency, taken_at=None, agent_id=None, agent_login=None,
                transfers=LiveChat.transfers + 1,
            ).execution_options(synchronize_session=False)
        )
        return done.rowcount == 1


def end_chat(engine: Engine, chat_id: int, staff_id: Optional[int], now: Optional[datetime] = None) -> bool:
    """End a chat the agent holds (``staff_id`` None: any agent, e.g. an admin); outcome ``resolved``."""
    condition = [LiveChat.id == chat_id, LiveChat.state == "active"]
    if staff_id is not None:
        condition.append(LiveChat.agent_id == staff_id)
    with session_scope(engine) as session:
        done = session.execute(
            update(LiveChat).where(*condition).values(state="ended", ended_at=_naive(now), outcome="resolved")
            .execution_options(synchronize_session=False)
        )
        return done.rowcount == 1


def cancel_waiting(engine: Engine, sender_id: str, now: Optional[datetime] = None) -> Optional[ChatSummary]:
    """The citizen leaves the queue; the cancelled chat, or None when nothing was waiting."""
    with session_scope(engine) as session:
        row = session.execute(
            select(LiveChat).where(LiveChat.sender_id == sender_id, LiveChat.state == "waiting")
        ).scalar_one_or_none()
        if row is None:
            return None
        done = session.execute(
            update(LiveChat).where(LiveChat.id == row.id, LiveChat.state == "waiting")
            .values(state="cancelled", ended_at=_naive(now), outcome="cancelled")
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # an agent took it in the meantime
            return None
        session.refresh(row)
        return _summary(row)


def expire_waiting(engine: Engine, now: Optional[datetime] = None,
                   timeout: timedelta = QUEUE_TIMEOUT) -> List[ChatSummary]:
    """Time out the chats that waited longer than ``timeout``; the chats that timed out now.

    The caller tells each citizen today's answer (the agency or 110, with hours).
    """
    now = _naive(now)
    expired: List[ChatSummary] = []
    with session_scope(engine) as session:
        rows = session.execute(
            select(LiveChat).where(LiveChat.state == "waiting", LiveChat.joined_at <= now - timeout)
        ).scalars().all()
        for row in rows:
            done = session.execute(
                update(LiveChat).where(LiveChat.id == row.id, LiveChat.state == "waiting")
                .values(state="timed_out", ended_at=now, outcome="timed_out")
                .execution_options(synchronize_session=False)
            )
            if done.rowcount == 1:
                session.refresh(row)
                expired.append(_summary(row))
    return expired


# --- messages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatMessage:
    """One stored message of a held chat."""

    id: int
    chat_id: int
    at: datetime
    who: str
    author: Optional[str]
    text: str


def add_message(engine: Engine, chat_id: int, who: str, text: str, author: Optional[str] = None,
                now: Optional[datetime] = None) -> ChatMessage:
    """Store one message of a chat, masked and cut to :data:`MAX_MESSAGE_CHARS`."""
    if who not in MESSAGE_AUTHORS:
        raise ValueError(f"unknown author kind {who!r}")
    # What the citizen wrote loses every phone number; an agent may give an agency's.
    mask = mask_citizen_text if who == "citizen" else mask_for_log
    clean = mask(text.strip())[:MAX_MESSAGE_CHARS]
    if not clean:
        raise ValueError("empty message")
    with session_scope(engine) as session:
        row = LiveChatMessage(chat_id=chat_id, at=_naive(now), who=who, author=author, text=clean)
        session.add(row)
        session.flush()
        return ChatMessage(int(row.id), chat_id, row.at, who, author, clean)


def messages_of(engine: Engine, chat_id: int, after_id: int = 0) -> List[ChatMessage]:
    """The chat's messages with an id above ``after_id``, oldest first."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(LiveChatMessage).where(LiveChatMessage.chat_id == chat_id, LiveChatMessage.id > after_id)
            .order_by(LiveChatMessage.id)
        ).scalars().all()
        return [ChatMessage(int(r.id), r.chat_id, r.at, r.who, r.author, r.text) for r in rows]


# --- figures ----------------------------------------------------------------------------------------


def chat_figures(engine: Engine, since: datetime, until: Optional[datetime] = None) -> Dict[str, float]:
    """Figures for the dashboard over chats that joined in [since, until).

    ``handled`` (taken and ended), ``abandoned`` (cancelled or timed out),
    ``waiting`` and ``active`` now, and the average ``wait_seconds`` (joined to
    taken) and ``chat_seconds`` (taken to ended) of the handled chats.
    """
    query = select(LiveChat).where(LiveChat.joined_at >= _naive(since))
    if until is not None:
        query = query.where(LiveChat.joined_at < _naive(until))
    with session_scope(engine) as session:
        rows = session.execute(query).scalars().all()
    handled = [r for r in rows if r.state == "ended" and r.taken_at and r.ended_at]
    waits = [(r.taken_at - r.joined_at).total_seconds() for r in handled]
    chats = [(r.ended_at - r.taken_at).total_seconds() for r in handled]
    return {
        "handled": len(handled),
        "abandoned": sum(1 for r in rows if r.state in ("cancelled", "timed_out")),
        "waiting": sum(1 for r in rows if r.state == "waiting"),
        "active": sum(1 for r in rows if r.state == "active"),
        "wait_seconds": round(sum(waits) / len(waits), 1) if waits else 0.0,
        "chat_seconds": round(sum(chats) / len(chats), 1) if chats else 0.0,
    }
