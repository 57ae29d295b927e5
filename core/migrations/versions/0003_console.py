"""console: staff accounts, service changes awaiting review, service versions, audit columns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Like the baseline, this revision adopts a database that ``create_all`` made
from the newer models: a table or column that already exists is left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_metadata = sa.MetaData()

sa.Table(
    "console_user",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("login", sa.String(length=64), nullable=False),
    sa.Column("role", sa.String(length=16), nullable=False),
    sa.Column("agency_id", sa.String(length=64), nullable=True),
    sa.Column("password_hash", sa.String(length=255), nullable=False),
    sa.Column("disabled", sa.Boolean(), nullable=False),
    sa.Column("failed_logins", sa.Integer(), nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("session_epoch", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_console_user_login", "login", unique=True),
)

sa.Table(
    "console_service_change",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("service_id", sa.String(length=64), nullable=False),
    sa.Column("agency_id", sa.String(length=64), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("entry", sa.JSON(), nullable=False),
    sa.Column("base_revision", sa.Integer(), nullable=False),
    sa.Column("author", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reviewer", sa.String(length=64), nullable=True),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("published_revision", sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_console_service_change_service_id", "service_id"),
    sa.Index("ix_console_service_change_status", "status"),
)

sa.Table(
    "catalogue_service_version",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("service_id", sa.String(length=64), nullable=False),
    sa.Column("revision", sa.Integer(), nullable=False),
    sa.Column("entry", sa.JSON(), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(length=128), nullable=False),
    sa.Column("source", sa.String(length=32), nullable=True),
    sa.Column("change_id", sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("service_id", "revision", name="uq_service_version"),
    sa.Index("ix_catalogue_service_version_service_id", "service_id"),
)

# (table, column) added to tables of earlier revisions.
_NEW_COLUMNS = (
    ("catalogue_service", sa.Column("revision", sa.Integer(), nullable=False, server_default="0")),
    ("catalogue_audit_log", sa.Column("source", sa.String(length=32), nullable=True)),
    ("catalogue_audit_log", sa.Column("change_id", sa.String(length=36), nullable=True)),
)
_NEW_INDEXES = (("catalogue_audit_log", "ix_catalogue_audit_log_change_id", ["change_id"]),)


def upgrade() -> None:
    """Create the console tables and add the new catalogue columns, where missing."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    existing = set(inspector.get_table_names())
    _metadata.create_all(bind, tables=[t for t in _metadata.sorted_tables if t.name not in existing])
    for table, column in _NEW_COLUMNS:
        present = {c["name"] for c in inspector.get_columns(table)}
        if column.name not in present:
            op.add_column(table, column)
    for table, name, columns in _NEW_INDEXES:
        if name not in {index["name"] for index in sa.inspect(bind).get_indexes(table)}:
            op.create_index(name, table, columns)


def downgrade() -> None:
    """Drop the console tables and the added columns (their data is lost)."""
    bind = op.get_bind()
    for table, name, _columns in _NEW_INDEXES:
        op.drop_index(name, table_name=table)
    for table, column in _NEW_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column.name)
    _metadata.drop_all(bind)
