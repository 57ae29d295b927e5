"""insight: the trainers' review inbox (issue 17).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

The table is frozen here as :mod:`records.review_models` defines it today. A
database that ``create_all`` made from the newer models already has it: a
table that exists is left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_metadata = sa.MetaData()

sa.Table(
    "review_items",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("origin", sa.String(length=64), nullable=False),
    sa.Column("source", sa.String(length=16), nullable=False),
    sa.Column("asked_at", sa.DateTime(), nullable=False),
    sa.Column("collected_at", sa.DateTime(), nullable=False),
    sa.Column("language", sa.String(length=7), nullable=False),
    sa.Column("channel", sa.String(length=32), nullable=True),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("guessed_intent", sa.String(length=64), nullable=True),
    sa.Column("confidence", sa.Float(), nullable=True),
    sa.Column("state", sa.String(length=16), nullable=False),
    sa.Column("intent", sa.String(length=64), nullable=True),
    sa.Column("service_start", sa.Integer(), nullable=True),
    sa.Column("service_end", sa.Integer(), nullable=True),
    sa.Column("service_id", sa.String(length=64), nullable=True),
    sa.Column("reviewed_by", sa.String(length=64), nullable=True),
    sa.Column("reviewed_at", sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("origin"),
    sa.Index("ix_review_items_source", "source"),
    sa.Index("ix_review_items_asked_at", "asked_at"),
    sa.Index("ix_review_items_state", "state"),
)

_TABLES = ("review_items",)


def upgrade() -> None:
    """Create the review table if it does not exist yet."""
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    missing = [_metadata.tables[name] for name in _TABLES if name not in existing]
    _metadata.create_all(bind, tables=missing)


def downgrade() -> None:
    """Drop the review table (the trainers' labels are lost)."""
    for name in reversed(_TABLES):
        op.drop_table(name)
