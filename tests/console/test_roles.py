"""The role rules: who may see, edit, publish, review and handle what."""

from __future__ import annotations

import pytest

from console.roles import (
    Role,
    Staff,
    can_edit_service,
    can_handle_application,
    can_import,
    can_manage_users,
    can_publish,
    can_review,
    can_view_applications,
    can_view_audit,
    can_view_services,
)


def staff(role: str, agency: str | None = None) -> Staff:
    return Staff(1, f"{role}-user", Role(role), agency)


def test_an_editor_edits_only_its_own_agencys_services() -> None:
    editor = staff("editor", "mofa")
    assert can_edit_service(editor, "mofa")
    assert not can_edit_service(editor, "mois")
    assert not can_edit_service(staff("editor", None), "mofa")  # an editor without an agency edits nothing


def test_an_editor_publishes_only_when_no_review_is_required() -> None:
    editor = staff("editor", "mofa")
    assert not can_publish(editor, "mofa", review_required=True)
    assert can_publish(editor, "mofa", review_required=False)
    assert not can_publish(editor, "mois", review_required=False)


@pytest.mark.parametrize("role", ["admin", "reviewer"])
def test_reviewers_and_admins_edit_publish_and_review_any_service(role: str) -> None:
    person = staff(role)
    for agency in ("mofa", "mois"):
        assert can_edit_service(person, agency)
        assert can_publish(person, agency, review_required=True)
    assert can_review(person)
    assert can_import(person)


@pytest.mark.parametrize("role", ["clerk", "analyst", "agent"])
def test_other_roles_never_change_the_catalogue(role: str) -> None:
    person = staff(role, "mofa" if role == "clerk" else None)
    assert not can_edit_service(person, "mofa")
    assert not can_publish(person, "mofa", review_required=False)
    assert not can_review(person)
    assert not can_import(person)


def test_a_clerk_handles_only_its_own_agencys_applications() -> None:
    clerk = staff("clerk", "mofa")
    assert can_view_applications(clerk)
    assert can_handle_application(clerk, "mofa")
    assert not can_handle_application(clerk, "mois")
    assert not can_handle_application(clerk, None)  # a service outside the catalogue: admins only
    assert can_handle_application(staff("admin"), None)
    for role in ("editor", "reviewer", "analyst", "agent"):
        assert not can_handle_application(staff(role, "mofa"), "mofa")
        assert not can_view_applications(staff(role, "mofa"))


def test_only_admins_manage_accounts_and_the_audit_log_is_for_oversight_roles() -> None:
    assert can_manage_users(staff("admin"))
    assert not any(can_manage_users(staff(r)) for r in ("editor", "reviewer", "clerk", "analyst", "agent"))
    assert {r for r in ("admin", "reviewer", "analyst", "editor", "clerk", "agent") if can_view_audit(staff(r))} == {
        "admin", "reviewer", "analyst"
    }
    assert not can_view_services(staff("agent"))


def test_an_unknown_role_is_refused_with_the_list() -> None:
    with pytest.raises(ValueError, match="admin, editor, reviewer, clerk, analyst, agent"):
        Role.parse("superuser")
    assert Role.parse(" Editor ") is Role.EDITOR
