"""The words of a notice, in the subscriber's language (issue 20).

Rendered at delivery time from bot/responses/notices.yml (the same files and
formatting as the assistant's own replies, :func:`actions.responses.render`):
what changed, what it means and what to do next. No personal detail: only the
last four digits of the application number, so a citizen with several
applications can tell them apart, and the deadline of a supplement request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Dict, List, Optional, Tuple

from actions.responses import render
from applications.replies import format_date
from applications.statuses import FINAL_STATUSES, ApplicationStatus

REMINDER_RESPONSE = "utter_notice_reminder"
STOP_PAYLOAD = "/unsubscribe_notices"

#: Buttons under a pushed notice (where the messenger shows buttons).
NOTICE_BUTTONS: Dict[str, Tuple[Dict[str, str], ...]] = {
    "ko": (
        {"title": "처리 상태 확인", "payload": "/check_application_status"},
        {"title": "알림 끄기", "payload": STOP_PAYLOAD},
    ),
    "en": (
        {"title": "Check the status", "payload": "/check_application_status"},
        {"title": "Stop notifications", "payload": STOP_PAYLOAD},
    ),
}


@dataclass(frozen=True)
class NoticeText:
    """A notice ready to send."""

    text: str
    buttons: List[Dict[str, str]]


def _days(days: int, language: str) -> str:
    if language == "en":
        return "1 day" if days == 1 else f"{days} days"
    return f"{days}일"


def notice_text(
    *,
    kind: str,
    status: str,
    language: str,
    number: str,
    deadline: Optional[date] = None,
    days_before: Optional[int] = None,
) -> NoticeText:
    """The text and buttons of a ``status`` or ``reminder`` notice in ``language``
    (anything but ``en`` is Korean). A final status ends the notices, so its
    notice has no "stop" button. Raises ``KeyError`` for an unknown status."""
    language = "en" if language == "en" else "ko"
    values = {"number_tail": number[-4:], "deadline": format_date(deadline, language)}
    if kind == "reminder":
        values["days"] = _days(int(days_before or 1), language)
        name = REMINDER_RESPONSE
    else:
        name = f"utter_notice_status_{status}"
    message = render(name, language, values)
    buttons = [dict(button) for button in NOTICE_BUTTONS[language]]
    if kind == "status" and ApplicationStatus(status) in FINAL_STATUSES:
        buttons = [button for button in buttons if button["payload"] != STOP_PAYLOAD]
    return NoticeText(message["text"], buttons)
