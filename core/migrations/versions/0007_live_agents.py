"""live_agents: agents on duty, the chat queue and its messages (issue 18).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

The tables are frozen here as :mod:`records.live_agent_models` defines them
today. A database that ``create_all`` made from the newer models already has
them: a table that exists is left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_metadata = sa.MetaData()

sa.Table(
    "live_agent_duty",
    _metadata,
    sa.Column("staff_id", sa.Integer(), autoincrement=False, nullable=False),
    sa.Column("login", sa.String(length=64), nullable=False),
    sa.Column("agency_id", sa.String(length=64), nullable=True),
    sa.Column("since", sa.DateTime(), nullable=False),
    sa.Column("last_seen", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("staff_id"),
    sa.Index("ix_live_agent_duty_agency_id", "agency_id"),
    sa.Index("ix_live_agent_duty_last_seen", "last_seen"),
)

sa.Table(
    "live_chats",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("sender_id", sa.String(length=255), nullable=False),
    sa.Column("channel", sa.String(length=16), nullable=False),
    sa.Column("language", sa.String(length=2), nullable=False),
    sa.Column("reason", sa.String(length=32), nullable=False),
    sa.Column("agency_id", sa.String(length=64), nullable=True),
    sa.Column("service_id", sa.String(length=64), nullable=True),
    sa.Column("state", sa.String(length=12), nullable=False),
    sa.Column("joined_at", sa.DateTime(), nullable=False),
    sa.Column("taken_at", sa.DateTime(), nullable=True),
    sa.Column("ended_at", sa.DateTime(), nullable=True),
    sa.Column("agent_id", sa.Integer(), nullable=True),
    sa.Column("agent_login", sa.String(length=64), nullable=True),
    sa.Column("outcome", sa.String(length=16), nullable=True),
    sa.Column("transfers", sa.Integer(), nullable=False),
    sa.Column("transcript", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_live_chats_queue", "state", "agency_id", "joined_at"),
    sa.Index("ix_live_chats_sender_state", "sender_id", "state"),
)

sa.Table(
    "live_chat_messages",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("chat_id", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("who", sa.String(length=8), nullable=False),
    sa.Column("author", sa.String(length=64), nullable=True),
    sa.Column("text", sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(["chat_id"], ["live_chats.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_live_chat_messages_chat_id", "chat_id"),
)

_TABLES = ("live_agent_duty", "live_chats", "live_chat_messages")


def upgrade() -> None:
    """Create the live-agent tables that do not exist yet."""
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    missing = [_metadata.tables[name] for name in _TABLES if name not in existing]
    _metadata.create_all(bind, tables=missing)


def downgrade() -> None:
    """Drop the live-agent tables (the chat records are lost)."""
    for name in reversed(_TABLES):
        op.drop_table(name)
