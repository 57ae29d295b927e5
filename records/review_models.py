"""The trainers' review inbox (issue 17): one row per failed or doubtful question.

Rows come from the masked tracker store (``nlu_fallback`` messages and guesses
below the review confidence) and from thumbs-down feedback; the text is masked
again when the row is written (:func:`core.privacy.mask_for_log`). A trainer
labels a row with the right intent (and, optionally, the span that names the
service), marks it out of scope, or ignores it.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Integer, String, Text

from core.db import Base
from records.models import utc_now

#: Where an item came from: nlu_fallback (the classifier's fallback intent, or a
#: fallback action answered it), low_confidence, or thumbs_down.
REVIEW_SOURCES = ("nlu_fallback", "low_confidence", "thumbs_down")
#: What a trainer decided: open (not yet), accepted, out_of_scope, ignored.
REVIEW_STATES = ("open", "accepted", "out_of_scope", "ignored")


class ReviewItem(Base):
    """One question waiting for (or given) a trainer's label."""

    __tablename__ = "review_items"

    id = Column(Integer, primary_key=True, autoincrement=True)
    # "event:<events.id>" or "feedback:<records_feedback.id>": collected once.
    origin = Column(String(64), nullable=False, unique=True)
    source = Column(String(16), nullable=False, index=True)
    asked_at = Column(DateTime, nullable=False, index=True)
    collected_at = Column(DateTime, nullable=False, default=utc_now)
    language = Column(String(7), nullable=False, default="ko")
    channel = Column(String(32))
    # The citizen's message, masked.
    text = Column(Text, nullable=False)
    guessed_intent = Column(String(64))
    confidence = Column(Float)
    state = Column(String(16), nullable=False, default="open", index=True)
    intent = Column(String(64))
    # The characters of ``text`` that name the service ([start, end)), and its catalogue id.
    service_start = Column(Integer)
    service_end = Column(Integer)
    service_id = Column(String(64))
    reviewed_by = Column(String(64))
    reviewed_at = Column(DateTime)
