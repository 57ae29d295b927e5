"""opendata: where a service came from in the national catalogue (보조금24), and what staff must review.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

The table is frozen here, as in the baseline; the model is
``knowledge.sources.ServiceSource``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLE = "catalogue_service_source"


def upgrade() -> None:
    """Create the source table (skipped when it exists already)."""
    if sa.inspect(op.get_bind()).has_table(TABLE):
        return
    op.create_table(
        TABLE,
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("detail_url", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("category_ko", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("review_reasons", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["catalogue_service.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("service_id"),
        sa.UniqueConstraint("source", "source_id", name="uq_service_source_id"),
    )
    op.create_index("ix_catalogue_service_source_category", TABLE, ["category"])


def downgrade() -> None:
    """Drop the source table."""
    op.drop_index("ix_catalogue_service_source_category", table_name=TABLE)
    op.drop_table(TABLE)
