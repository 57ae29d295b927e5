"""Which domain response tells a verified applicant their status, and its variables.

The wording lives in bot/domain/status.yml (a Korean and an English variation
per response); this module picks the response for a status and fills every
variable it uses in the citizen's language, so no ``{placeholder}`` is ever
left in a reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Dict

from applications.clock import korean_date
from applications.repository import ApplicationView
from applications.statuses import ApplicationStatus

_RESPONSES: Dict[ApplicationStatus, str] = {
    ApplicationStatus.RECEIVED: "utter_application_status_received",
    ApplicationStatus.IN_REVIEW: "utter_application_status_in_review",
    ApplicationStatus.SUPPLEMENT_REQUESTED: "utter_application_status_supplement_requested",
    ApplicationStatus.APPROVED: "utter_application_status_approved",
    ApplicationStatus.REJECTED: "utter_application_status_rejected",
    ApplicationStatus.COMPLETED: "utter_application_status_completed",
    ApplicationStatus.WITHDRAWN: "utter_application_status_withdrawn",
}
ISSUED_RESPONSE = "utter_application_status_issued"

_ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_NOT_SET = {"ko": "아직 정해지지 않았어요", "en": "not set yet"}
_NO_REASON = {"ko": "담당 기관에 문의해 주세요", "en": "please ask the office"}
_LIST_SEPARATOR = {"ko": ", ", "en": "; "}


@dataclass(frozen=True)
class StatusReply:
    """A response name and the variables its text needs."""

    response: str
    variables: Dict[str, str] = field(default_factory=dict)


def format_date(value: date | datetime | None, language: str) -> str:
    """``2026년 12월 4일`` or ``4 December 2026``; "not set yet" for None.

    A datetime is taken as naive UTC and shown as its Korean calendar date.
    """
    if value is None:
        return _NOT_SET[language]
    if isinstance(value, datetime):
        value = korean_date(value)
    if language == "en":
        return f"{value.day} {_ENGLISH_MONTHS[value.month - 1]} {value.year}"
    return f"{value.year}년 {value.month}월 {value.day}일"


def status_reply(application: ApplicationView, language: str) -> StatusReply:
    """The reply for ``application`` in ``language`` ("ko" or "en", anything else is Korean)."""
    language = "en" if language == "en" else "ko"
    english = language == "en"
    status = application.status
    response = _RESPONSES[status]
    if status is ApplicationStatus.COMPLETED and application.issues_document:
        response = ISSUED_RESPONSE
    documents = application.documents_en if english else application.documents_ko
    reason = application.rejection_reason_en if english else application.rejection_reason_ko
    variables = {
        "service": application.service_name_en if english else application.service_name_ko,
        "submitted": format_date(application.submitted_at, language),
        "updated": format_date(application.updated_at, language),
        "expected": format_date(application.expected_completion, language),
        "agency": application.agency_en if english else application.agency_ko,
        "office": application.office_en if english else application.office_ko,
        "phone": application.contact_phone,
        "documents": _LIST_SEPARATOR[language].join(documents) or _NO_REASON[language],
        "deadline": format_date(application.supplement_deadline, language),
        "reason": reason or _NO_REASON[language],
    }
    return StatusReply(response, variables)
