from __future__ import annotations

from collections import Counter

from applications.models import Application
from applications.numbers import is_luhn_valid
from applications.seed import SAMPLE_APPLICATIONS, seed_applications
from applications.statuses import ApplicationStatus
from applications.verification import Outcome, check_application
from core.db import session_scope

REQUIRED_SERVICES = {
    "passport_issue", "passport_reissue", "child_allowance", "parent_benefit", "unemployment_benefit",
    "basic_pension", "business_registration", "foreigner_registration", "stay_extension", "epeople_petition",
    "information_disclosure_request", "disability_registration", "housing_benefit",
    "youth_monthly_rent_support", "driver_license_renewal",
}  # fmt: skip


def _snapshot(engine):
    with session_scope(engine) as session:
        return sorted(
            (a.number, a.service_id, a.status, str(a.expected_completion), len(a.history))
            for a in session.query(Application)
        )


def test_seed_covers_every_status_and_service_with_history(engine, hasher, now):
    assert seed_applications(engine, 300, hasher=hasher, now=now) == 300
    with session_scope(engine) as session:
        applications = session.query(Application).all()
        assert Counter(a.status for a in applications).keys() == {s.value for s in ApplicationStatus}
        assert {a.service_id for a in applications} >= REQUIRED_SERVICES
        for application in applications:
            assert is_luhn_valid(application.number.replace("-", ""))
            assert application.history[0].status == "received"
            assert application.history[-1].status == application.status
            assert application.updated_at <= now
            if application.status == "supplement_requested":
                assert application.supplement_documents_ko and application.supplement_documents_en
                assert application.supplement_deadline is not None
            if application.status == "rejected":
                assert application.rejection_reason_ko and application.rejection_reason_en
        assert len({a.number for a in applications}) == 300


def test_seed_is_idempotent(engine, hasher, now):
    assert seed_applications(engine, 50, hasher=hasher, now=now) == 50
    assert seed_applications(engine, 50, hasher=hasher, now=now) == 0
    with session_scope(engine) as session:
        assert session.query(Application).count() == 50


def test_seed_is_deterministic(tmp_path, hasher, now):
    from core.db import create_schema, get_engine

    first = create_schema(get_engine(f"sqlite:///{tmp_path}/a.db"))
    second = create_schema(get_engine(f"sqlite:///{tmp_path}/b.db"))
    seed_applications(first, 40, hasher=hasher, now=now)
    seed_applications(second, 40, hasher=hasher, now=now)
    assert _snapshot(first) == _snapshot(second)


def test_documented_samples_verify_with_their_birth_dates(engine, hasher, now):
    seed_applications(engine, 10, hasher=hasher, now=now)
    for sample in SAMPLE_APPLICATIONS:
        result = check_application(
            engine,
            number=sample.number,
            birth_date=sample.birth_date,
            sender_id="readme",
            hasher=hasher,
            now=now,
        )
        assert result.outcome is Outcome.VERIFIED
        assert result.application.status is sample.status
        assert result.application.service_id == sample.service_id
