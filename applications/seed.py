"""Illustrative applications for demos and tests.

:func:`seed_applications` is deterministic (a fixed random seed decides every
number, service, status and birth date; only dates move with ``now`` so that
deadlines stay in the future) and idempotent (it does nothing when any
application exists). Every status and every service in
:mod:`applications.services` appears, each with its history.

Three fixed samples for the README (birth dates are fictional):

====================  ======================  ==========  =====================
number                service                 birth date  status
====================  ======================  ==========  =====================
2026-0001019          passport_reissue        1985-03-12  supplement_requested
2026-0001027          child_allowance         1990-07-25  in_review
2026-0001035          passport_issue          2001-11-05  completed
====================  ======================  ==========  =====================
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Dict, List, Sequence, Tuple

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from applications.clock import KST, korean_date, utc_now
from applications.hashing import BirthDateHasher
from applications.models import Application, StatusHistory
from applications.numbers import make_application_number
from applications.services import SERVICE_PROFILES, ServiceProfile
from applications.statuses import ApplicationStatus
from core.db import session_scope

RANDOM_SEED = 20260101
SEEDED_BY = "sample data"

S = ApplicationStatus

Bilingual = Tuple[str, str]  # (Korean, English)


@dataclass(frozen=True)
class SampleApplication:
    """A fixed application documented in the README."""

    number: str
    service_id: str
    birth_date: date
    status: ApplicationStatus


SAMPLE_APPLICATIONS: Tuple[SampleApplication, ...] = (
    SampleApplication("2026-0001019", "passport_reissue", date(1985, 3, 12), S.SUPPLEMENT_REQUESTED),
    SampleApplication("2026-0001027", "child_allowance", date(1990, 7, 25), S.IN_REVIEW),
    SampleApplication("2026-0001035", "passport_issue", date(2001, 11, 5), S.COMPLETED),
)

# How an application reached each status, from "received".
_PATHS: Dict[ApplicationStatus, Tuple[ApplicationStatus, ...]] = {
    S.RECEIVED: (S.RECEIVED,),
    S.IN_REVIEW: (S.RECEIVED, S.IN_REVIEW),
    S.SUPPLEMENT_REQUESTED: (S.RECEIVED, S.IN_REVIEW, S.SUPPLEMENT_REQUESTED),
    S.APPROVED: (S.RECEIVED, S.IN_REVIEW, S.APPROVED),
    S.REJECTED: (S.RECEIVED, S.IN_REVIEW, S.REJECTED),
    S.COMPLETED: (S.RECEIVED, S.IN_REVIEW, S.APPROVED, S.COMPLETED),
    S.WITHDRAWN: (S.RECEIVED, S.WITHDRAWN),
}
_OPEN = (S.RECEIVED, S.IN_REVIEW, S.SUPPLEMENT_REQUESTED, S.APPROVED)

_PASSPORT_DOCUMENTS: Sequence[Bilingual] = (
    (
        "규격에 맞는 여권용 사진 1매 (6개월 이내 촬영)",
        "One passport photo that meets the rules (taken within 6 months)",
    ),
    ("여권 분실신고서", "Lost-passport report"),
)
_DOCUMENTS: Dict[str, Sequence[Bilingual]] = {
    "passport_issue": _PASSPORT_DOCUMENTS,
    "passport_reissue": _PASSPORT_DOCUMENTS,
    "child_allowance": (
        ("가족관계증명서", "Family relation certificate"),
        ("아동 명의 통장 사본", "Copy of the child's bankbook"),
    ),
    "parent_benefit": (
        ("가족관계증명서", "Family relation certificate"),
        ("보호자 통장 사본", "Copy of the parent's bankbook"),
    ),
    "basic_pension": (
        ("금융정보 등 제공 동의서", "Consent to share financial information"),
        ("임대차계약서 사본", "Copy of the lease contract"),
    ),
    "housing_benefit": (
        ("임대차계약서 사본", "Copy of the lease contract"),
        ("소득 증빙 서류", "Proof of income"),
    ),
    "youth_monthly_rent_support": (
        ("임대차계약서 사본", "Copy of the lease contract"),
        ("월세 이체 내역", "Record of rent payments"),
    ),
    "unemployment_benefit": (
        ("이직확인서", "Confirmation of leaving employment"),
        ("재취업 활동 증빙", "Proof of job-seeking activity"),
    ),
    "parental_leave_benefit": (
        ("육아휴직 확인서", "Confirmation of parental leave"),
        ("통장 사본", "Copy of bankbook"),
    ),
    "business_registration": (
        ("사업장 임대차계약서 사본", "Copy of the lease for the business premises"),
        ("인허가 서류 사본", "Copy of the business licence"),
    ),
    "foreigner_registration": (
        ("체류지 입증 서류", "Proof of your address in Korea"),
        ("여권용 사진 1매", "One passport-size photo"),
    ),
    "stay_extension": (
        ("재직증명서", "Certificate of employment"),
        ("체류지 입증 서류", "Proof of your address in Korea"),
    ),
    "disability_registration": (
        ("장애 진단서", "Disability diagnosis certificate"),
        ("진료기록지 사본", "Copy of medical records"),
    ),
    "driver_license_renewal": (
        ("정기적성검사 결과", "Result of the periodic aptitude test"),
        ("규격 사진 1매", "One ID photo"),
    ),
    "resident_card_reissue": (("규격 사진 1매", "One ID photo"),),
}
_GENERIC_DOCUMENTS: Sequence[Bilingual] = (
    ("신분증 사본", "Copy of your ID"),
    ("위임장", "Letter of authorisation"),
)

_REJECTION_REASONS: Sequence[Bilingual] = (
    (
        "보완 요청 기한까지 서류가 제출되지 않았습니다.",
        "The requested documents were not submitted by the deadline.",
    ),
    ("신청 자격 요건을 충족하지 않습니다.", "The eligibility requirements are not met."),
    ("소득인정액이 선정 기준액을 넘습니다.", "Your recognised income is above the eligibility threshold."),
    (
        "같은 내용의 신청이 이미 처리되었습니다.",
        "An application with the same content has already been processed.",
    ),
)


def _at_kst(day: date, rng: random.Random) -> datetime:
    """A naive UTC timestamp during office hours (09:00-17:59 KST) on ``day``."""
    local = datetime.combine(day, time(9, 0), KST) + timedelta(minutes=rng.randrange(9 * 60))
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def _history_days(submitted: date, last: date, steps: int, rng: random.Random) -> List[date]:
    span = max((last - submitted).days, 0)
    offsets = sorted(rng.randint(0, span) for _ in range(steps - 1))
    return [submitted] + [submitted + timedelta(days=offset) for offset in offsets]


def _build(
    *,
    number: str,
    profile: ServiceProfile,
    birth_date: date,
    status: ApplicationStatus,
    now: datetime,
    rng: random.Random,
    hasher: BirthDateHasher,
) -> Application:
    today = korean_date(now)
    office_ko, office_en = rng.choice(profile.offices)
    if status in _OPEN:
        submitted = today - timedelta(days=rng.randint(1, max(profile.processing_days - 1, 1)))
        last_change = today
    else:
        submitted = today - timedelta(days=rng.randint(profile.processing_days + 1, 150))
        last_change = min(submitted + timedelta(days=profile.processing_days + rng.randint(-2, 5)), today)
    path = _PATHS[status]
    days = _history_days(submitted, last_change, len(path), rng)
    stamps = sorted(min(_at_kst(day, rng), now) for day in days)
    salt, digest = hasher.new_record(birth_date)
    application = Application(
        number=number,
        service_id=profile.service_id,
        service_name_ko=profile.name_ko,
        service_name_en=profile.name_en,
        birth_date_salt=salt,
        birth_date_hash=digest,
        status=status.value,
        submitted_at=stamps[0],
        updated_at=stamps[-1],
        expected_completion=submitted + timedelta(days=profile.processing_days),
        agency_ko=profile.agency.name_ko,
        agency_en=profile.agency.name_en,
        office_ko=office_ko,
        office_en=office_en,
        contact_phone=profile.agency.phone,
    )
    if status is S.SUPPLEMENT_REQUESTED:
        options = list(_DOCUMENTS.get(profile.service_id, _GENERIC_DOCUMENTS))
        chosen = options[: rng.randint(1, len(options))]
        application.supplement_documents_ko = [ko for ko, _ in chosen]
        application.supplement_documents_en = [en for _, en in chosen]
        application.supplement_deadline = today + timedelta(days=rng.randint(5, 14))
        application.expected_completion = application.supplement_deadline + timedelta(days=7)
    if status is S.REJECTED:
        application.rejection_reason_ko, application.rejection_reason_en = rng.choice(_REJECTION_REASONS)
    for step, stamp in zip(path, stamps, strict=True):
        application.history.append(StatusHistory(status=step.value, changed_at=stamp, changed_by=SEEDED_BY))
    return application


def build_sample_applications(count: int, *, hasher: BirthDateHasher, now: datetime) -> List[Application]:
    """The ``count`` applications :func:`seed_applications` inserts (the three samples first).

    ``now`` is a naive UTC time; dates are placed around its Korean calendar day.
    """
    rng = random.Random(RANDOM_SEED)
    profiles = list(SERVICE_PROFILES.values())
    statuses = list(ApplicationStatus)
    applications: List[Application] = []
    used = {sample.number for sample in SAMPLE_APPLICATIONS}
    for sample in SAMPLE_APPLICATIONS[:count]:
        applications.append(
            _build(
                number=sample.number,
                profile=SERVICE_PROFILES[sample.service_id],
                birth_date=sample.birth_date,
                status=sample.status,
                now=now,
                rng=rng,
                hasher=hasher,
            )
        )
    for index in range(max(count - len(SAMPLE_APPLICATIONS), 0)):
        # Cycling services and statuses at co-prime lengths (17, 7) mixes them all.
        profile = profiles[index % len(profiles)]
        status = statuses[index % len(statuses)]
        while True:
            number = str(make_application_number(rng.choice((2025, 2026)), rng.randrange(100_000, 1_000_000)))
            if number not in used:
                used.add(number)
                break
        birth_date = date(rng.randint(1940, 2004), rng.randint(1, 12), rng.randint(1, 28))
        applications.append(
            _build(
                number=number,
                profile=profile,
                birth_date=birth_date,
                status=status,
                now=now,
                rng=rng,
                hasher=hasher,
            )
        )
    return applications


def _has_applications(session: Session) -> bool:
    return bool(session.execute(select(func.count(Application.id))).scalar_one())


def seed_applications(
    engine: Engine,
    count: int = 300,
    *,
    hasher: BirthDateHasher | None = None,
    now: datetime | None = None,
) -> int:
    """Insert ``count`` illustrative applications unless any exist; returns how many were added.

    ``now`` (naive UTC, default the current time) anchors the dates.
    """
    hasher = hasher or BirthDateHasher.from_settings()
    now = now or utc_now()
    with session_scope(engine) as session:
        if _has_applications(session):
            return 0
        applications = build_sample_applications(count, hasher=hasher, now=now)
        session.add_all(applications)
        return len(applications)
