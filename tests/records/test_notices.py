"""Subscriptions and the outbox (issue 20), on a real SQLite database: a status
change writes its notices in its own transaction, reminders are scheduled for
the right time, opt-out and final statuses end the notices, offers are bound to
their conversation, and the staff command shows the queue."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from applications.repository import ApplicationChangeError, move_application
from applications.statuses import ApplicationStatus
from core.db import session_scope
from records.cli import main as records_cli
from records.models import Notice, NoticeDelivery, NoticeSubscription
from records.notice_offers import OFFER_TTL, make_offer, offer_key, read_offer
from records.notices import (
    in_quiet_hours,
    list_notices,
    notice_counts,
    purge_notices,
    quiet_hours_end,
    reminder_time,
    subscribe,
    unsubscribe,
)
from tests.records.notice_support import (
    PEPPER,
    START,
    add_app,
    application_id,
    move,
    new_engine,
    subscribe_chat,
)


def notices(engine):
    with session_scope(engine) as session:
        return [
            (n.kind, n.status, n.state, n.due_at, n.days_before)
            for n in session.execute(select(Notice).order_by(Notice.due_at, Notice.id)).scalars()
        ]


def test_a_move_writes_one_notice_per_active_subscription(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.RECEIVED)
    subscribe_chat(engine, number, 7001, "ko")
    subscribe_chat(engine, number, 7002, "en")
    move(engine, number, ApplicationStatus.IN_REVIEW, now=START + timedelta(hours=1))
    assert [(kind, status, state) for kind, status, state, *_ in notices(engine)] == [
        ("status", "in_review", "pending"),
        ("status", "in_review", "pending"),
    ]
    other = add_app(engine)  # nobody subscribed: no notice
    move(engine, other, ApplicationStatus.IN_REVIEW)
    assert len(notices(engine)) == 2


def test_the_notice_rolls_back_with_a_refused_change(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    subscribe_chat(engine, number, 7001)
    with pytest.raises(ApplicationChangeError), session_scope(engine) as session:
        move_application(session, number, ApplicationStatus.COMPLETED, by="clerk", now=START)
        # The status change and its notice are flushed; then the transaction fails.
        assert session.execute(select(Notice)).scalars().first() is not None
        raise ApplicationChangeError("the clerk's change failed later in the same transaction")
    assert notices(engine) == []
    with session_scope(engine) as session:
        assert session.execute(select(NoticeSubscription.ended_at)).scalar_one() is None


def test_a_final_status_ends_the_subscription_after_its_notice(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    subscribe_chat(engine, number, 7001)
    move(engine, number, ApplicationStatus.COMPLETED)
    assert [(kind, status) for kind, status, *_ in notices(engine)] == [("status", "completed")]
    with session_scope(engine) as session:
        subscription = session.execute(select(NoticeSubscription)).scalar_one()
        assert (subscription.ended_at, subscription.end_reason) == (START, "final")
        with pytest.raises(ValueError):
            subscribe(session, application_id=subscription.application_id, channel="telegram",
                      recipient="telegram:1", language="ko", now=START)


def test_opting_out_cancels_pending_notices_and_stops_new_ones(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.RECEIVED)
    subscribe_chat(engine, number, 7001)
    move(engine, number, ApplicationStatus.IN_REVIEW)
    with session_scope(engine) as session:
        assert unsubscribe(session, recipient="telegram:7001", now=START) == 1
        assert unsubscribe(session, recipient="telegram:7001", now=START) == 0
    assert [state for _, _, state, *_ in notices(engine)] == ["cancelled"]
    move(engine, number, ApplicationStatus.APPROVED)
    assert len(notices(engine)) == 1
    with session_scope(engine) as session:
        log = session.execute(select(NoticeDelivery.outcome, NoticeDelivery.detail)).all()
    assert log == [("cancelled", "subscription cancelled")]


def test_a_subscription_keeps_nothing_personal(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    subscribe_chat(engine, number, 7001, "en")
    with session_scope(engine) as session:
        row = session.execute(select(NoticeSubscription)).scalar_one()
        stored = {column.name: getattr(row, column.name) for column in NoticeSubscription.__table__.columns}
    assert set(stored) == {
        "id", "application_id", "channel", "recipient", "language", "consented_at", "quiet_hours", "ended_at",
        "end_reason",
    }
    assert stored["recipient"] == "telegram:7001" and stored["language"] == "en"
    assert number not in repr(stored) and "1985" not in repr(stored)


def test_a_supplement_request_gets_reminders_three_days_and_one_day_before(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    subscribe_chat(engine, number, 7001)
    move(engine, number, ApplicationStatus.SUPPLEMENT_REQUESTED, deadline=date(2026, 6, 15))
    rows = notices(engine)
    assert [(kind, days) for kind, _, _, _, days in rows] == [("status", None), ("reminder", 3), ("reminder", 1)]
    # 09:00 Korea time on 12 and 14 June = 00:00 UTC.
    assert [due for _, _, _, due, _ in rows[1:]] == [datetime(2026, 6, 12, 0, 0), datetime(2026, 6, 14, 0, 0)]
    # Back in review: the reminders are cancelled in the same transaction.
    move(engine, number, ApplicationStatus.IN_REVIEW, now=START + timedelta(days=1))
    states = [(kind, state) for kind, _, state, *_ in notices(engine)]
    assert states.count(("reminder", "cancelled")) == 2


def test_subscribing_while_a_supplement_is_due_schedules_only_future_reminders(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.SUPPLEMENT_REQUESTED)  # deadline 15 June
    late = datetime(2026, 6, 13, 3, 0)  # after the 3-day reminder's time
    subscribe_chat(engine, number, 7001, now=late)
    assert [(kind, days) for kind, _, _, _, days in notices(engine)] == [("reminder", 1)]
    subscribe_chat(engine, number, 7001, now=late)  # renewing adds nothing twice
    assert len(notices(engine)) == 1


def test_quiet_hours_are_21_to_8_korea_time():
    assert not in_quiet_hours(datetime(2026, 6, 1, 11, 59))  # 20:59 KST
    assert in_quiet_hours(datetime(2026, 6, 1, 12, 0))  # 21:00 KST
    assert in_quiet_hours(datetime(2026, 6, 1, 22, 59))  # 07:59 KST
    assert not in_quiet_hours(datetime(2026, 6, 1, 23, 0))  # 08:00 KST
    assert quiet_hours_end(datetime(2026, 6, 1, 13, 0)) == datetime(2026, 6, 1, 23, 0)
    assert quiet_hours_end(datetime(2026, 6, 1, 16, 0)) == datetime(2026, 6, 1, 23, 0)  # 01:00 KST
    assert reminder_time(date(2026, 6, 15), 3) == datetime(2026, 6, 12, 0, 0)


def test_an_offer_opens_only_its_application_in_its_conversation_and_channel():
    key = offer_key(PEPPER)
    token = make_offer(key, application_id=42, sender_id="telegram:7001", channel="telegram", now=START)
    assert token.isalpha()  # never touched by the masking of digit patterns
    offer = read_offer(key, token, sender_id="telegram:7001", channel="telegram", now=START)
    assert offer is not None and offer.application_id == 42
    assert read_offer(key, token, sender_id="telegram:7002", channel="telegram", now=START) is None
    assert read_offer(key, token, sender_id="telegram:7001", channel="kakao", now=START) is None
    assert read_offer(key, token, sender_id="telegram:7001", channel="telegram", now=START + OFFER_TTL
                      + timedelta(seconds=1)) is None
    assert read_offer(offer_key(b"other"), token, sender_id="telegram:7001", channel="telegram", now=START) is None
    forged = "bc" + token[token.index("x"):]  # another application id, same signature
    assert read_offer(key, forged, sender_id="telegram:7001", channel="telegram", now=START) is None
    assert read_offer(key, None, sender_id="telegram:7001", channel="telegram", now=START) is None


def test_the_staff_command_lists_pending_sent_and_failed_without_personal_details(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    subscribe_chat(engine, number, 7001)
    move(engine, number, ApplicationStatus.APPROVED)
    with session_scope(engine) as session:
        session.execute(Notice.__table__.update().values(state="failed", last_error="bad request: chat not found"))
    out = io.StringIO()
    assert records_cli(["notices"], out=out, engine=engine) == 0
    text = out.getvalue()
    assert "failed 1" in text and "Failed or unconfirmed (1)" in text
    assert "chat not found" in text and "approved" in text
    assert number not in text and "7001" not in text
    assert notice_counts(engine)["failed"] == 1
    (row,) = list_notices(engine, ["failed"])
    out = io.StringIO()
    assert records_cli(["notices", "--requeue", str(row.id)], out=out, engine=engine) == 0
    assert notice_counts(engine)["pending"] == 1
    assert records_cli(["notices", "--requeue", str(row.id)], out=io.StringIO(), engine=engine) == 1


def test_subscribe_refuses_a_channel_that_cannot_push(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine)
    with session_scope(engine) as session, pytest.raises(ValueError):
        subscribe(session, application_id=application_id(engine, number), channel="rest",
                  recipient="web-1", language="ko", now=START)


def test_the_delivery_log_of_a_notice_is_shown_to_staff(tmp_path):
    engine = new_engine(tmp_path)
    number = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    subscribe_chat(engine, number, 7001)
    move(engine, number, ApplicationStatus.APPROVED)
    with session_scope(engine) as session:
        unsubscribe(session, recipient="telegram:7001", now=START + timedelta(minutes=1))
    (row,) = list_notices(engine)
    out = io.StringIO()
    assert records_cli(["notices", "--log", str(row.id)], out=out, engine=engine) == 0
    assert "cancelled" in out.getvalue() and "subscription cancelled" in out.getvalue()


def test_retention_deletes_ended_subscriptions_and_finished_notices_only(tmp_path):
    engine = new_engine(tmp_path)
    old = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    subscribe_chat(engine, old, 7001)
    move(engine, old, ApplicationStatus.COMPLETED)  # ends the subscription at START
    live = add_app(engine, status=ApplicationStatus.IN_REVIEW)
    subscribe_chat(engine, live, 7002)
    move(engine, live, ApplicationStatus.APPROVED)  # stays pending: must survive
    cutoff = START + timedelta(days=1)
    assert purge_notices(engine, cutoff, dry_run=True) == {"subscriptions": 1, "notices": 1, "deliveries": 0}
    assert notice_counts(engine)["pending"] == 2
    assert purge_notices(engine, cutoff) == {"subscriptions": 1, "notices": 1, "deliveries": 0}
    with session_scope(engine) as session:
        assert session.execute(select(NoticeSubscription.recipient)).scalars().all() == ["telegram:7002"]
    assert notice_counts(engine)["pending"] == 1


def test_a_final_notice_has_no_stop_button_and_every_status_has_both_languages():
    from applications.statuses import FINAL_STATUSES
    from records.notice_texts import notice_text

    for status in ApplicationStatus:
        for language in ("ko", "en"):
            text = notice_text(kind="status", status=status.value, language=language, number="2026-0012347",
                               deadline=date(2026, 6, 15))
            assert "{" not in text.text and "2347" in text.text and "0012347" not in text.text
            payloads = [button["payload"] for button in text.buttons]
            assert ("/unsubscribe_notices" in payloads) is (status not in FINAL_STATUSES)
            hangul = any("\uac00" <= char <= "\ud7a3" for char in text.text)
            assert hangul is (language == "ko")
