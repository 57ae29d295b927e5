"""Proactive notices (issue 20): subscriptions and the outbox they fill.

A citizen who checked an application's status on a messenger that can push
(Telegram, KakaoTalk) may ask to be told when it changes: :func:`subscribe`
keeps the application, the messenger, the conversation id on it, the language
and the time of consent, nothing else. :func:`enqueue_status_notices` is called
by :func:`applications.repository.move_application` inside the transaction of
the change, so a status change and its notices are committed together or not
at all; the notifier (:mod:`records.notifier`) delivers them. A supplement
request with a deadline also gets reminders 3 and 1 days before it
(:func:`schedule_reminders`). A final status ends the subscription after its
last notice; the citizen can cancel at any time (:func:`unsubscribe`).

Functions taking a :class:`~sqlalchemy.orm.Session` leave the transaction to
the caller; those taking an :class:`~sqlalchemy.engine.Engine` are blocking
reads for the staff command and the console (run them in a thread from async
code).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Dict, Iterable, List, Optional, Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from applications.clock import KST
from applications.models import Application
from applications.statuses import FINAL_STATUSES, ApplicationStatus
from core.db import session_scope
from records.models import Notice, NoticeDelivery, NoticeSubscription

#: Messengers the assistant can write to first.
PUSH_CHANNELS = ("telegram", "kakao")

#: Reminders before a supplement deadline, in days.
REMINDER_DAYS = (3, 1)

#: Reminders go out at this Korean hour on their day.
REMINDER_HOUR_KST = 9

#: No push between these Korean hours (21:00-08:00) unless the citizen chose otherwise.
QUIET_START_KST = time(21, 0)
QUIET_END_KST = time(8, 0)

NOTICE_STATES = ("pending", "claimed", "sending", "sent", "failed", "unconfirmed", "cancelled")


def _as_utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def in_quiet_hours(moment: datetime) -> bool:
    """True when ``moment`` (naive UTC) falls between 21:00 and 08:00 Korea time."""
    local = moment.replace(tzinfo=timezone.utc).astimezone(KST).time()
    return local >= QUIET_START_KST or local < QUIET_END_KST


def quiet_hours_end(moment: datetime) -> datetime:
    """The next 08:00 Korea time at or after ``moment`` (naive UTC), as naive UTC."""
    local = moment.replace(tzinfo=timezone.utc).astimezone(KST)
    day = local.date() if local.time() < QUIET_END_KST else local.date() + timedelta(days=1)
    return _as_utc_naive(datetime.combine(day, QUIET_END_KST, KST))


def reminder_time(deadline: date, days_before: int) -> datetime:
    """When the reminder ``days_before`` a deadline is due (09:00 Korea time), as naive UTC."""
    return _as_utc_naive(datetime.combine(deadline - timedelta(days=days_before), time(REMINDER_HOUR_KST), KST))


def active_subscriptions(session: Session, application_id: int) -> List[NoticeSubscription]:
    """The subscriptions to ``application_id`` that have not ended."""
    return list(
        session.execute(
            select(NoticeSubscription).where(
                NoticeSubscription.application_id == application_id, NoticeSubscription.ended_at.is_(None)
            )
        ).scalars()
    )


def _add_notice(
    session: Session,
    subscription: NoticeSubscription,
    *,
    kind: str,
    status: str,
    dedupe_key: str,
    now: datetime,
    due_at: datetime,
    deadline: Optional[date] = None,
    days_before: Optional[int] = None,
) -> bool:
    """Add one pending notice unless one with ``dedupe_key`` exists; True when added."""
    exists = session.execute(select(Notice.id).where(Notice.dedupe_key == dedupe_key)).first()
    if exists is not None:
        return False
    session.add(
        Notice(
            subscription_id=subscription.id,
            kind=kind,
            status=status,
            deadline=deadline,
            days_before=days_before,
            dedupe_key=dedupe_key,
            created_at=now,
            due_at=due_at,
            state="pending",
            attempts=0,
        )
    )
    return True


def schedule_reminders(
    session: Session, subscription: NoticeSubscription, application: Application, now: datetime
) -> int:
    """Add the deadline reminders of ``subscription`` when ``application`` awaits a
    supplement with a deadline: 3 and 1 days before, at 09:00 Korea time; a
    reminder whose time has passed is not added. Returns how many were added."""
    deadline = application.supplement_deadline
    if application.status != ApplicationStatus.SUPPLEMENT_REQUESTED.value or deadline is None:
        return 0
    added = 0
    for days in REMINDER_DAYS:
        due = reminder_time(deadline, days)
        if due < now:
            continue
        key = f"reminder:{subscription.id}:{deadline.isoformat()}:{days}"
        added += _add_notice(
            session,
            subscription,
            kind="reminder",
            status=application.status,
            dedupe_key=key,
            now=now,
            due_at=due,
            deadline=deadline,
            days_before=days,
        )
    return added


def cancel_pending(
    session: Session, subscription_ids: Sequence[int], now: datetime, reason: str, kind: Optional[str] = None
) -> int:
    """Cancel the undelivered notices (only those of ``kind`` if given) of these
    subscriptions and log why; returns how many."""
    if not subscription_ids:
        return 0
    query = (
        select(Notice.id, NoticeSubscription.channel)
        .join(NoticeSubscription, NoticeSubscription.id == Notice.subscription_id)
        .where(Notice.subscription_id.in_(list(subscription_ids)), Notice.state.in_(("pending", "claimed")))
    )
    if kind is not None:
        query = query.where(Notice.kind == kind)
    rows = session.execute(query).all()
    if not rows:
        return 0
    session.execute(
        update(Notice)
        .where(Notice.id.in_([row.id for row in rows]), Notice.state.in_(("pending", "claimed")))
        .values(state="cancelled", claimed_by=None, lease_until=None, last_error=reason[:200])
        .execution_options(synchronize_session=False)
    )
    for row in rows:
        session.add(NoticeDelivery(notice_id=row.id, at=now, channel=row.channel, outcome="cancelled", detail=reason))
    return len(rows)


def enqueue_status_notices(session: Session, application: Application, now: datetime) -> int:
    """Write a notice of ``application``'s new status for every active
    subscription, in the caller's transaction; returns how many.

    Call it after the status and its history row are flushed. A move away from
    a supplement request cancels that request's reminders; a new request with
    a deadline schedules them; a final status ends the subscriptions (their
    last notice is still delivered).
    """
    subscriptions = active_subscriptions(session, application.id)
    if not subscriptions:
        return 0
    change = application.history[-1].id if application.history else None
    change_key = change if change is not None else now.isoformat()
    status = application.status
    # A supplement request's notice names its deadline, as it was at the change.
    deadline = application.supplement_deadline if status == ApplicationStatus.SUPPLEMENT_REQUESTED.value else None
    ids = [subscription.id for subscription in subscriptions]
    cancel_pending(session, ids, now, f"moved to {status}", kind="reminder")
    added = 0
    for subscription in subscriptions:
        added += _add_notice(
            session,
            subscription,
            kind="status",
            status=status,
            dedupe_key=f"status:{subscription.id}:{change_key}",
            now=now,
            due_at=now,
            deadline=deadline,
        )
        schedule_reminders(session, subscription, application, now)
    if ApplicationStatus(status) in FINAL_STATUSES:
        for subscription in subscriptions:
            subscription.ended_at = now
            subscription.end_reason = "final"
    session.flush()
    return added


def subscribe(
    session: Session,
    *,
    application_id: int,
    channel: str,
    recipient: str,
    language: str,
    now: datetime,
    quiet_hours: bool = True,
) -> NoticeSubscription:
    """Record (or renew) consent to notices about one application on one messenger.

    Raises ``ValueError`` for a channel that cannot push, an application that
    does not exist or one in a final status (nothing will change any more).
    """
    if channel not in PUSH_CHANNELS:
        raise ValueError(f"channel {channel!r} cannot push notices")
    application = session.get(Application, application_id)
    if application is None:
        raise ValueError("no such application")
    if ApplicationStatus(application.status) in FINAL_STATUSES:
        raise ValueError("the application has a final status")
    language = "en" if language == "en" else "ko"
    subscription = session.execute(
        select(NoticeSubscription).where(
            NoticeSubscription.application_id == application_id,
            NoticeSubscription.channel == channel,
            NoticeSubscription.recipient == recipient,
        )
    ).scalar_one_or_none()
    if subscription is None:
        subscription = NoticeSubscription(application_id=application_id, channel=channel, recipient=recipient)
        session.add(subscription)
    subscription.language = language
    subscription.consented_at = now
    subscription.quiet_hours = quiet_hours
    subscription.ended_at = None
    subscription.end_reason = None
    session.flush()
    schedule_reminders(session, subscription, application, now)
    session.flush()
    return subscription


def unsubscribe(session: Session, *, recipient: str, now: datetime, reason: str = "cancelled") -> int:
    """End every active subscription of ``recipient`` (a conversation id) and
    cancel its undelivered notices; returns how many subscriptions ended."""
    subscriptions = list(
        session.execute(
            select(NoticeSubscription).where(
                NoticeSubscription.recipient == recipient, NoticeSubscription.ended_at.is_(None)
            )
        ).scalars()
    )
    for subscription in subscriptions:
        subscription.ended_at = now
        subscription.end_reason = reason
    cancel_pending(session, [s.id for s in subscriptions], now, f"subscription {reason}")
    session.flush()
    return len(subscriptions)


def has_active_subscription(session: Session, recipient: str) -> bool:
    """True when ``recipient`` is subscribed to any application."""
    found = session.execute(
        select(NoticeSubscription.id)
        .where(NoticeSubscription.recipient == recipient, NoticeSubscription.ended_at.is_(None))
        .limit(1)
    ).first()
    return found is not None


@dataclass(frozen=True)
class NoticeRow:
    """A notice as plain values, for the staff command and the console.

    Nothing personal: no application number, no recipient id.
    """

    id: int
    kind: str
    status: str
    channel: str
    language: str
    state: str
    created_at: datetime
    due_at: datetime
    sent_at: Optional[datetime]
    attempts: int
    last_error: Optional[str]
    service_id: str
    deadline: Optional[date]
    days_before: Optional[int]


def list_notices(
    engine: Engine, states: Optional[Iterable[str]] = None, limit: int = 200
) -> List[NoticeRow]:
    """The newest notices first (only those in ``states`` if given), at most ``limit``."""
    query = (
        select(Notice, NoticeSubscription.channel, NoticeSubscription.language, Application.service_id)
        .join(NoticeSubscription, NoticeSubscription.id == Notice.subscription_id)
        .join(Application, Application.id == NoticeSubscription.application_id)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
    )
    wanted = list(states or [])
    if wanted:
        query = query.where(Notice.state.in_(wanted))
    with session_scope(engine) as session:
        return [
            NoticeRow(
                id=int(notice.id),
                kind=notice.kind,
                status=notice.status,
                channel=channel,
                language=language,
                state=notice.state,
                created_at=notice.created_at,
                due_at=notice.due_at,
                sent_at=notice.sent_at,
                attempts=int(notice.attempts or 0),
                last_error=notice.last_error,
                service_id=service_id,
                deadline=notice.deadline,
                days_before=notice.days_before,
            )
            for notice, channel, language, service_id in session.execute(query).all()
        ]


def notice_counts(engine: Engine) -> Dict[str, int]:
    """How many notices are in each state (every state listed, 0 when none)."""
    counts = {state: 0 for state in NOTICE_STATES}
    with session_scope(engine) as session:
        for state, count in session.execute(select(Notice.state, func.count()).group_by(Notice.state)):
            counts[state] = int(count)
    return counts


def subscription_counts(engine: Engine) -> Dict[str, int]:
    """Active subscriptions per channel, and ``ended`` for the rest."""
    counts: Dict[str, int] = {channel: 0 for channel in PUSH_CHANNELS}
    counts["ended"] = 0
    with session_scope(engine) as session:
        rows = session.execute(
            select(NoticeSubscription.channel, NoticeSubscription.ended_at.is_(None), func.count()).group_by(
                NoticeSubscription.channel, NoticeSubscription.ended_at.is_(None)
            )
        )
        for channel, active, count in rows:
            key = channel if active else "ended"
            counts[key] = counts.get(key, 0) + int(count)
    return counts


def requeue(engine: Engine, notice_id: int, now: datetime) -> bool:
    """Put a failed or unconfirmed notice back in the queue (a staff decision,
    as an unconfirmed one may already have arrived); True when it was requeued."""
    with session_scope(engine) as session:
        notice = session.get(Notice, notice_id)
        if notice is None or notice.state not in ("failed", "unconfirmed"):
            return False
        subscription = session.get(NoticeSubscription, notice.subscription_id)
        notice.state = "pending"
        notice.due_at = now
        notice.claimed_by = None
        notice.lease_until = None
        session.add(
            NoticeDelivery(
                notice_id=notice.id, at=now, channel=subscription.channel if subscription else "-",
                outcome="requeued", detail="requeued by staff",
            )
        )
        return True


@dataclass(frozen=True)
class DeliveryRow:
    """One line of a notice's delivery log."""

    at: datetime
    channel: str
    outcome: str
    detail: Optional[str]


def notice_log(engine: Engine, notice_id: int) -> List[DeliveryRow]:
    """The delivery log of one notice, oldest first (empty when there is none)."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(NoticeDelivery)
            .where(NoticeDelivery.notice_id == notice_id)
            .order_by(NoticeDelivery.at, NoticeDelivery.id)
        ).scalars()
        return [DeliveryRow(row.at, row.channel, row.outcome, row.detail) for row in rows]


FINISHED_STATES = ("sent", "failed", "unconfirmed", "cancelled")


def purge_notices(engine: Engine, cutoff: datetime, dry_run: bool = False) -> Dict[str, int]:
    """Delete what retention no longer allows: subscriptions that ended before
    ``cutoff`` (naive UTC) with all their notices, and finished notices created
    before it, with their delivery logs. Returns the counts (deleted, or with
    ``dry_run`` that would be). Active subscriptions and undelivered notices stay."""
    with session_scope(engine) as session:
        ended = [
            row[0]
            for row in session.execute(
                select(NoticeSubscription.id).where(NoticeSubscription.ended_at < cutoff)
            )
        ]
        old = select(Notice.id).where(
            (Notice.subscription_id.in_(ended)) | (Notice.state.in_(FINISHED_STATES) & (Notice.created_at < cutoff))
        )
        notice_ids = [row[0] for row in session.execute(old)]
        deliveries = session.execute(
            select(func.count()).select_from(NoticeDelivery).where(NoticeDelivery.notice_id.in_(notice_ids))
        ).scalar_one() if notice_ids else 0
        counts = {"subscriptions": len(ended), "notices": len(notice_ids), "deliveries": int(deliveries)}
        if dry_run:
            return counts
        # Children first: no reliance on ON DELETE CASCADE being enforced.
        for chunk in _chunks(notice_ids):
            session.execute(delete(NoticeDelivery).where(NoticeDelivery.notice_id.in_(chunk)))
            session.execute(delete(Notice).where(Notice.id.in_(chunk)))
        for chunk in _chunks(ended):
            session.execute(delete(NoticeSubscription).where(NoticeSubscription.id.in_(chunk)))
        return counts


def _chunks(values: Sequence[int], size: int = 500) -> Iterable[List[int]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
