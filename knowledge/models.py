"""SQLAlchemy models of the service catalogue.

Every table is declared on :data:`core.db.Base` so ``core.db.create_schema``
builds them with the rest of the schema. Bilingual text is stored as a pair of
``*_ko``/``*_en`` columns; lists (documents, aliases, triggers) and eligibility
rule trees are stored as JSON so later features (life-event bundles, the
eligibility form) can read them without parsing YAML again.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Dict

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from core.db import Base


def utc_now() -> datetime:
    """The current time in UTC (timezone-aware)."""
    return datetime.now(timezone.utc)


class Agency(Base):
    """A government body that runs services (ministry, office, call centre)."""

    __tablename__ = "catalogue_agency"

    id = Column(String(64), primary_key=True)
    name_ko = Column(Text, nullable=False)
    name_en = Column(Text, nullable=False)
    phone = Column(String(64))
    hours_ko = Column(Text)
    hours_en = Column(Text)
    website = Column(Text)
    source_file = Column(String(255), nullable=False, default="agencies.yml")
    position = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, onupdate=utc_now)

    services = relationship("Service", back_populates="agency")

    def name(self, language: str) -> str:
        """The agency's name in ``language`` (``ko`` or ``en``)."""
        return self.name_en if language == "en" else self.name_ko


class Service(Base):
    """One citizen service with its answers in Korean and English.

    ``fee_amount`` holds a fee given in the YAML as a bare number of won; then
    ``fee_ko``/``fee_en`` are empty and :meth:`fee` writes the text.
    """

    __tablename__ = "catalogue_service"

    id = Column(String(64), primary_key=True)
    agency_id = Column(String(64), ForeignKey("catalogue_agency.id"), nullable=False, index=True)
    name_ko = Column(Text, nullable=False)
    name_en = Column(Text, nullable=False)
    overview_ko = Column(Text, nullable=False)
    overview_en = Column(Text, nullable=False)
    documents_ko = Column(JSON, nullable=False, default=list)
    documents_en = Column(JSON, nullable=False, default=list)
    fee_ko = Column(Text)
    fee_en = Column(Text)
    fee_amount = Column(Integer)
    processing_time_ko = Column(Text, nullable=False)
    processing_time_en = Column(Text, nullable=False)
    # The reporting deadline or application period; empty when the catalogue has none.
    deadline_ko = Column(Text)
    deadline_en = Column(Text)
    eligibility_text_ko = Column(Text, nullable=False)
    eligibility_text_en = Column(Text, nullable=False)
    eligibility_rules = Column(JSON)
    apply_online_ko = Column(Text)
    apply_online_en = Column(Text)
    apply_online_url = Column(Text)
    apply_in_person_ko = Column(Text)
    apply_in_person_en = Column(Text)
    where_office_ko = Column(Text, nullable=False)
    where_office_en = Column(Text, nullable=False)
    where_phone = Column(String(64))
    where_website = Column(Text)
    life_event_ids = Column(JSON, nullable=False, default=list)
    source = Column(Text, nullable=False)
    last_reviewed = Column(Date, nullable=False)
    illustrative = Column(Boolean, nullable=False, default=False)
    # Where the entry came from, so an export writes it back to the same file.
    source_file = Column(String(255), nullable=False, default="services/imported.yml")
    position = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, onupdate=utc_now)
    updated_by = Column(String(128))
    # Grows by one on every saved change: an editor's form carries the revision
    # it was loaded at, so a save over someone else's newer change is refused.
    revision = Column(Integer, nullable=False, default=0, server_default="0")

    agency = relationship("Agency", back_populates="services")
    aliases = relationship(
        "ServiceAlias",
        back_populates="service",
        cascade="all, delete-orphan",
        order_by="ServiceAlias.position",
    )

    def text(self, field: str, language: str) -> str | None:
        """The bilingual column ``<field>_<language>``, English or Korean."""
        suffix = "en" if language == "en" else "ko"
        return getattr(self, f"{field}_{suffix}")

    def name(self, language: str) -> str:
        """The service's official name in ``language``."""
        return self.text("name", language) or self.name_ko

    def documents(self, language: str) -> list:
        """The list of required documents in ``language``."""
        return list(self.text("documents", language) or [])

    def fee(self, language: str) -> str:
        """The fee as text in ``language``; a bare amount is written out in won."""
        if self.fee_amount is not None:
            return format_won(self.fee_amount, language)
        return self.text("fee", language) or ""

    def official_link(self) -> str:
        """The best link for the citizen: online application, service site or source."""
        return self.apply_online_url or self.where_website or self.source


def format_won(amount: int, language: str) -> str:
    """``5000`` as ``5,000원`` / ``KRW 5,000``; zero as free."""
    if amount == 0:
        return "Free" if language == "en" else "무료"
    return f"KRW {amount:,}" if language == "en" else f"{amount:,}원"


class ServiceAlias(Base):
    """Another name a citizen may use for a service, with its search key."""

    __tablename__ = "catalogue_service_alias"
    __table_args__ = (UniqueConstraint("service_id", "language", "alias"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    service_id = Column(
        String(64), ForeignKey("catalogue_service.id", ondelete="CASCADE"), nullable=False, index=True
    )
    language = Column(String(2), nullable=False)
    alias = Column(Text, nullable=False)
    # Lower-cased, spaces and punctuation removed: lets SQL find an exact alias.
    normalized = Column(Text, nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)

    service = relationship("Service", back_populates="aliases")


life_event_services = Table(
    "catalogue_life_event_service",
    Base.metadata,
    Column(
        "life_event_id",
        String(64),
        ForeignKey("catalogue_life_event.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "service_id", String(64), ForeignKey("catalogue_service.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("position", Integer, nullable=False, default=0),
    Index("ix_life_event_service_order", "life_event_id", "position"),
)


class LifeEvent(Base):
    """A life situation (a birth, a move, a job loss ...) and its ordered services."""

    __tablename__ = "catalogue_life_event"

    id = Column(String(64), primary_key=True)
    name_ko = Column(Text, nullable=False)
    name_en = Column(Text, nullable=False)
    description_ko = Column(Text, nullable=False, default="")
    description_en = Column(Text, nullable=False, default="")
    triggers_ko = Column(JSON, nullable=False, default=list)
    triggers_en = Column(JSON, nullable=False, default=list)
    position = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utc_now, onupdate=utc_now)

    def name(self, language: str) -> str:
        """The life event's name in ``language``."""
        return self.name_en if language == "en" else self.name_ko


class AuditLog(Base):
    """One recorded action: who did what to which entity, when, from what to what.

    The one audit log of the project: catalogue changes (CLI, YAML import,
    console), application moves and lockout lifts (CLI and console), and staff
    account events (console). ``source`` says which tool wrote the row;
    ``change_id`` groups the rows of one change (all fields of one save).
    """

    __tablename__ = "catalogue_audit_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utc_now, index=True)
    actor = Column(String(128), nullable=False)
    # create | update | delete | revert | publish | submit | reject | move | unlock | login ...
    action = Column(String(32), nullable=False)
    entity_type = Column(String(32), nullable=False, default="service")  # service | agency | application | user ...
    entity_id = Column(String(64), nullable=False, index=True)
    field = Column(String(128))
    old_value = Column(Text)
    new_value = Column(Text)
    source = Column(String(32))  # cli | import | console | seed; empty on rows written before it existed
    change_id = Column(String(36), index=True)

    def as_dict(self) -> Dict[str, Any]:
        """The row as plain values (for the CLI, the console's CSV export and tests)."""
        return {
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "field": self.field,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "source": self.source,
            "change_id": self.change_id,
        }


def record_audit(
    session: Any,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    field: str | None = None,
    old_value: str | None = None,
    new_value: str | None = None,
    source: str | None = None,
    change_id: str | None = None,
) -> AuditLog:
    """Add one audit row to ``session`` (written when the caller's transaction commits)."""
    row = AuditLog(
        at=utc_now(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        field=field,
        old_value=old_value,
        new_value=new_value,
        source=source,
        change_id=change_id,
    )
    session.add(row)
    return row


class ServiceVersion(Base):
    """The whole service entry as it was after one saved change (for history, diff and revert).

    Written by the importer for every created or changed service, whichever
    tool made the change; ``revision`` matches :attr:`Service.revision`.
    No foreign key: the history outlives a deleted service.
    """

    __tablename__ = "catalogue_service_version"
    __table_args__ = (UniqueConstraint("service_id", "revision", name="uq_service_version"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    service_id = Column(String(64), nullable=False, index=True)
    revision = Column(Integer, nullable=False)
    entry = Column(JSON, nullable=False)
    at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    actor = Column(String(128), nullable=False)
    source = Column(String(32))
    change_id = Column(String(36))


class CatalogueVersion(Base):
    """A single row whose ``version`` grows on every catalogue change.

    Readers (the search index) compare it with the version they were built
    from: one indexed primary-key read tells them whether to rebuild.
    """

    __tablename__ = "catalogue_version"

    id = Column(Integer, primary_key=True)
    version = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)


def as_date(value: Any) -> date:
    """A ``date`` from a YAML date or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
