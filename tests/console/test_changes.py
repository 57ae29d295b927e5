"""The draft -> review -> publish flow, stale edits, history and revert, on a real database."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from actions.service_answers import build_answer
from console import changes
from console.catalogue import get_service
from console.roles import Role, Staff
from core.db import session_scope
from knowledge.importer import StaleEditError, current_version, set_service_field
from knowledge.models import AuditLog

EDITOR = Staff(2, "editor.mofa", Role.EDITOR, "mofa")
REVIEWER = Staff(4, "reviewer1", Role.REVIEWER, None)
NEW_FEE = {"ko": "53,000원", "en": "KRW 53,000"}


def edited(engine: Engine, **fields: object) -> dict:
    detail = get_service(engine, "passport_reissue")
    assert detail is not None
    entry = copy.deepcopy(detail.entry)
    entry.update(fields)
    return entry


def fee_answer(engine: Engine, language: str) -> str:
    answer = build_answer(engine, "passport_reissue", "fee", language)
    assert answer is not None
    return answer.values["answer"]


def test_a_submitted_change_reaches_the_bot_only_when_a_reviewer_publishes_it(console_engine: Engine) -> None:
    detail = get_service(console_engine, "passport_reissue")
    entry = edited(console_engine, fee=NEW_FEE)
    assert changes.validate_entry(console_engine, entry, detail.source_file) == []
    change_id = changes.save_change(console_engine, EDITOR, "mofa", entry, detail.revision, changes.PENDING)
    assert [c.id for c in changes.open_changes(console_engine, status=changes.PENDING)] == [change_id]
    assert fee_answer(console_engine, "ko") != "53,000원"  # submitted, not yet live

    version = current_version_of(console_engine)
    report = changes.publish_change(console_engine, change_id, REVIEWER, detail.source_file)
    assert report.updated == ["service:passport_reissue"]
    assert fee_answer(console_engine, "ko") == "53,000원" and fee_answer(console_engine, "en") == "KRW 53,000"
    assert current_version_of(console_engine) == version + 1  # the bot's search index sees the change
    assert changes.get_change(console_engine, change_id).status == changes.PUBLISHED
    with session_scope(console_engine) as session:
        rows = list(session.scalars(select(AuditLog).where(AuditLog.entity_id == "passport_reissue")))
    fee_rows = [r for r in rows if r.field == "fee.ko" and r.source == "console"]
    assert fee_rows and fee_rows[-1].new_value == "53,000원" and fee_rows[-1].actor == "reviewer1"
    assert {"submit", "publish"} <= {r.action for r in rows}


def current_version_of(engine: Engine) -> int:
    with session_scope(engine) as session:
        return current_version(session)


def test_a_stale_edit_is_refused_and_writes_nothing(console_engine: Engine) -> None:
    detail = get_service(console_engine, "passport_reissue")
    entry = edited(console_engine, fee=NEW_FEE)
    # Someone else saves first, with the CLI.
    set_service_field(console_engine, "passport_reissue", "processing_time.ko", "7일", actor="kim")
    with pytest.raises(StaleEditError):
        changes.publish_entry(console_engine, entry, detail.revision, "reviewer1", detail.source_file)
    after = get_service(console_engine, "passport_reissue")
    assert after.entry["processing_time"]["ko"] == "7일"
    assert after.entry["fee"] != NEW_FEE
    assert after.revision == detail.revision + 1


def test_a_pending_change_made_before_another_save_is_stale_and_kept(console_engine: Engine) -> None:
    detail = get_service(console_engine, "passport_reissue")
    change_id = changes.save_change(
        console_engine, EDITOR, "mofa", edited(console_engine, fee=NEW_FEE), detail.revision, changes.PENDING
    )
    set_service_field(console_engine, "passport_reissue", "processing_time.ko", "7일", actor="kim")
    with pytest.raises(StaleEditError):
        changes.publish_change(console_engine, change_id, REVIEWER, detail.source_file)
    assert changes.get_change(console_engine, change_id).status == changes.PENDING


def test_history_shows_each_revision_with_its_diff_and_revert_brings_one_back(console_engine: Engine) -> None:
    first = get_service(console_engine, "passport_reissue")
    changes.publish_entry(console_engine, edited(console_engine, fee=NEW_FEE), first.revision, "reviewer1",
                          first.source_file)
    versions = changes.history(console_engine, "passport_reissue")
    assert [v.revision for v in versions] == [first.revision + 1, first.revision]
    assert ("fee.ko", first.entry["fee"]["ko"], "53,000원") in versions[0].changes
    assert versions[0].actor == "reviewer1" and versions[0].source == "console"

    old = changes.version_entry(console_engine, "passport_reissue", first.revision)
    changes.publish_entry(console_engine, old, first.revision + 1, "reviewer1", first.source_file)
    assert fee_answer(console_engine, "ko") == first.entry["fee"]["ko"]
    assert get_service(console_engine, "passport_reissue").revision == first.revision + 2


def test_an_invalid_entry_has_the_import_issues_and_nothing_is_saved(console_engine: Engine) -> None:
    detail = get_service(console_engine, "passport_reissue")
    entry = edited(console_engine, source="not a url", last_reviewed="2026-13-45")
    issues = changes.validate_entry(console_engine, entry, detail.source_file)
    assert {issue.field for issue in issues} == {"source", "last_reviewed"}
