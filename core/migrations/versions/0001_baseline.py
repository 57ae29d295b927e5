"""Baseline: the project's tables as they were when migrations began.

Revision ID: 0001
Revises:
Create Date: 2026-12-02

The tables are frozen here (not read from the models), so later model changes
need a new revision. This revision also adopts a database that ``create_all``
made before migrations existed: a missing table (with its indexes) is created,
and an optional column an older database lacks (such as ``deadline_ko``) is
added; nothing that exists is changed or dropped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_metadata = sa.MetaData()

sa.Table(
    "application_verification_failures",
    _metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("sender_id", sa.String(length=255), nullable=False),
    sa.Column("application_number", sa.String(length=12), nullable=False),
    sa.Column("failed_at", sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_verification_failures_number_time", "application_number", "failed_at"),
    sa.Index("ix_verification_failures_sender_time", "sender_id", "failed_at"),
)

sa.Table(
    "application_verification_lockouts",
    _metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=20), nullable=False),
    sa.Column("key", sa.String(length=255), nullable=False),
    sa.Column("locked_at", sa.DateTime(), nullable=False),
    sa.Column("locked_until", sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('sender', 'application_number')", name="ck_lockouts_kind"),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_verification_lockouts_key", "kind", "key", "locked_until"),
)

sa.Table(
    "applications",
    _metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("number", sa.String(length=12), nullable=False),
    sa.Column("service_id", sa.String(length=80), nullable=False),
    sa.Column("service_name_ko", sa.String(length=200), nullable=False),
    sa.Column("service_name_en", sa.String(length=200), nullable=False),
    sa.Column("birth_date_salt", sa.String(length=64), nullable=False),
    sa.Column("birth_date_hash", sa.String(length=64), nullable=False),
    sa.Column("status", sa.String(length=32), nullable=False),
    sa.Column("submitted_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("expected_completion", sa.Date(), nullable=True),
    sa.Column("agency_ko", sa.String(length=200), nullable=False),
    sa.Column("agency_en", sa.String(length=200), nullable=False),
    sa.Column("office_ko", sa.String(length=200), nullable=False),
    sa.Column("office_en", sa.String(length=200), nullable=False),
    sa.Column("contact_phone", sa.String(length=40), nullable=False),
    sa.Column("supplement_documents_ko", sa.JSON(), nullable=True),
    sa.Column("supplement_documents_en", sa.JSON(), nullable=True),
    sa.Column("supplement_deadline", sa.Date(), nullable=True),
    sa.Column("rejection_reason_ko", sa.Text(), nullable=True),
    sa.Column("rejection_reason_en", sa.Text(), nullable=True),
    sa.CheckConstraint(
        "status IN ('received', 'in_review', 'supplement_requested', 'approved', 'rejected', 'completed', 'withdrawn')",
        name="ck_applications_status",
    ),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_applications_number", "number", unique=True),
    sa.Index("ix_applications_service_id", "service_id"),
)

sa.Table(
    "catalogue_agency",
    _metadata,
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("name_ko", sa.Text(), nullable=False),
    sa.Column("name_en", sa.Text(), nullable=False),
    sa.Column("phone", sa.String(length=64), nullable=True),
    sa.Column("hours_ko", sa.Text(), nullable=True),
    sa.Column("hours_en", sa.Text(), nullable=True),
    sa.Column("website", sa.Text(), nullable=True),
    sa.Column("source_file", sa.String(length=255), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
)

sa.Table(
    "catalogue_audit_log",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(length=128), nullable=False),
    sa.Column("action", sa.String(length=32), nullable=False),
    sa.Column("entity_type", sa.String(length=32), nullable=False),
    sa.Column("entity_id", sa.String(length=64), nullable=False),
    sa.Column("field", sa.String(length=128), nullable=True),
    sa.Column("old_value", sa.Text(), nullable=True),
    sa.Column("new_value", sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_catalogue_audit_log_at", "at"),
    sa.Index("ix_catalogue_audit_log_entity_id", "entity_id"),
)

sa.Table(
    "catalogue_life_event",
    _metadata,
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("name_ko", sa.Text(), nullable=False),
    sa.Column("name_en", sa.Text(), nullable=False),
    sa.Column("description_ko", sa.Text(), nullable=False),
    sa.Column("description_en", sa.Text(), nullable=False),
    sa.Column("triggers_ko", sa.JSON(), nullable=False),
    sa.Column("triggers_en", sa.JSON(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
)

sa.Table(
    "catalogue_version",
    _metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
)

sa.Table(
    "records_feedback",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("sender_id", sa.String(length=255), nullable=False),
    sa.Column("helpful", sa.Boolean(), nullable=False),
    sa.Column("intent", sa.String(length=64), nullable=True),
    sa.Column("service_id", sa.String(length=64), nullable=True),
    sa.Column("language", sa.String(length=2), nullable=False),
    sa.Column("question", sa.Text(), nullable=True),
    sa.Column("comment", sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_records_feedback_at", "at"),
    sa.Index("ix_records_feedback_sender_id", "sender_id"),
    sa.Index("ix_records_feedback_service_id", "service_id"),
)

sa.Table(
    "records_handoff",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("sender_id", sa.String(length=255), nullable=False),
    sa.Column("reason", sa.String(length=32), nullable=False),
    sa.Column("service_id", sa.String(length=64), nullable=True),
    sa.Column("agency_id", sa.String(length=64), nullable=True),
    sa.Column("language", sa.String(length=2), nullable=False),
    sa.Column("open_now", sa.Boolean(), nullable=False),
    sa.Column("transcript", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_records_handoff_at", "at"),
    sa.Index("ix_records_handoff_sender_id", "sender_id"),
)

sa.Table(
    "application_status_history",
    _metadata,
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("application_id", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(length=32), nullable=False),
    sa.Column("changed_at", sa.DateTime(), nullable=False),
    sa.Column("changed_by", sa.String(length=120), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_application_status_history_application_id", "application_id"),
)

sa.Table(
    "catalogue_service",
    _metadata,
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("agency_id", sa.String(length=64), nullable=False),
    sa.Column("name_ko", sa.Text(), nullable=False),
    sa.Column("name_en", sa.Text(), nullable=False),
    sa.Column("overview_ko", sa.Text(), nullable=False),
    sa.Column("overview_en", sa.Text(), nullable=False),
    sa.Column("documents_ko", sa.JSON(), nullable=False),
    sa.Column("documents_en", sa.JSON(), nullable=False),
    sa.Column("fee_ko", sa.Text(), nullable=True),
    sa.Column("fee_en", sa.Text(), nullable=True),
    sa.Column("fee_amount", sa.Integer(), nullable=True),
    sa.Column("processing_time_ko", sa.Text(), nullable=False),
    sa.Column("processing_time_en", sa.Text(), nullable=False),
    sa.Column("deadline_ko", sa.Text(), nullable=True),
    sa.Column("deadline_en", sa.Text(), nullable=True),
    sa.Column("eligibility_text_ko", sa.Text(), nullable=False),
    sa.Column("eligibility_text_en", sa.Text(), nullable=False),
    sa.Column("eligibility_rules", sa.JSON(), nullable=True),
    sa.Column("apply_online_ko", sa.Text(), nullable=True),
    sa.Column("apply_online_en", sa.Text(), nullable=True),
    sa.Column("apply_online_url", sa.Text(), nullable=True),
    sa.Column("apply_in_person_ko", sa.Text(), nullable=True),
    sa.Column("apply_in_person_en", sa.Text(), nullable=True),
    sa.Column("where_office_ko", sa.Text(), nullable=False),
    sa.Column("where_office_en", sa.Text(), nullable=False),
    sa.Column("where_phone", sa.String(length=64), nullable=True),
    sa.Column("where_website", sa.Text(), nullable=True),
    sa.Column("life_event_ids", sa.JSON(), nullable=False),
    sa.Column("source", sa.Text(), nullable=False),
    sa.Column("last_reviewed", sa.Date(), nullable=False),
    sa.Column("illustrative", sa.Boolean(), nullable=False),
    sa.Column("source_file", sa.String(length=255), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(
        ["agency_id"],
        ["catalogue_agency.id"],
    ),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_catalogue_service_agency_id", "agency_id"),
)

sa.Table(
    "catalogue_life_event_service",
    _metadata,
    sa.Column("life_event_id", sa.String(length=64), nullable=False),
    sa.Column("service_id", sa.String(length=64), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["life_event_id"], ["catalogue_life_event.id"], ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["service_id"], ["catalogue_service.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("life_event_id", "service_id"),
    sa.Index("ix_life_event_service_order", "life_event_id", "position"),
)

sa.Table(
    "catalogue_service_alias",
    _metadata,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("service_id", sa.String(length=64), nullable=False),
    sa.Column("language", sa.String(length=2), nullable=False),
    sa.Column("alias", sa.Text(), nullable=False),
    sa.Column("normalized", sa.Text(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["service_id"], ["catalogue_service.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("service_id", "language", "alias"),
    sa.Index("ix_catalogue_service_alias_normalized", "normalized"),
    sa.Index("ix_catalogue_service_alias_service_id", "service_id"),
)


def upgrade() -> None:
    """Create the missing baseline tables and add the optional columns an older database lacks."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    existing = set(inspector.get_table_names())
    missing = [table for table in _metadata.sorted_tables if table.name not in existing]
    _metadata.create_all(bind, tables=missing)
    for table in _metadata.sorted_tables:
        if table.name not in existing:
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                op.add_column(table.name, sa.Column(column.name, column.type, nullable=True))


def downgrade() -> None:
    """Drop every baseline table (all project data is lost)."""
    _metadata.drop_all(op.get_bind())
