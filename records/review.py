"""The trainers' review inbox (issue 17): from a failed question to NLU training data.

:func:`collect` brings every message the assistant did not understand
(``nlu_fallback``, or answered by a fallback action), every guess below :data:`REVIEW_CONFIDENCE` and every
question rated unhelpful into ``review_items``, masked, once each. A trainer
labels an item (:func:`label`); :func:`export_training` writes the accepted
ones as Rasa NLU YAML in the project's layout (``nlu/data/<language>/``),
with the service span annotated, and never an identifier: an example that
still holds a mask or anything :func:`core.privacy.mask_for_log` would hide is
left out. Everything here is blocking: run it in a thread from async code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import yaml
from sqlalchemy import column, func, inspect, select, table
from sqlalchemy.engine import Engine

from core.db import session_scope
from core.language import detect_language
from core.privacy import APPLICATION_MASK, BIRTH_DATE_MASK, PHONE_MASK, RRN_MASK, mask_citizen_text
from records.figures import EVENTS_TABLE, FALLBACK_ACTIONS, FALLBACK_INTENT
from records.models import Feedback, utc_now
from records.review_models import REVIEW_SOURCES, REVIEW_STATES, ReviewItem

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DOMAIN_DIR = PROJECT_ROOT / "bot" / "domain"

#: A guess the classifier was less sure of than this goes to the inbox too
#: (the FallbackClassifier answers ``nlu_fallback`` below 0.4, config.yml).
REVIEW_CONFIDENCE = 0.6

#: Intents a trainer may not assign: they are not things citizens ask.
_NOT_ASSIGNABLE = frozenset({FALLBACK_INTENT, "share_resident_number"})
_MASKS = (APPLICATION_MASK, BIRTH_DATE_MASK, PHONE_MASK, RRN_MASK)


class ReviewError(ValueError):
    """A label that cannot be applied (unknown item, intent or span)."""


@dataclass(frozen=True)
class ReviewRow:
    """One inbox item as staff see it (the text is masked)."""

    id: int
    source: str
    asked_at: datetime
    language: str
    channel: Optional[str]
    text: str
    guessed_intent: Optional[str]
    confidence: Optional[float]
    state: str
    intent: Optional[str]
    service_start: Optional[int]
    service_end: Optional[int]
    service_id: Optional[str]
    reviewed_by: Optional[str]

    @property
    def service_text(self) -> Optional[str]:
        """The part of the text marked as the service, if any."""
        if self.service_start is None or self.service_end is None:
            return None
        return self.text[self.service_start:self.service_end]


def domain_intents(domain_dir: Path = DOMAIN_DIR) -> List[str]:
    """The intents of the assistant's domain (every file in ``bot/domain``), sorted,
    without those a trainer may not assign."""
    found = set()
    for path in sorted(domain_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for intent in data.get("intents") or []:
            found.add(next(iter(intent)) if isinstance(intent, dict) else str(intent))
    return sorted(found - _NOT_ASSIGNABLE)


def _epoch(moment: datetime) -> float:
    return (moment - datetime(1970, 1, 1)).total_seconds()


def _row(item: ReviewItem) -> ReviewRow:
    return ReviewRow(
        item.id, item.source, item.asked_at, item.language, item.channel, item.text, item.guessed_intent,
        item.confidence, item.state, item.intent, item.service_start, item.service_end, item.service_id,
        item.reviewed_by,
    )


#: How far back (in event ids) each collection looks again, for messages a
#: concurrent transaction committed after a later one was already collected.
RESCAN_EVENTS = 1000


def _turns(
    engine: Engine, after_id: int, since: Optional[datetime] = None, until: Optional[datetime] = None
) -> Iterable[Tuple[int, float, Optional[str], Dict, Optional[str]]]:
    """Each user message after ``after_id`` (and in ``[since, until)``, naive UTC)
    with the first action that answered it (``None`` if none yet)."""
    events = table(EVENTS_TABLE, column("id"), column("sender_id"), column("type_name"), column("timestamp"),
                   column("intent_name"), column("action_name"), column("data"))
    query = (
        select(events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.intent_name,
               events.c.action_name, events.c.data)
        .where(events.c.type_name.in_(("user", "action")), events.c.id > after_id)
        .order_by(events.c.sender_id, events.c.id)
    )
    if since is not None:
        query = query.where(events.c.timestamp >= _epoch(since))
    if until is not None:
        query = query.where(events.c.timestamp < _epoch(until))
    pending: Optional[Tuple[int, str, float, Optional[str], Dict]] = None
    with engine.connect() as connection:
        for event_id, sender_id, type_name, timestamp, intent_name, action_name, data in connection.execute(query):
            if pending is not None and (pending[1] != sender_id or type_name == "user"):
                yield pending[0], pending[2], pending[3], pending[4], None
                pending = None
            if type_name == "user":
                try:
                    event = json.loads(data or "{}")
                except ValueError:
                    continue
                if isinstance(event, dict):
                    pending = (int(event_id), sender_id, float(timestamp or 0.0), intent_name, event)
            elif pending is not None and action_name not in ("action_listen", None):
                yield pending[0], pending[2], pending[3], pending[4], action_name
                pending = None
    if pending is not None:
        yield pending[0], pending[2], pending[3], pending[4], None


def _event_origins(engine: Engine) -> Tuple[int, set]:
    with session_scope(engine) as session:
        origins = set(session.execute(
            select(ReviewItem.origin).where(ReviewItem.origin.like("event:%"))
        ).scalars())
    return max((int(origin.split(":", 1)[1]) for origin in origins), default=0), origins


def _message_item(event_id: int, timestamp: float, intent_name: Optional[str], event: Dict,
                  answered_by: Optional[str], threshold: float) -> Optional[ReviewItem]:
    message = mask_citizen_text(str(event.get("text") or "")).strip()
    if not message or message.startswith("/"):  # a button's payload, not a question
        return None
    parse = event.get("parse_data") if isinstance(event.get("parse_data"), dict) else {}
    intent = parse.get("intent") if isinstance(parse.get("intent"), dict) else {}
    confidence = intent.get("confidence")
    confidence = float(confidence) if isinstance(confidence, (int, float)) else None
    if intent_name == FALLBACK_INTENT:
        source = "nlu_fallback"
        # The classifier's own best guess, kept by Rasa in the ranking.
        ranking = [r for r in parse.get("intent_ranking") or [] if isinstance(r, dict)]
        guess = next((r for r in ranking if r.get("name") != FALLBACK_INTENT), None)
        guessed = guess.get("name") if guess else None
        confidence = float(guess["confidence"]) if guess and isinstance(guess.get("confidence"), (int, float)) \
            else confidence
    elif answered_by in FALLBACK_ACTIONS:
        # Understood well enough by the classifier, but the assistant still
        # answered "I did not understand": a fallback all the same.
        source, guessed = "nlu_fallback", intent_name
    elif confidence is not None and confidence < threshold:
        source, guessed = "low_confidence", intent_name
    else:
        return None
    metadata = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
    channel = metadata.get("channel") or event.get("input_channel")
    return ReviewItem(
        origin=f"event:{event_id}", source=source, asked_at=datetime.utcfromtimestamp(timestamp),
        language=detect_language(message) or "ko", channel=str(channel)[:32] if channel else None,
        text=message, guessed_intent=guessed, confidence=confidence, state="open",
    )


def collect(engine: Engine, threshold: float = REVIEW_CONFIDENCE) -> int:
    """Bring new failed and doubtful questions into the inbox, masked, each
    once (later runs pick up where the last one stopped). Returns how many
    items were added."""
    added: List[ReviewItem] = []
    if EVENTS_TABLE in inspect(engine).get_table_names():
        last, known = _event_origins(engine)
        for event_id, timestamp, intent_name, event, answered_by in _turns(engine, max(0, last - RESCAN_EVENTS)):
            if f"event:{event_id}" in known:
                continue
            item = _message_item(event_id, timestamp, intent_name, event, answered_by, threshold)
            if item is not None:
                added.append(item)
    with session_scope(engine) as session:
        known = set(session.execute(select(ReviewItem.origin).where(ReviewItem.origin.like("feedback:%"))).scalars())
        ratings = session.execute(
            select(Feedback).where(Feedback.helpful.is_(False)).order_by(Feedback.id)
        ).scalars()
        for rating in ratings:
            question = mask_citizen_text(rating.question or "").strip()
            origin = f"feedback:{rating.id}"
            if question and origin not in known:
                added.append(ReviewItem(
                    origin=origin, source="thumbs_down", asked_at=rating.at, language=rating.language or "ko",
                    text=question, guessed_intent=rating.intent, state="open", service_id=rating.service_id,
                ))
        session.add_all(added)
    return len(added)


@dataclass(frozen=True)
class Unanswered:
    """A question the assistant did not answer: a fallback or one rated unhelpful (masked)."""

    at: datetime
    source: str
    text: str


def unanswered_questions(
    engine: Engine, since: Optional[datetime] = None, until: Optional[datetime] = None
) -> List[Unanswered]:
    """The fallbacks and the questions rated unhelpful in ``[since, until)``,
    oldest first, masked: what the inbox collects, less the low-confidence
    guesses, read without writing anything."""
    found: List[Unanswered] = []
    if EVENTS_TABLE in inspect(engine).get_table_names():
        for event_id, timestamp, intent_name, event, answered_by in _turns(engine, 0, since, until):
            item = _message_item(event_id, timestamp, intent_name, event, answered_by, 0.0)
            if item is not None and item.source == "nlu_fallback":
                found.append(Unanswered(item.asked_at, item.source, item.text))
    with session_scope(engine) as session:
        query = select(Feedback).where(Feedback.helpful.is_(False))
        if since is not None:
            query = query.where(Feedback.at >= since)
        if until is not None:
            query = query.where(Feedback.at < until)
        for rating in session.execute(query).scalars():
            question = mask_citizen_text(rating.question or "").strip()
            if question:
                found.append(Unanswered(rating.at, "thumbs_down", question))
    return sorted(found, key=lambda question: question.at)


def list_items(
    engine: Engine, state: Optional[str] = "open", source: Optional[str] = None, limit: int = 200
) -> List[ReviewRow]:
    """Inbox items, newest first; ``state=None`` lists every state."""
    if state is not None and state not in REVIEW_STATES:
        raise ReviewError(f"unknown state {state!r}")
    if source is not None and source not in REVIEW_SOURCES:
        raise ReviewError(f"unknown source {source!r}")
    query = select(ReviewItem).order_by(ReviewItem.asked_at.desc(), ReviewItem.id.desc()).limit(limit)
    if state is not None:
        query = query.where(ReviewItem.state == state)
    if source is not None:
        query = query.where(ReviewItem.source == source)
    with session_scope(engine) as session:
        return [_row(item) for item in session.execute(query).scalars()]


def get_item(engine: Engine, item_id: int) -> Optional[ReviewRow]:
    """One item, or ``None``."""
    with session_scope(engine) as session:
        item = session.get(ReviewItem, item_id)
        return _row(item) if item is not None else None


def state_counts(engine: Engine) -> Dict[str, int]:
    """How many items are in each state (every state listed)."""
    with session_scope(engine) as session:
        rows = session.execute(select(ReviewItem.state, func.count()).group_by(ReviewItem.state)).all()
    counts = dict.fromkeys(REVIEW_STATES, 0)
    counts.update({state: int(count) for state, count in rows})
    return counts


def find_span(text: str, service_text: Optional[str]) -> Optional[Tuple[int, int]]:
    """Where ``service_text`` first occurs in ``text`` as ``(start, end)``;
    ``None`` for no service text. Raises :class:`ReviewError` when absent."""
    if not service_text or not service_text.strip():
        return None
    start = text.find(service_text.strip())
    if start < 0:
        raise ReviewError(f"{service_text!r} is not part of the message")
    return start, start + len(service_text.strip())


def label(
    engine: Engine,
    item_id: int,
    decision: str,
    reviewer: str,
    intent: Optional[str] = None,
    span: Optional[Tuple[int, int]] = None,
    service_id: Optional[str] = None,
    intents: Optional[Sequence[str]] = None,
) -> ReviewRow:
    """Record a trainer's decision: ``accepted`` (with an intent of the domain
    and optionally the service span), ``out_of_scope`` or ``ignored``; ``open``
    takes a decision back. Raises :class:`ReviewError` for an unknown item,
    decision, intent or a span outside the text."""
    if decision not in REVIEW_STATES:
        raise ReviewError(f"unknown decision {decision!r}")
    allowed = intents if intents is not None else domain_intents()
    with session_scope(engine) as session:
        item = session.get(ReviewItem, item_id)
        if item is None:
            raise ReviewError(f"no review item {item_id}")
        if decision == "accepted":
            if intent not in allowed:
                raise ReviewError(f"unknown intent {intent!r}")
            if span is not None and not (0 <= span[0] < span[1] <= len(item.text)):
                raise ReviewError("the service span is outside the message")
        item.state = decision
        item.intent = intent if decision == "accepted" else ("out_of_scope" if decision == "out_of_scope" else None)
        item.service_start, item.service_end = span if decision == "accepted" and span else (None, None)
        if decision == "accepted" and service_id:
            item.service_id = service_id
        item.reviewed_by = None if decision == "open" else reviewer
        item.reviewed_at = None if decision == "open" else utc_now()
        session.flush()
        return _row(item)


def is_safe_example(text: str) -> bool:
    """True when a training example holds no identifier and no mask of one."""
    return not any(mask in text for mask in _MASKS) and mask_citizen_text(text) == text


def _yaml_escape(example: str) -> str:
    """One example line for a block scalar: no newline, brackets kept for annotation only."""
    return " ".join(example.replace("[", "(").replace("]", ")").split())


def _annotated(row: ReviewRow) -> str:
    if row.service_start is None or row.service_end is None:
        return _yaml_escape(row.text)
    before = _yaml_escape(row.text[: row.service_start])
    inside = _yaml_escape(row.text[row.service_start: row.service_end])
    after = _yaml_escape(row.text[row.service_end:])
    # Keep the spaces around the span that the message had.
    left = " " if row.text[: row.service_start].endswith(" ") and before else ""
    right = " " if row.text[row.service_end:].startswith(" ") and after else ""
    return f"{before}{left}[{inside}](service){right}{after}"


@dataclass(frozen=True)
class Export:
    """What an export wrote: examples per intent, and how many were left out."""

    text: str
    examples: int
    skipped: int


def export_training(engine: Engine, language: Optional[str] = None) -> Export:
    """The accepted (and out-of-scope) items as Rasa NLU YAML, one block per
    intent, the service spans annotated; examples that would carry an
    identifier, or repeat another, are left out."""
    with session_scope(engine) as session:
        query = select(ReviewItem).where(ReviewItem.state.in_(("accepted", "out_of_scope"))).order_by(ReviewItem.id)
        if language is not None:
            query = query.where(ReviewItem.language == language)
        rows = [_row(item) for item in session.execute(query).scalars()]
    by_intent: Dict[str, List[str]] = {}
    skipped = 0
    for row in rows:
        if not row.intent or not is_safe_example(row.text):
            skipped += 1
            continue
        example = _annotated(row)
        examples = by_intent.setdefault(row.intent, [])
        if example and example not in examples:
            examples.append(example)
        else:
            skipped += 1
    lines = [
        "# Examples labelled by trainers in the review inbox (python -m records export-training).",
        "# Review them, move them into nlu/data/<language>/, then run `make eval`.",
        'version: "3.1"',
        "",
        "nlu:",
    ]
    for intent in sorted(by_intent):
        lines.append(f"  - intent: {intent}")
        lines.append("    examples: |")
        lines.extend(f"      - {example}" for example in by_intent[intent])
    if not by_intent:
        lines[-1] = "nlu: []"
    return Export("\n".join(lines) + "\n", sum(len(v) for v in by_intent.values()), skipped)
