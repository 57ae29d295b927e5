"""Staff roles and what each may do: the one place the console's rights are decided.

Every handler asks one of these functions before it reads or changes
anything; a ``False`` becomes 403 and nothing changes. The functions are pure
(no database), so the rules are tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(str, Enum):
    """The staff roles of the design (DESIGN.md, "Staff roles")."""

    ADMIN = "admin"  # accounts and everything else
    EDITOR = "editor"  # its own agency's services
    REVIEWER = "reviewer"  # approves and publishes changes to any service
    CLERK = "clerk"  # its own agency's applications
    ANALYST = "analyst"  # read-only figures and the audit log
    AGENT = "agent"  # live chat (issue 18)

    @classmethod
    def parse(cls, text: str) -> "Role":
        """The role named ``text``; ``ValueError`` listing the roles otherwise."""
        try:
            return cls(text.strip().lower())
        except ValueError as error:
            raise ValueError(f"unknown role {text!r}; use one of {', '.join(r.value for r in cls)}") from error


#: Roles that act for one agency and so need one.
AGENCY_ROLES = frozenset({Role.EDITOR, Role.CLERK})


@dataclass(frozen=True)
class Staff:
    """The signed-in person as the rules see them."""

    id: int
    login: str
    role: Role
    agency_id: str | None = None


def can_view_services(staff: Staff) -> bool:
    """The catalogue list and a service's published fields (read-only)."""
    return staff.role in (Role.ADMIN, Role.EDITOR, Role.REVIEWER, Role.CLERK, Role.ANALYST)


def can_edit_service(staff: Staff, agency_id: str | None) -> bool:
    """Open the editor of, and propose changes to, a service of ``agency_id``."""
    if staff.role in (Role.ADMIN, Role.REVIEWER):
        return True
    return staff.role is Role.EDITOR and staff.agency_id is not None and staff.agency_id == agency_id


def can_publish(staff: Staff, agency_id: str | None, review_required: bool) -> bool:
    """Publish a change to a service of ``agency_id`` so the bot answers with it at once.

    Reviewers and admins always may; an editor only for its own agency and only
    when the setting does not require a reviewer.
    """
    if staff.role in (Role.ADMIN, Role.REVIEWER):
        return True
    return not review_required and can_edit_service(staff, agency_id)


def can_review(staff: Staff) -> bool:
    """See the review queue and approve or reject others' changes."""
    return staff.role in (Role.ADMIN, Role.REVIEWER)


def can_import(staff: Staff) -> bool:
    """Import catalogue YAML from the page (every entry of the file, any agency)."""
    return staff.role in (Role.ADMIN, Role.REVIEWER)


def can_export(staff: Staff) -> bool:
    """Download the catalogue as YAML."""
    return can_view_services(staff)


def can_view_applications(staff: Staff) -> bool:
    """Search applications by number."""
    return staff.role in (Role.ADMIN, Role.CLERK)


def can_handle_application(staff: Staff, agency_id: str | None) -> bool:
    """See and move an application handled by ``agency_id``, or lift its lockout."""
    if staff.role is Role.ADMIN:
        return True
    return staff.role is Role.CLERK and staff.agency_id is not None and staff.agency_id == agency_id


def can_view_audit(staff: Staff) -> bool:
    """Read and export the audit log."""
    return staff.role in (Role.ADMIN, Role.REVIEWER, Role.ANALYST)


def can_manage_users(staff: Staff) -> bool:
    """Add, disable and reset staff accounts."""
    return staff.role is Role.ADMIN


def can_view_figures(staff: Staff) -> bool:
    """The insight dashboard: figures, charts and the grouped unanswered questions (read-only)."""
    return staff.role in (Role.ADMIN, Role.REVIEWER, Role.ANALYST)


def can_train(staff: Staff) -> bool:
    """The trainers' review inbox: label failed questions and download the training export."""
    return staff.role in (Role.ADMIN, Role.REVIEWER)


def can_view_notices(staff: Staff) -> bool:
    """The outbox of proactive notices: see it and send a failed notice again."""
    return staff.role in (Role.ADMIN, Role.CLERK)
