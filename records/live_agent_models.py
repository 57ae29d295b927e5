"""SQLAlchemy models of live-agent chats (issue 18).

Three tables in the project's one database (:data:`core.db.Base`): who is on
duty (:class:`AgentDuty`), each conversation a person was asked to take
(:class:`LiveChat`: its queue, its place in time, who took it, the outcome) and
what the agent and the citizen said while it was held
(:class:`LiveChatMessage`). Every stored text is masked by
:mod:`records.live_agents` before it is written.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Text

from core.db import Base

#: LiveChat.state values. waiting -> active -> ended; waiting -> cancelled | timed_out.
CHAT_STATES = ("waiting", "active", "ended", "cancelled", "timed_out")
#: States in which a chat still belongs to a queue or an agent.
OPEN_STATES = ("waiting", "active")


class AgentDuty(Base):
    """An agent who is taking chats now; the row is removed when they go off duty.

    ``agency_id`` is the agency whose queue they serve; None is the general
    pool (every queue). ``last_seen`` is refreshed while their console is open,
    so a closed browser stops counting after a while.
    """

    __tablename__ = "live_agent_duty"

    staff_id = Column(Integer, primary_key=True, autoincrement=False)
    login = Column(String(64), nullable=False)
    agency_id = Column(String(64), index=True)
    since = Column(DateTime, nullable=False)
    last_seen = Column(DateTime, nullable=False, index=True)


class LiveChat(Base):
    """One conversation handed to a person: queued, taken, ended (the record staff figures use)."""

    __tablename__ = "live_chats"
    __table_args__ = (
        Index("ix_live_chats_queue", "state", "agency_id", "joined_at"),
        Index("ix_live_chats_sender_state", "sender_id", "state"),
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_id = Column(String(255), nullable=False)
    channel = Column(String(16), nullable=False, default="web")  # web | telegram | kakao | rest
    language = Column(String(2), nullable=False, default="ko")
    reason = Column(String(32), nullable=False)  # requested | repeated_fallback | thumbs_down
    agency_id = Column(String(64))  # the queue; None = the general pool
    service_id = Column(String(64))
    state = Column(String(12), nullable=False, default="waiting")
    joined_at = Column(DateTime, nullable=False)
    taken_at = Column(DateTime)
    ended_at = Column(DateTime)
    agent_id = Column(Integer)
    agent_login = Column(String(64))
    # resolved (the agent ended it) | cancelled (the citizen) | timed_out (nobody took it)
    outcome = Column(String(16))
    transfers = Column(Integer, nullable=False, default=0)
    # [{"who": "user"|"bot", "text": masked text}, ...] before the handoff, oldest first.
    transcript = Column(JSON, nullable=False, default=list)


class LiveChatMessage(Base):
    """One message while a person held the chat (citizen, agent or a system note), masked."""

    __tablename__ = "live_chat_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    chat_id = Column(Integer, ForeignKey("live_chats.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime, nullable=False)
    who = Column(String(8), nullable=False)  # citizen | agent | system
    author = Column(String(64))  # the agent's login for agent messages
    text = Column(Text, nullable=False)
