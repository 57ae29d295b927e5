"""Applications in the console: find by number, move the status, lift a lockout; all audited.

The birth date is never read here: the application's view leaves out its
salt and hash. Changes go through :mod:`applications.repository` (the same
functions as the staff CLI). Blocking: call through ``asyncio.to_thread``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import List, Tuple

from sqlalchemy.engine import Engine

from applications.cli import audit_move, audit_unlock
from applications.clock import utc_now as applications_now
from applications.numbers import ApplicationNumberError, parse_application_number
from applications.repository import find_application, move_application, unlock
from applications.statuses import ApplicationStatus
from core.db import session_scope
from knowledge.models import Service

STATUS_LABELS = {
    ApplicationStatus.RECEIVED: ("접수", "Received"),
    ApplicationStatus.IN_REVIEW: ("처리중", "In review"),
    ApplicationStatus.SUPPLEMENT_REQUESTED: ("보완요청", "Supplement requested"),
    ApplicationStatus.APPROVED: ("승인", "Approved"),
    ApplicationStatus.REJECTED: ("반려", "Rejected"),
    ApplicationStatus.COMPLETED: ("처리완료", "Completed"),
    ApplicationStatus.WITHDRAWN: ("취하", "Withdrawn"),
}


def status_label(status: str, language: str) -> str:
    """The status's name in ``language``."""
    try:
        ko, en = STATUS_LABELS[ApplicationStatus(status)]
    except ValueError:
        return status
    return en if language == "en" else ko


@dataclass(frozen=True)
class ApplicationPage:
    """What a clerk sees of an application: never the birth date."""

    number: str
    service_id: str
    service_name_ko: str
    service_name_en: str
    agency_id: str | None  # the catalogue agency handling the service, for the clerk's rights
    status: str
    submitted_at: datetime
    updated_at: datetime
    expected_completion: date | None
    office_ko: str
    office_en: str
    contact_phone: str
    supplement_documents_ko: Tuple[str, ...]
    supplement_documents_en: Tuple[str, ...]
    supplement_deadline: date | None
    rejection_reason_ko: str | None
    history: Tuple[Tuple[datetime, str, str, str | None], ...]  # (when, status, by, note)


def normalise_number(text: str) -> str | None:
    """The canonical number (``2026-0012347``) for what a clerk typed, or None."""
    try:
        return str(parse_application_number(text[:40]))
    except ApplicationNumberError:
        return None


def load_application(engine: Engine, number: str) -> ApplicationPage | None:
    """The application with ``number`` as the console shows it, or None."""
    with session_scope(engine) as session:
        application = find_application(session, number)
        if application is None:
            return None
        service = session.get(Service, application.service_id)
        return ApplicationPage(
            number=application.number,
            service_id=application.service_id,
            service_name_ko=application.service_name_ko,
            service_name_en=application.service_name_en,
            agency_id=service.agency_id if service is not None else None,
            status=application.status,
            submitted_at=application.submitted_at,
            updated_at=application.updated_at,
            expected_completion=application.expected_completion,
            office_ko=application.office_ko,
            office_en=application.office_en,
            contact_phone=application.contact_phone,
            supplement_documents_ko=tuple(application.supplement_documents_ko or ()),
            supplement_documents_en=tuple(application.supplement_documents_en or ()),
            supplement_deadline=application.supplement_deadline,
            rejection_reason_ko=application.rejection_reason_ko,
            history=tuple((h.changed_at, h.status, h.changed_by, h.note) for h in application.history),
        )


def move(
    engine: Engine,
    number: str,
    status: ApplicationStatus,
    *,
    actor: str,
    documents_ko: List[str],
    documents_en: List[str],
    deadline: date | None,
    reason_ko: str | None,
    reason_en: str | None,
    expected: date | None,
    note: str | None,
    force: bool,
) -> str:
    """Move the application (see :func:`applications.repository.move_application`) and audit it in
    the same transaction; returns the new status. Raises the repository's errors; then nothing changed."""
    with session_scope(engine) as session:
        application = find_application(session, number)
        old_status = application.status if application is not None else ""
        moved = move_application(
            session, number, status, by=actor, now=applications_now(), reason_ko=reason_ko, reason_en=reason_en,
            documents_ko=documents_ko, documents_en=documents_en, deadline=deadline,
            expected_completion=expected, note=note, force=force,
        )
        audit_move(
            session, actor=actor, number=number, old_status=old_status, new_status=moved.status,
            documents_ko=documents_ko if status is ApplicationStatus.SUPPLEMENT_REQUESTED else (),
            deadline=deadline if status is ApplicationStatus.SUPPLEMENT_REQUESTED else None,
            reason_ko=reason_ko if status is ApplicationStatus.REJECTED else None, source="console",
        )
        return str(moved.status)


def lift_lockout(engine: Engine, number: str, actor: str) -> int:
    """Lift the lookup lockout of an application number (audited); returns how many were lifted."""
    with session_scope(engine) as session:
        lifted = unlock(session, number=number)
        audit_unlock(session, actor=actor, number=number, sender_id=None, lifted=lifted, source="console")
        return lifted
