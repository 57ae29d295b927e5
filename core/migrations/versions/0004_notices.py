"""notices: subscriptions, the outbox and its delivery log (issue 20).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

The tables are frozen here as :mod:`records.models` defines them today. A
database that ``create_all`` made from the newer models already has them: a
table that exists is left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_metadata = sa.MetaData()

# Only for the foreign key: the real table belongs to the baseline revision.
sa.Table("applications", _metadata, sa.Column("id", sa.Integer(), primary_key=True))

sa.Table(
    "notice_subscriptions",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("application_id", sa.Integer(), nullable=False),
    sa.Column("channel", sa.String(length=16), nullable=False),
    sa.Column("recipient", sa.String(length=255), nullable=False),
    sa.Column("language", sa.String(length=2), nullable=False),
    sa.Column("consented_at", sa.DateTime(), nullable=False),
    sa.Column("quiet_hours", sa.Boolean(), nullable=False),
    sa.Column("ended_at", sa.DateTime(), nullable=True),
    sa.Column("end_reason", sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("application_id", "channel", "recipient", name="uq_notice_subscriptions_target"),
    sa.Index("ix_notice_subscriptions_application_id", "application_id"),
    sa.Index("ix_notice_subscriptions_recipient", "recipient"),
)

sa.Table(
    "notices",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("subscription_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("status", sa.String(length=32), nullable=False),
    sa.Column("deadline", sa.Date(), nullable=True),
    sa.Column("days_before", sa.Integer(), nullable=True),
    sa.Column("dedupe_key", sa.String(length=120), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("due_at", sa.DateTime(), nullable=False),
    sa.Column("state", sa.String(length=12), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("claimed_by", sa.String(length=64), nullable=True),
    sa.Column("lease_until", sa.DateTime(), nullable=True),
    sa.Column("sent_at", sa.DateTime(), nullable=True),
    sa.Column("last_error", sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(["subscription_id"], ["notice_subscriptions.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("dedupe_key"),
    sa.Index("ix_notices_subscription_id", "subscription_id"),
    sa.Index("ix_notices_state_due", "state", "due_at"),
)

sa.Table(
    "notice_deliveries",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("notice_id", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("channel", sa.String(length=16), nullable=False),
    sa.Column("outcome", sa.String(length=16), nullable=False),
    sa.Column("detail", sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(["notice_id"], ["notices.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_notice_deliveries_notice_id", "notice_id"),
    sa.Index("ix_notice_deliveries_at", "at"),
)

_TABLES = ("notice_subscriptions", "notices", "notice_deliveries")


def upgrade() -> None:
    """Create the notice tables that do not exist yet."""
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    missing = [_metadata.tables[name] for name in _TABLES if name not in existing]
    _metadata.create_all(bind, tables=missing)


def downgrade() -> None:
    """Drop the notice tables (subscriptions and the delivery log are lost)."""
    for name in reversed(_TABLES):
        op.drop_table(name)
