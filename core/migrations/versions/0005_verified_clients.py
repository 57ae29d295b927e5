"""verified clients: who proved ownership of an application (issue 14).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

A client that has verified an application number is not stopped by a lockout
of that number (only by its own). A database that ``create_all`` made from the
newer models already has the table: it is left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_metadata = sa.MetaData()

sa.Table(
    "application_verified_clients",
    _metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("application_number", sa.String(length=12), nullable=False),
    sa.Column("client_digest", sa.String(length=64), nullable=False),
    sa.Column("verified_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("application_number", "client_digest", name="uq_verified_clients_number_client"),
)


def upgrade() -> None:
    """Create the table unless it exists."""
    bind = op.get_bind()
    if "application_verified_clients" not in sa.inspect(bind).get_table_names():
        _metadata.create_all(bind)


def downgrade() -> None:
    """Drop the table (remembered clients are forgotten)."""
    op.drop_table("application_verified_clients")
