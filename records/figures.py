"""How the assistant is doing (issue 17): the figures, computed in one place.

Read from Rasa's conversation table (``events``, masked by
:class:`core.tracker_store.MaskingSQLTrackerStore`) and the records tables
(``records_handoff``, ``records_feedback``); never from anything unmasked. The
CLI (``python -m records figures``), the console dashboard and the public API
all call :func:`compute_figures` (blocking: run it in a thread from async code).

Definitions, one place for each:

* a *conversation* is one session of one sender: it starts at Rasa's
  ``session_started`` event (or at the sender's first event);
* its *channel* is the ``channel`` the web gateway puts in the message
  metadata, else Rasa's ``input_channel`` (``rest``, ``telegram``, ``kakao``);
* its *language* is the last value of the ``language`` slot, else the
  language of its first message with letters (Hangul or not);
* its *services* are the values of the ``current_service`` slot and the
  ``service`` entities in it;
* a *message* is a user message; a *fallback* is a message classified as
  ``nlu_fallback`` or answered first by a fallback action;
* a conversation is *handed off* when a handoff record of the same sender
  falls inside it (up to :data:`HANDOFF_GRACE_SECONDS` after its last event);
  *containment* is the share of conversations that were not;
* *turns* are the messages of a conversation; the *response time* of a
  message is the time to the first bot message after it;
* the *helpful rate* is the share of thumbs-up among the ratings given.

Times are naive UTC (as stored); periods (``month`` or ``day``) are Korea time.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from statistics import median
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from sqlalchemy import column, inspect, select, table
from sqlalchemy.engine import Engine

from core.db import session_scope
from core.language import detect_language
from records.models import Feedback, Handoff

KST = timezone(timedelta(hours=9), "KST")
EVENTS_TABLE = "events"
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_handle_fallback", "action_default_fallback", "utter_ask_rephrase"})
SERVICE_SLOT = "current_service"
LANGUAGE_SLOT = "language"
HANDOFF_GRACE_SECONDS = 300.0
UNKNOWN = "unknown"
NO_SERVICE = "-"
TOP_SERVICES = 10
PERIODS = ("month", "day")
DIMENSIONS = ("period", "channel", "language", "service")


@dataclass
class Conversation:
    """One session of one sender, as the figures see it (no text kept)."""

    sender_id: str
    start: float
    end: float
    channel: str = UNKNOWN
    language: str = UNKNOWN
    services: Set[str] = field(default_factory=set)
    messages: int = 0
    fallbacks: int = 0
    response_times: List[float] = field(default_factory=list)
    handoff_reasons: List[str] = field(default_factory=list)
    ratings: List[bool] = field(default_factory=list)
    # A language read from the text, used when no language slot was set.
    _guessed_language: Optional[str] = None


@dataclass(frozen=True)
class Figures:
    """The figures of one group of conversations. Rates are fractions (0-1)
    and ``None`` when there is nothing to divide by."""

    conversations: int
    messages: int
    fallbacks: int
    fallback_rate: Optional[float]
    handed_off: int
    handoff_rate: Optional[float]
    containment_rate: Optional[float]
    handoff_reasons: Dict[str, int]
    ratings: int
    helpful: int
    helpful_rate: Optional[float]
    top_services: List[Tuple[str, int]]
    median_turns: Optional[float]
    median_response_seconds: Optional[float]

    def as_dict(self) -> Dict[str, Any]:
        """The figures as plain JSON-ready values."""
        data = asdict(self)
        data["top_services"] = [{"service": key, "conversations": count} for key, count in self.top_services]
        return data


@dataclass(frozen=True)
class FiguresReport:
    """The figures of a period: overall and broken down by each dimension."""

    since: Optional[datetime]
    until: Optional[datetime]
    period: str
    overall: Figures
    by_period: Dict[str, Figures]
    by_channel: Dict[str, Figures]
    by_language: Dict[str, Figures]
    by_service: Dict[str, Figures]

    def breakdown(self, dimension: str) -> Dict[str, Figures]:
        """The figures per value of ``dimension`` (one of :data:`DIMENSIONS`)."""
        return getattr(self, f"by_{dimension}")


def _rate(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


def summarise(conversations: Sequence[Conversation]) -> Figures:
    """The figures of these conversations (the handoffs and ratings attached to them)."""
    messages = sum(c.messages for c in conversations)
    fallbacks = sum(c.fallbacks for c in conversations)
    handed_off = sum(1 for c in conversations if c.handoff_reasons)
    reasons: Counter = Counter(reason for c in conversations for reason in c.handoff_reasons)
    ratings = [rating for c in conversations for rating in c.ratings]
    services: Counter = Counter(service for c in conversations for service in c.services)
    turns = [c.messages for c in conversations]
    responses = [seconds for c in conversations for seconds in c.response_times]
    total = len(conversations)
    return Figures(
        conversations=total,
        messages=messages,
        fallbacks=fallbacks,
        fallback_rate=_rate(fallbacks, messages),
        handed_off=handed_off,
        handoff_rate=_rate(handed_off, total),
        containment_rate=_rate(total - handed_off, total),
        handoff_reasons=dict(sorted(reasons.items())),
        ratings=len(ratings),
        helpful=sum(ratings),
        helpful_rate=_rate(sum(ratings), len(ratings)),
        top_services=sorted(services.items(), key=lambda item: (-item[1], item[0]))[:TOP_SERVICES],
        median_turns=float(median(turns)) if turns else None,
        median_response_seconds=round(float(median(responses)), 3) if responses else None,
    )


def _epoch(moment: Optional[datetime]) -> Optional[float]:
    return None if moment is None else moment.replace(tzinfo=timezone.utc).timestamp()


def period_key(timestamp: float, period: str = "month") -> str:
    """The Korea-time month (``2026-03``) or day (``2026-03-02``) of a timestamp."""
    moment = datetime.fromtimestamp(timestamp, KST)
    return moment.strftime("%Y-%m" if period == "month" else "%Y-%m-%d")


def _load(data: Optional[str]) -> Dict[str, Any]:
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _text_value(value: Any) -> Optional[str]:
    return value.strip() if isinstance(value, str) and value.strip() else None


def read_conversations(
    engine: Engine, since: Optional[datetime] = None, until: Optional[datetime] = None
) -> List[Conversation]:
    """The conversations that started in ``[since, until)`` (naive UTC), from
    the tracker store; empty when the database holds no ``events`` table."""
    if EVENTS_TABLE not in inspect(engine).get_table_names():
        return []
    start, stop = _epoch(since), _epoch(until)
    events = table(
        EVENTS_TABLE, column("id"), column("sender_id"), column("type_name"), column("timestamp"),
        column("intent_name"), column("action_name"), column("data"),
    )
    query = select(
        events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.intent_name,
        events.c.action_name, events.c.data,
    ).order_by(events.c.sender_id, events.c.id)
    # Read from a day before ``since`` so a session that started earlier is
    # not taken for a new one; it is dropped below by its real start.
    if start is not None:
        query = query.where(events.c.timestamp >= start - 86400.0)
    if stop is not None:
        query = query.where(events.c.timestamp < stop)
    conversations: List[Conversation] = []
    current: Optional[Conversation] = None
    awaiting: Optional[float] = None  # when the unanswered user message came
    first_action_of: Optional[str] = None  # the intent of a message whose first action is still to come
    with engine.connect() as connection:
        for sender_id, type_name, timestamp, intent_name, action_name, data in connection.execute(query):
            moment = float(timestamp or 0.0)
            if current is None or current.sender_id != sender_id or type_name == "session_started":
                if (current is not None and current.sender_id == sender_id and current.messages == 0
                        and type_name == "session_started"):
                    current.start = moment  # the session-start action before it: same session
                else:
                    current = Conversation(sender_id=sender_id, start=moment, end=moment)
                    conversations.append(current)
                awaiting = first_action_of = None
            current.end = max(current.end, moment)
            if type_name == "user":
                _read_user(current, intent_name, _load(data))
                awaiting, first_action_of = moment, intent_name or ""
            elif type_name == "bot" and awaiting is not None:
                current.response_times.append(max(0.0, moment - awaiting))
                awaiting = None
            elif type_name == "action" and first_action_of is not None and action_name != "action_listen":
                # A message the classifier did understand but the policies
                # could not answer: the fallback action runs first.
                if action_name in FALLBACK_ACTIONS and first_action_of != FALLBACK_INTENT:
                    current.fallbacks += 1
                first_action_of = None
            elif type_name == "slot":
                _read_slot(current, _load(data))
    kept = []
    for conversation in conversations:
        if conversation.messages == 0:
            continue
        if start is not None and conversation.start < start:
            continue
        if conversation.language == UNKNOWN:
            conversation.language = conversation._guessed_language or UNKNOWN
        kept.append(conversation)
    return kept


def _read_user(conversation: Conversation, intent_name: Optional[str], event: Dict[str, Any]) -> None:
    conversation.messages += 1
    if intent_name == FALLBACK_INTENT:
        conversation.fallbacks += 1
    metadata = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
    if conversation.channel == UNKNOWN:
        conversation.channel = _text_value(metadata.get("channel")) or _text_value(event.get("input_channel")) \
            or UNKNOWN
    if conversation._guessed_language is None:
        conversation._guessed_language = detect_language(_text_value(event.get("text")) or "")
    parse = event.get("parse_data") if isinstance(event.get("parse_data"), dict) else {}
    for entity in parse.get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == "service":
            value = _text_value(entity.get("value"))
            if value:
                conversation.services.add(value)


def _read_slot(conversation: Conversation, event: Dict[str, Any]) -> None:
    name, value = event.get("name"), _text_value(event.get("value"))
    if name == LANGUAGE_SLOT and value in ("ko", "en"):
        conversation.language = value
    elif name == SERVICE_SLOT and value:
        conversation.services.add(value)


def _attach_records(
    engine: Engine,
    conversations: List[Conversation],
    since: Optional[datetime],
    until: Optional[datetime],
) -> None:
    """Attach each handoff and rating in the period to the conversation it
    happened in; one that fits none becomes a conversation of its own (its
    sender's conversation was purged or kept elsewhere) so no record is lost."""
    by_sender: Dict[str, List[Conversation]] = defaultdict(list)
    for conversation in conversations:
        by_sender[conversation.sender_id].append(conversation)

    def owner(sender_id: str, at: datetime, language: str) -> Conversation:
        moment = _epoch(at) or 0.0
        for conversation in by_sender.get(sender_id, []):
            if conversation.start <= moment <= conversation.end + HANDOFF_GRACE_SECONDS:
                return conversation
        orphan = Conversation(sender_id=sender_id, start=moment, end=moment, language=language or UNKNOWN)
        by_sender[sender_id].append(orphan)
        conversations.append(orphan)
        return orphan

    with session_scope(engine) as session:
        for model in (Handoff, Feedback):
            query = select(model).order_by(model.at, model.id)
            if since is not None:
                query = query.where(model.at >= since)
            if until is not None:
                query = query.where(model.at < until)
            for row in session.execute(query).scalars():
                conversation = owner(row.sender_id, row.at, row.language)
                if model is Handoff:
                    conversation.handoff_reasons.append(row.reason)
                else:
                    conversation.ratings.append(bool(row.helpful))
                if row.service_id:
                    conversation.services.add(row.service_id)


def _group(conversations: Iterable[Conversation], key: Callable[[Conversation], Iterable[str]]) -> Dict[str, Figures]:
    groups: Dict[str, List[Conversation]] = defaultdict(list)
    for conversation in conversations:
        for value in key(conversation):
            groups[value].append(conversation)
    return {value: summarise(groups[value]) for value in sorted(groups)}


#: The value of a dimension a row of :func:`monthly_cube` totals over.
ALL = "all"


def monthly_cube(
    engine: Engine, since: Optional[datetime] = None, until: Optional[datetime] = None
) -> Dict[Tuple[str, str, str], Figures]:
    """The figures per (month, channel, language) of the conversations that
    started in ``[since, until)``, with :data:`ALL` for the month's total and
    for the total of each channel and of each language; nothing finer."""
    conversations = read_conversations(engine, since, until)
    _attach_records(engine, conversations, since, until)
    groups: Dict[Tuple[str, str, str], List[Conversation]] = defaultdict(list)
    for conversation in conversations:
        month = period_key(conversation.start, "month")
        for key in ((month, ALL, ALL), (month, conversation.channel, ALL), (month, ALL, conversation.language)):
            groups[key].append(conversation)
    return {key: summarise(groups[key]) for key in sorted(groups)}


def compute_figures(
    engine: Engine,
    since: Optional[datetime] = None,
    until: Optional[datetime] = None,
    channel: Optional[str] = None,
    language: Optional[str] = None,
    period: str = "month",
) -> FiguresReport:
    """The figures of the conversations that started in ``[since, until)``
    (naive UTC; open ends take everything), optionally of one channel or
    language, overall and per period (Korea time), channel, language and
    service. A conversation with several services counts once for each in
    the service breakdown and once overall."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    conversations = read_conversations(engine, since, until)
    _attach_records(engine, conversations, since, until)
    chosen = [
        c for c in conversations
        if (channel is None or c.channel == channel) and (language is None or c.language == language)
    ]
    return FiguresReport(
        since=since,
        until=until,
        period=period,
        overall=summarise(chosen),
        by_period=_group(chosen, lambda c: [period_key(c.start, period)]),
        by_channel=_group(chosen, lambda c: [c.channel]),
        by_language=_group(chosen, lambda c: [c.language]),
        by_service=_group(chosen, lambda c: sorted(c.services) or [NO_SERVICE]),
    )


def _percent(value: Optional[float]) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _number(value: Optional[float], unit: str = "") -> str:
    return "-" if value is None else f"{value:g}{unit}"


#: (label, how to show it) of each figure, in the order staff read them.
FIGURE_LINES: Tuple[Tuple[str, Callable[[Figures], str]], ...] = (
    ("대화 / Conversations", lambda f: str(f.conversations)),
    ("메시지 / Messages", lambda f: str(f.messages)),
    ("자체 해결률 / Containment rate", lambda f: _percent(f.containment_rate)),
    ("이해 못 한 비율 / Fallback rate", lambda f: f"{_percent(f.fallback_rate)} ({f.fallbacks})"),
    ("상담 연결률 / Handoff rate", lambda f: f"{_percent(f.handoff_rate)} ({f.handed_off})"),
    ("연결 사유 / Handoff reasons",
     lambda f: ", ".join(f"{key} {value}" for key, value in f.handoff_reasons.items()) or "-"),
    ("도움이 됐어요 / Helpful rate", lambda f: f"{_percent(f.helpful_rate)} ({f.helpful}/{f.ratings})"),
    ("많이 찾은 서비스 / Top services",
     lambda f: ", ".join(f"{key} {value}" for key, value in f.top_services[:5]) or "-"),
    ("대화당 메시지 중앙값 / Median turns", lambda f: _number(f.median_turns)),
    ("응답 시간 중앙값 / Median response time", lambda f: _number(f.median_response_seconds, " s")),
)


def format_figures(figures: Figures, indent: str = "") -> str:
    """The figures as aligned terminal lines, both languages."""
    return "".join(f"{indent}{label:<40} {show(figures)}\n" for label, show in FIGURE_LINES)


def format_report(report: FiguresReport) -> str:
    """The whole report for the terminal: overall, then each breakdown."""
    lines = [format_figures(report.overall)]
    titles = {"period": "기간별 / By period", "channel": "채널별 / By channel",
              "language": "언어별 / By language", "service": "서비스별 / By service"}
    for dimension in DIMENSIONS:
        groups = report.breakdown(dimension)
        if not groups:
            continue
        lines.append(f"\n{titles[dimension]}\n")
        for value, figures in groups.items():
            lines.append(
                f"  {value:<24} conversations {figures.conversations:>6}  messages {figures.messages:>6}  "
                f"containment {_percent(figures.containment_rate):>7}  fallback {_percent(figures.fallback_rate):>7}  "
                f"helpful {_percent(figures.helpful_rate):>7}\n"
            )
    return "".join(lines)
