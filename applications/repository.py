"""Reading and changing applications: what the staff CLI and the bot call.

Every function takes an open :class:`~sqlalchemy.orm.Session` (see
:func:`core.db.session_scope`) and the current time, so callers decide the
transaction and tests decide the clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Sequence, Tuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from applications.clock import korean_date
from applications.hashing import BirthDateHasher
from applications.models import (
    Application,
    LockoutKind,
    StatusHistory,
    VerificationFailure,
    VerificationLockout,
)
from applications.numbers import ApplicationNumber, generate_application_number
from applications.services import get_profile
from applications.statuses import ApplicationStatus, is_allowed_move
from records.notices import enqueue_status_notices


class ApplicationNotFoundError(LookupError):
    """No application has the given number."""


class ApplicationChangeError(ValueError):
    """A requested change is not allowed or lacks details; the message says why."""


@dataclass(frozen=True)
class ApplicationView:
    """What a verified applicant may see: everything except the birth-date hash."""

    number: str
    service_id: str
    service_name_ko: str
    service_name_en: str
    status: ApplicationStatus
    submitted_at: datetime
    updated_at: datetime
    expected_completion: date | None
    agency_ko: str
    agency_en: str
    office_ko: str
    office_en: str
    contact_phone: str
    documents_ko: Tuple[str, ...]
    documents_en: Tuple[str, ...]
    supplement_deadline: date | None
    rejection_reason_ko: str | None
    rejection_reason_en: str | None
    issues_document: bool

    @classmethod
    def of(cls, application: Application) -> ApplicationView:
        """A detached copy of ``application`` that is safe to use after the session closes."""
        profile = get_profile(application.service_id)
        return cls(
            number=application.number,
            service_id=application.service_id,
            service_name_ko=application.service_name_ko,
            service_name_en=application.service_name_en,
            status=application.status_enum,
            submitted_at=application.submitted_at,
            updated_at=application.updated_at,
            expected_completion=application.expected_completion,
            agency_ko=application.agency_ko,
            agency_en=application.agency_en,
            office_ko=application.office_ko,
            office_en=application.office_en,
            contact_phone=application.contact_phone,
            documents_ko=tuple(application.documents("ko")),
            documents_en=tuple(application.documents("en")),
            supplement_deadline=application.supplement_deadline,
            rejection_reason_ko=application.rejection_reason("ko"),
            rejection_reason_en=application.rejection_reason("en"),
            issues_document=bool(profile and profile.issues_document),
        )


@dataclass(frozen=True)
class Handling:
    """Names and contact of the service and office handling an application."""

    service_name_ko: str
    service_name_en: str
    agency_ko: str
    agency_en: str
    office_ko: str
    office_en: str
    phone: str
    processing_days: int


def default_handling(
    service_id: str,
    *,
    name_ko: str | None = None,
    name_en: str | None = None,
    agency_ko: str | None = None,
    agency_en: str | None = None,
    office_ko: str | None = None,
    office_en: str | None = None,
    phone: str | None = None,
) -> Handling:
    """The handling details for ``service_id``: the known defaults with any field overridden.

    Raises :class:`ApplicationChangeError` naming the missing fields when the
    service is not in :mod:`applications.services` and they were not given.
    An English field left out falls back to the Korean one given.
    """
    profile = get_profile(service_id)
    default_office = profile.offices[0] if profile else (None, None)
    values = {
        "name_ko": name_ko or (profile.name_ko if profile else None),
        "name_en": name_en or (profile.name_en if profile else None) or name_ko,
        "agency_ko": agency_ko or (profile.agency.name_ko if profile else None),
        "agency_en": agency_en
        or (profile.agency.name_en if profile and not agency_ko else None)
        or agency_ko,
        "office_ko": office_ko or default_office[0],
        "office_en": office_en or (default_office[1] if not office_ko else None) or office_ko,
        "phone": phone or (profile.agency.phone if profile else None),
    }
    flags = {"office_ko": "office", "office_en": "office-en", "agency_ko": "agency", "agency_en": "agency-en"}
    missing = ["--" + flags.get(name, name.replace("_", "-")) for name, value in values.items() if not value]
    if missing:
        raise ApplicationChangeError(
            f"service {service_id!r} is not in the built-in list; give " + ", ".join(missing)
        )
    resolved = {name: str(value) for name, value in values.items()}
    return Handling(
        service_name_ko=resolved["name_ko"],
        service_name_en=resolved["name_en"],
        agency_ko=resolved["agency_ko"],
        agency_en=resolved["agency_en"],
        office_ko=resolved["office_ko"],
        office_en=resolved["office_en"],
        phone=resolved["phone"],
        processing_days=profile.processing_days if profile else 14,
    )


def find_application(session: Session, number: str) -> Application | None:
    """The application with ``number`` ("YYYY-NNNNNNN"), or None."""
    return session.execute(select(Application).where(Application.number == number)).scalar_one_or_none()


def _unused_number(session: Session, year: int, rng: random.Random | None) -> ApplicationNumber:
    while True:
        candidate = generate_application_number(year, rng)
        if find_application(session, str(candidate)) is None:
            return candidate


def add_application(
    session: Session,
    *,
    service_id: str,
    birth_date: date,
    handling: Handling,
    hasher: BirthDateHasher,
    now: datetime,
    created_by: str,
    number: str | None = None,
    status: ApplicationStatus = ApplicationStatus.RECEIVED,
    expected_completion: date | None = None,
    rng: random.Random | None = None,
) -> Application:
    """Register a new application and its first history row; returns it with its number.

    Only a salted hash of ``birth_date`` is stored. Without ``number`` a fresh,
    unused one is generated for the current Korean year. Without
    ``expected_completion`` the service's usual processing time is assumed.
    """
    if number is None:
        number = str(_unused_number(session, korean_date(now).year, rng))
    elif find_application(session, number) is not None:
        raise ApplicationChangeError(f"application number {number} is already used")
    salt, digest = hasher.new_record(birth_date)
    application = Application(
        number=number,
        service_id=service_id,
        service_name_ko=handling.service_name_ko,
        service_name_en=handling.service_name_en,
        birth_date_salt=salt,
        birth_date_hash=digest,
        status=status.value,
        submitted_at=now,
        updated_at=now,
        expected_completion=expected_completion
        or korean_date(now) + timedelta(days=handling.processing_days),
        agency_ko=handling.agency_ko,
        agency_en=handling.agency_en,
        office_ko=handling.office_ko,
        office_en=handling.office_en,
        contact_phone=handling.phone,
    )
    application.history.append(
        StatusHistory(status=ApplicationStatus.RECEIVED.value, changed_at=now, changed_by=created_by)
    )
    session.add(application)
    session.flush()
    return application


def move_application(
    session: Session,
    number: str,
    status: ApplicationStatus,
    *,
    by: str,
    now: datetime,
    reason_ko: str | None = None,
    reason_en: str | None = None,
    documents_ko: Sequence[str] = (),
    documents_en: Sequence[str] = (),
    deadline: date | None = None,
    expected_completion: date | None = None,
    note: str | None = None,
    force: bool = False,
) -> Application:
    """Move application ``number`` to ``status`` and record who did it.

    A supplement request needs the documents and a deadline; a rejection needs
    a reason. Moves outside :data:`applications.statuses.ALLOWED_MOVES` need
    ``force`` (for correcting a mistake). In the same transaction, every
    citizen subscribed to the application gets a notice row
    (:func:`records.notices.enqueue_status_notices`) for the notifier. Raises
    :class:`ApplicationNotFoundError` or :class:`ApplicationChangeError`.
    """
    application = find_application(session, number)
    if application is None:
        raise ApplicationNotFoundError(number)
    current = application.status_enum
    if not by.strip():
        raise ApplicationChangeError("say who makes the change (--by NAME)")
    if not force and not is_allowed_move(current, status):
        raise ApplicationChangeError(
            f"cannot move {number} from {current.value} to {status.value}; use --force to correct a mistake"
        )
    if status is ApplicationStatus.SUPPLEMENT_REQUESTED:
        if not documents_ko or deadline is None:
            raise ApplicationChangeError("a supplement request needs --documents and --deadline")
        application.supplement_documents_ko = list(documents_ko)
        application.supplement_documents_en = list(documents_en) or None
        application.supplement_deadline = deadline
    if status is ApplicationStatus.REJECTED:
        if not reason_ko:
            raise ApplicationChangeError("a rejection needs --reason")
        application.rejection_reason_ko = reason_ko
        application.rejection_reason_en = reason_en
    if expected_completion is not None:
        application.expected_completion = expected_completion
    application.status = status.value
    application.updated_at = now
    history_note = note or reason_ko or ("; ".join(documents_ko) if documents_ko else None)
    application.history.append(
        StatusHistory(status=status.value, changed_at=now, changed_by=by.strip(), note=history_note)
    )
    session.flush()
    # The outbox: subscribers' notices commit (or roll back) with the change itself.
    enqueue_status_notices(session, application, now)
    return application


def unlock(session: Session, *, sender_id: str | None = None, number: str | None = None) -> int:
    """Lift the lockouts of a sender or a number and forget its failed attempts.

    Returns how many lockouts were lifted. Forgetting the failures matters: the
    next mistake must not lock the citizen out again at once.
    """
    if (sender_id is None) == (number is None):
        raise ValueError("give exactly one of sender_id or number")
    if sender_id is not None:
        kind, key = LockoutKind.SENDER, sender_id
        session.execute(delete(VerificationFailure).where(VerificationFailure.sender_id == sender_id))
    else:
        kind, key = LockoutKind.APPLICATION_NUMBER, str(number)
        session.execute(delete(VerificationFailure).where(VerificationFailure.application_number == key))
    result = session.execute(
        delete(VerificationLockout).where(VerificationLockout.kind == kind, VerificationLockout.key == key)
    )
    return int(result.rowcount or 0)
