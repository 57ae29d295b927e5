"""Where a catalogue service came from in an outside catalogue, and what staff must check.

One row per service imported from (or matched with) the national catalogue
(보조금24 "대한민국 공공서비스(혜택) 정보"): its id and link there, its
category, the record as the source gave it (so an export can send it back with
the agency's corrections), and the reasons the import asks staff to review it
(no English, fields the catalogue schema has no place for, facts the source
lacks). The table is created by migration ``0002_opendata``.
"""

from __future__ import annotations

from typing import Any, Dict, List

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, String, Text, UniqueConstraint

from core.db import Base
from knowledge.models import utc_now

GOV24 = "gov24"


class ServiceSource(Base):
    """The outside record behind one catalogue service."""

    __tablename__ = "catalogue_service_source"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_service_source_id"),)

    service_id = Column(
        String(64), ForeignKey("catalogue_service.id", ondelete="CASCADE"), primary_key=True
    )
    source = Column(String(32), nullable=False, default=GOV24)
    source_id = Column(String(64), nullable=False)
    detail_url = Column(Text)
    # The source's own field (서비스분야) and our slug for it.
    category = Column(String(64), index=True)
    category_ko = Column(Text)
    # "created" when the import made the service, "matched" when it already existed.
    origin = Column(String(16), nullable=False, default="created")
    record = Column(JSON, nullable=False, default=dict)
    needs_review = Column(Boolean, nullable=False, default=False)
    review_reasons = Column(JSON, nullable=False, default=list)
    imported_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)

    def as_dict(self) -> Dict[str, Any]:
        """The row as plain values (for the CLI, the API and tests)."""
        reasons: List[str] = list(self.review_reasons or [])
        return {
            "service_id": self.service_id,
            "source": self.source,
            "source_id": self.source_id,
            "detail_url": self.detail_url,
            "category": self.category,
            "category_ko": self.category_ko,
            "origin": self.origin,
            "needs_review": bool(self.needs_review),
            "review_reasons": reasons,
        }
