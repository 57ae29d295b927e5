from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from applications.models import VerificationFailure, VerifiedClient
from applications.repository import add_application, default_handling, unlock
from applications.verification import Outcome, check_application
from core.db import session_scope

BIRTH = date(1985, 3, 12)
WRONG = date(1985, 3, 13)


@pytest.fixture
def number(engine, hasher, now) -> str:
    with session_scope(engine) as session:
        application = add_application(
            session,
            service_id="passport_reissue",
            birth_date=BIRTH,
            handling=default_handling("passport_reissue"),
            hasher=hasher,
            now=now,
            created_by="test",
        )
        return application.number


def check(engine, hasher, number, birth, sender, at):
    return check_application(engine, number=number, birth_date=birth, sender_id=sender, hasher=hasher, now=at)


def test_right_birth_date_gives_the_application(engine, hasher, number, now):
    result = check(engine, hasher, number, BIRTH, "alice", now)
    assert result.outcome is Outcome.VERIFIED
    assert result.application.number == number
    assert result.application.service_name_ko == "여권 재발급"


def test_unknown_number_and_wrong_date_are_the_same_outcome(engine, hasher, number, now):
    wrong_date = check(engine, hasher, number, WRONG, "alice", now)
    unknown = check(engine, hasher, "2026-0001019", BIRTH, "bob", now)
    assert wrong_date == unknown
    assert wrong_date.outcome is Outcome.NOT_VERIFIED and wrong_date.application is None


def test_sender_is_locked_after_five_failures_for_thirty_minutes(engine, hasher, number, now):
    outcomes = [
        check(engine, hasher, number, WRONG, "mallory", now + timedelta(seconds=i)).outcome for i in range(5)
    ]
    assert outcomes == [Outcome.NOT_VERIFIED] * 4 + [Outcome.LOCKED_OUT]
    # Even the right date gets nothing while locked, on any number.
    assert (
        check(engine, hasher, number, BIRTH, "mallory", now + timedelta(minutes=29)).outcome
        is Outcome.LOCKED_OUT
    )
    assert check(engine, hasher, "2026-0001027", BIRTH, "mallory", now + timedelta(minutes=29)).outcome is (
        Outcome.LOCKED_OUT
    )
    # Other senders are not affected by one sender's lockout.
    assert (
        check(engine, hasher, number, BIRTH, "alice", now + timedelta(minutes=1)).outcome is Outcome.VERIFIED
    )
    # The lockout ends after 30 minutes, and old failures do not relock at once.
    later = now + timedelta(minutes=31)
    assert check(engine, hasher, number, BIRTH, "mallory", later).outcome is Outcome.VERIFIED
    assert check(engine, hasher, number, WRONG, "mallory", later).outcome is Outcome.NOT_VERIFIED


def test_number_is_locked_for_every_stranger_after_ten_failures(engine, hasher, number, now):
    senders = [f"bot-{i}" for i in range(10)]
    outcomes = [
        check(engine, hasher, number, WRONG, sender, now + timedelta(seconds=i)).outcome
        for i, sender in enumerate(senders)
    ]
    assert outcomes[:9] == [Outcome.NOT_VERIFIED] * 9 and outcomes[9] is Outcome.LOCKED_OUT
    # An applicant checking for the first time cannot be told from a stranger: locked out too.
    assert (
        check(engine, hasher, number, BIRTH, "owner", now + timedelta(minutes=5)).outcome
        is Outcome.LOCKED_OUT
    )
    assert (
        check(engine, hasher, number, BIRTH, "owner", now + timedelta(minutes=31)).outcome is Outcome.VERIFIED
    )


def test_unknown_numbers_lock_out_exactly_like_real_ones(engine, hasher, now):
    outcomes = [
        check(engine, hasher, "2026-0001019", BIRTH, f"s{i}", now + timedelta(seconds=i)).outcome
        for i in range(11)
    ]
    assert outcomes == [Outcome.NOT_VERIFIED] * 9 + [Outcome.LOCKED_OUT] * 2


def test_failures_older_than_the_window_do_not_count(engine, hasher, number, now):
    for i in range(4):
        check(engine, hasher, number, WRONG, "slow", now + timedelta(minutes=i))
    # 40 minutes later the early failures have expired.
    assert (
        check(engine, hasher, number, WRONG, "slow", now + timedelta(minutes=40)).outcome
        is Outcome.NOT_VERIFIED
    )


def test_lockout_survives_a_restart_because_it_is_in_the_database(engine, hasher, number, now, tmp_path):
    for i in range(5):
        check(engine, hasher, number, WRONG, "mallory", now + timedelta(seconds=i))
    engine.dispose()  # what a restart of the action server amounts to
    assert (
        check(engine, hasher, number, BIRTH, "mallory", now + timedelta(minutes=1)).outcome
        is Outcome.LOCKED_OUT
    )


def test_staff_unlock_lifts_the_lockout_and_forgets_failures(engine, hasher, number, now):
    for i in range(5):
        check(engine, hasher, number, WRONG, "mallory", now + timedelta(seconds=i))
    with session_scope(engine) as session:
        assert unlock(session, sender_id="mallory") == 1
        assert session.query(VerificationFailure).filter_by(sender_id="mallory").count() == 0
    at = now + timedelta(minutes=1)
    assert check(engine, hasher, number, BIRTH, "mallory", at).outcome is Outcome.VERIFIED


def test_lockout_time_uses_the_injected_clock(engine, hasher, number):
    past = datetime(2020, 1, 1)
    for i in range(5):
        check(engine, hasher, number, WRONG, "mallory", past + timedelta(seconds=i))
    assert (
        check(engine, hasher, number, BIRTH, "mallory", past + timedelta(minutes=10)).outcome
        is Outcome.LOCKED_OUT
    )


def test_parallel_guesses_from_fresh_conversations_are_all_counted(engine, hasher, number, now):
    """20 simultaneous wrong birth dates for one number, each from a new sender,
    record 20 failures and trip the per-number limit: the check and the count
    are one transaction, so no guess slips through between them."""
    import threading

    outcomes = []
    guard = threading.Lock()
    start = threading.Barrier(20)

    def guess(i: int) -> None:
        start.wait()
        result = check(engine, hasher, number, WRONG, f"stranger-{i}", now)
        with guard:
            outcomes.append(result.outcome)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with session_scope(engine) as session:
        recorded = session.query(VerificationFailure).filter_by(application_number=number).count()
    locked = [outcome for outcome in outcomes if outcome is Outcome.LOCKED_OUT]
    assert outcomes.count(Outcome.NOT_VERIFIED) == 9
    assert len(locked) == 11  # the 10th failure locks the number; the 10 after it find it locked
    assert recorded == 20  # a guess refused by the lockout is still a failed attempt
    assert check(engine, hasher, number, BIRTH, "owner", now).outcome is Outcome.LOCKED_OUT


def test_strangers_cannot_lock_out_an_owner_who_checked_before(engine, hasher, number, now):
    owner = "telegram-owner"
    assert check(engine, hasher, number, BIRTH, owner, now).outcome is Outcome.VERIFIED
    later = now + timedelta(days=3)
    outcomes = [
        check(engine, hasher, number, WRONG, f"stranger-{i}", later + timedelta(seconds=i)).outcome for i in range(10)
    ]
    assert outcomes[-1] is Outcome.LOCKED_OUT  # the number is locked for strangers ...
    during = later + timedelta(minutes=5)
    assert check(engine, hasher, number, BIRTH, "stranger-new", during).outcome is Outcome.LOCKED_OUT
    # ... but not for the client that proved it owns it, and nothing about the sender id is stored in clear.
    assert check(engine, hasher, number, BIRTH, owner, during).outcome is Outcome.VERIFIED
    with session_scope(engine) as session:
        digests = [row.client_digest for row in session.query(VerifiedClient)]
    assert len(digests) == 1 and owner not in digests[0]
    # The owner's own wrong guesses still count against the owner.
    for i in range(5):
        check(engine, hasher, number, WRONG, owner, during + timedelta(seconds=i))
    assert check(engine, hasher, number, BIRTH, owner, during + timedelta(minutes=1)).outcome is Outcome.LOCKED_OUT


def test_an_owner_is_remembered_for_thirty_days_only(engine, hasher, number, now):
    assert check(engine, hasher, number, BIRTH, "owner", now).outcome is Outcome.VERIFIED
    much_later = now + timedelta(days=31)
    for i in range(10):
        check(engine, hasher, number, WRONG, f"stranger-{i}", much_later + timedelta(seconds=i))
    assert check(engine, hasher, number, BIRTH, "owner", much_later + timedelta(minutes=1)).outcome is Outcome.LOCKED_OUT
