"""callbacks: call-back requests left with consent (issue 18, item 1).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

The table is frozen here as :mod:`records.callback_models` defines it today.
A database that ``create_all`` made from the newer models already has it: a
table that exists is left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_metadata = sa.MetaData()

sa.Table(
    "callback_requests",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("channel", sa.String(length=16), nullable=False),
    sa.Column("language", sa.String(length=2), nullable=False),
    sa.Column("agency_id", sa.String(length=64), nullable=True),
    sa.Column("reason", sa.String(length=32), nullable=False),
    sa.Column("phone_sealed", sa.Text(), nullable=False),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("consent_at", sa.DateTime(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("state", sa.String(length=8), nullable=False),
    sa.Column("done_at", sa.DateTime(), nullable=True),
    sa.Column("done_by", sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_callback_requests_queue", "state", "agency_id", "created_at"),
    sa.Index("ix_callback_requests_created_at", "created_at"),
)

_TABLES = ("callback_requests",)


def upgrade() -> None:
    """Create the call-back table if it does not exist yet."""
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    missing = [_metadata.tables[name] for name in _TABLES if name not in existing]
    _metadata.create_all(bind, tables=missing)


def downgrade() -> None:
    """Drop the call-back table (the requests are lost)."""
    for name in reversed(_TABLES):
        op.drop_table(name)
