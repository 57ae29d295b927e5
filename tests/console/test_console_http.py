"""The console over HTTP (aiohttp's test server, a real database): sign-in, rights, CSRF,
the service editor with its validation and preview, applications and the audit log."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select
from sqlalchemy.engine import Engine

from applications.models import Application, VerificationLockout
from console.catalogue import get_service
from core.db import session_scope
from knowledge.importer import set_service_field
from knowledge.models import AuditLog

from .conftest import APPLICATION_NUMBER, PASSWORD, MakeClient, csrf_of, form_token, login


def service_form(html_token: str, service_id_values: dict, action: str, base_revision: int, **changes: str) -> dict:
    from console.service_form import entry_to_values

    values = {k: v for k, v in entry_to_values(service_id_values).items() if k not in ("life_events", "illustrative")}
    values.update(changes)
    values.update(csrf_token=html_token, action=action, base_revision=str(base_revision))
    return values


async def edit(client, engine: Engine, action: str, base_revision: int | None = None, **changes: str):
    detail = get_service(engine, "passport_reissue")
    token = await form_token(client, "/services/passport_reissue")
    data = service_form(token, detail.entry, action, detail.revision if base_revision is None else base_revision,
                        **changes)
    return await client.post("/services/passport_reissue", data=data)


async def test_pages_need_a_sign_in_and_carry_security_headers(make_client: MakeClient) -> None:
    client = await make_client()
    response = await client.get("/services", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/login")
    page = await client.get("/login")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Cache-Control"] == "no-store"
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=28800" in cookie


async def test_a_login_without_its_csrf_token_is_refused(make_client: MakeClient) -> None:
    client = await make_client()
    await client.get("/login")
    response = await client.post("/login", data={"login": "admin1", "password": PASSWORD})
    assert response.status == 403 and "CSRF" in await response.text()
    assert (await client.get("/services", allow_redirects=False)).status == 303  # still signed out


async def test_a_form_from_another_site_is_refused(make_client: MakeClient, console_engine: Engine) -> None:
    client = await make_client()
    await login(client, "reviewer1")
    token = await form_token(client, "/services/passport_reissue")
    response = await client.post("/logout", data={"csrf_token": token}, headers={"Origin": "https://evil.example"})
    assert response.status == 403
    response = await client.post("/logout", data={"csrf_token": "forged"})
    assert response.status == 403
    assert (await client.get("/services")).status == 200  # still signed in: nothing changed


async def test_wrong_passwords_lock_the_account(make_client: MakeClient) -> None:
    client = await make_client(CONSOLE_MAX_FAILED_LOGINS="3")
    for _ in range(2):
        assert (await login(client, "editor.mofa", "wrong-password-x")).status == 401
    locked = await login(client, "editor.mofa", "wrong-password-x")
    assert locked.status == 423 and "잠겼습니다" in await locked.text()
    again = await login(client, "editor.mofa", PASSWORD)
    assert again.status == 423
    assert (await client.get("/services", allow_redirects=False)).status == 303


async def test_login_attempts_per_address_are_throttled(make_client: MakeClient) -> None:
    client = await make_client(CONSOLE_LOGINS_PER_MINUTE="2")
    await login(client, "nobody", "wrong-password-x")
    await login(client, "nobody", "wrong-password-x")
    assert (await login(client, "admin1")).status == 429


async def test_an_editor_gets_403_on_another_agencys_service_and_nothing_changes(
    make_client: MakeClient, console_engine: Engine
) -> None:
    client = await make_client()
    await login(client, "editor.mois")
    assert (await client.get("/services/passport_reissue")).status == 403
    before = get_service(console_engine, "passport_reissue")
    token = await form_token(client, "/services/resident_card_reissue")
    data = service_form(token, before.entry, "publish", before.revision, **{"fee.ko": "1원"})
    response = await client.post("/services/passport_reissue", data=data)
    assert response.status == 403
    assert get_service(console_engine, "passport_reissue").entry == before.entry
    # Its own agency's service opens, and moving it to another agency is refused beside the field.
    assert (await client.get("/services/resident_card_reissue")).status == 200


async def test_a_clerk_cannot_edit_and_an_analyst_only_reads(make_client: MakeClient, console_engine: Engine) -> None:
    client = await make_client()
    await login(client, "analyst1")
    page = await client.get("/services/passport_reissue")
    assert page.status == 200 and "<fieldset disabled>" in await page.text()
    token = csrf_of(await page.text())
    detail = get_service(console_engine, "passport_reissue")
    response = await client.post("/services/passport_reissue",
                                 data=service_form(token, detail.entry, "draft", detail.revision))
    assert response.status == 403
    assert (await client.get("/applications")).status == 403
    assert (await client.get("/audit")).status == 200


async def test_validation_errors_appear_beside_the_fields_and_nothing_is_saved(
    make_client: MakeClient, console_engine: Engine
) -> None:
    client = await make_client()
    await login(client, "reviewer1")
    before = get_service(console_engine, "passport_reissue")
    response = await edit(
        client, console_engine, "publish",
        **{"source": "javascript:alert(1)", "last_reviewed": "2026-02-30", "name.en": "",
           "overview.ko": "<script>alert(1)</script>", "processing_time.en": "x" * 5000,
           "apply.online.url": "ftp://example.org", "fee_amount": "12a"},
    )
    html = await response.text()
    assert response.status == 422
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html  # kept, escaped
    for field_id in ("f-source-error", "f-last_reviewed-error", "f-name-en-error", "f-overview-ko-error",
                     "f-processing_time-en-error", "f-apply-online-url-error", "f-fee_amount-error"):
        assert f'id="{field_id}"' in html, field_id
    assert "HTML 태그는 쓸 수 없습니다." in html and "1000자 이하로" in html
    assert "http:// 또는 https://로 시작하는 웹 주소여야 합니다" in html  # the import's message, in Korean
    assert 'value="javascript:alert(1)"' in html  # the input is kept as typed
    assert get_service(console_engine, "passport_reissue").entry == before.entry


async def test_the_preview_shows_the_bots_answers_in_both_languages_without_saving(
    make_client: MakeClient, console_engine: Engine
) -> None:
    client = await make_client()
    await login(client, "editor.mofa")
    before = get_service(console_engine, "passport_reissue")
    response = await edit(client, console_engine, "preview", **{"fee.ko": "53,000원", "fee.en": "KRW 53,000"})
    html = await response.text()
    assert response.status == 200
    assert "여권 재발급 수수료: 53,000원" in html and "Fee for Passport reissuance: KRW 53,000" in html
    assert get_service(console_engine, "passport_reissue").entry == before.entry


async def test_an_editor_submits_and_a_reviewer_publishes(make_client: MakeClient, console_engine: Engine) -> None:
    editor = await make_client()
    await login(editor, "editor.mofa")
    response = await edit(editor, console_engine, "submit", **{"fee.ko": "53,000원", "fee.en": "KRW 53,000"})
    assert response.status == 200 and "검토를 요청했습니다" in await response.text()
    assert get_service(console_engine, "passport_reissue").entry["fee"]["ko"] != "53,000원"
    # An editor may not publish while review is required.
    response = await edit(editor, console_engine, "publish", **{"fee.ko": "1원", "fee.en": "KRW 1"})
    assert response.status == 403

    reviewer = await make_client()
    await login(reviewer, "reviewer1")
    queue = await reviewer.get("/changes")
    text = await queue.text()
    assert "passport_reissue" in text
    change_id = text.split('href="/changes/')[1].split('"')[0]
    page = await reviewer.get(f"/changes/{change_id}")
    assert "53,000원" in await page.text()
    token = csrf_of(await page.text())
    response = await reviewer.post(f"/changes/{change_id}/publish", data={"csrf_token": token})
    assert response.status == 200 and "게시했습니다" in await response.text()
    assert get_service(console_engine, "passport_reissue").entry["fee"]["ko"] == "53,000원"


async def test_editors_publish_directly_when_no_review_is_required(
    make_client: MakeClient, console_engine: Engine
) -> None:
    client = await make_client(CONSOLE_REVIEW_REQUIRED="false")
    await login(client, "editor.mofa")
    response = await edit(client, console_engine, "publish", **{"fee.ko": "53,000원", "fee.en": "KRW 53,000"})
    assert response.status == 200
    assert get_service(console_engine, "passport_reissue").entry["fee"]["en"] == "KRW 53,000"


async def test_a_stale_edit_gets_a_clear_message_and_keeps_the_input(
    make_client: MakeClient, console_engine: Engine
) -> None:
    client = await make_client()
    await login(client, "reviewer1")
    base = get_service(console_engine, "passport_reissue").revision
    set_service_field(console_engine, "passport_reissue", "processing_time.ko", "7일", actor="kim")
    response = await edit(client, console_engine, "publish", base_revision=base,
                          **{"fee.ko": "53,000원", "fee.en": "KRW 53,000"})
    html = await response.text()
    assert response.status == 409
    assert "다른 사람이 먼저 이 서비스를 저장했습니다" in html
    assert 'value="53,000원"' in html  # the editor's input is still in the form
    assert "processing_time.ko" in html  # what the other person changed
    after = get_service(console_engine, "passport_reissue")
    assert after.entry["fee"]["ko"] != "53,000원" and after.entry["processing_time"]["ko"] == "7일"


async def test_history_and_revert(make_client: MakeClient, console_engine: Engine) -> None:
    client = await make_client()
    await login(client, "reviewer1")
    original = get_service(console_engine, "passport_reissue")
    await edit(client, console_engine, "publish", **{"fee.ko": "53,000원", "fee.en": "KRW 53,000"})
    history = await client.get("/services/passport_reissue/history")
    html = await history.text()
    assert "fee.ko" in html and "53,000원" in html and "reviewer1" in html
    token = csrf_of(html)
    response = await client.post("/services/passport_reissue/revert", data={
        "csrf_token": token, "revision": str(original.revision), "base_revision": str(original.revision + 1)})
    assert response.status == 200
    assert get_service(console_engine, "passport_reissue").entry["fee"] == original.entry["fee"]


async def test_the_list_filters_and_flags_overdue_reviews(make_client: MakeClient) -> None:
    client = await make_client(CONSOLE_REVIEW_AGE_DAYS="1")
    await login(client, "analyst1")
    html = await (await client.get("/services?agency=mofa")).text()
    assert "passport_reissue" in html and "resident_card_reissue" not in html
    assert "검토 필요" in html
    html = await (await client.get("/services?q=여권")).text()
    assert "passport_reissue" in html and "child_allowance" not in html
    response = await client.get("/services?reviewed_before=not-a-date")
    assert response.status == 200 and "2026-11-27처럼" in await response.text()


async def test_a_clerk_moves_an_application_with_supplement_details_audited(
    make_client: MakeClient, console_engine: Engine
) -> None:
    client = await make_client()
    await login(client, "clerk.mofa")
    page = await client.get("/applications?number=2026 0012347")
    html = await page.text()
    assert page.status == 200 and APPLICATION_NUMBER in html and "1988" not in html  # no birth date
    token = csrf_of(html)
    missing = await client.post(f"/applications/{APPLICATION_NUMBER}/move", data={
        "csrf_token": token, "status": "supplement_requested", "documents_ko": "", "deadline": ""})
    assert missing.status == 422 and "needs --documents" in await missing.text()
    moved = await client.post(f"/applications/{APPLICATION_NUMBER}/move", data={
        "csrf_token": token, "status": "supplement_requested", "documents_ko": "여권용 사진 1매",
        "documents_en": "One passport photo", "deadline": "2026-12-20"})
    assert moved.status == 200 and "보완요청" in await moved.text()
    with session_scope(console_engine) as session:
        application = session.scalar(select(Application).where(Application.number == APPLICATION_NUMBER))
        assert application.status == "supplement_requested"
        assert application.supplement_documents_ko == ["여권용 사진 1매"]
        audit = {(r.field, r.new_value) for r in session.scalars(
            select(AuditLog).where(AuditLog.entity_id == APPLICATION_NUMBER, AuditLog.action == "move"))}
    assert {("status", "supplement_requested"), ("supplement_deadline", "2026-12-20")} <= audit


async def test_a_clerk_of_another_agency_gets_403(make_client: MakeClient) -> None:
    client = await make_client()
    await login(client, "clerk.mois")
    assert (await client.get(f"/applications?number={APPLICATION_NUMBER}")).status == 403


async def test_a_lockout_is_lifted_and_audited(make_client: MakeClient, console_engine: Engine) -> None:
    from datetime import datetime, timedelta

    with session_scope(console_engine) as session:
        now = datetime.utcnow()
        session.add(VerificationLockout(kind="application_number", key=APPLICATION_NUMBER, locked_at=now,
                                        locked_until=now + timedelta(hours=1)))
    client = await make_client()
    await login(client, "admin1")
    token = await form_token(client, f"/applications?number={APPLICATION_NUMBER}")
    response = await client.post(f"/applications/{APPLICATION_NUMBER}/unlock", data={"csrf_token": token})
    assert response.status == 200 and "잠금 1건을 해제했습니다" in await response.text()
    with session_scope(console_engine) as session:
        assert session.scalar(select(VerificationLockout)) is None
        assert session.scalar(select(AuditLog).where(AuditLog.action == "unlock",
                                                     AuditLog.entity_id == APPLICATION_NUMBER)) is not None


async def test_the_audit_log_filters_and_exports_csv(make_client: MakeClient, console_engine: Engine) -> None:
    set_service_field(console_engine, "passport_reissue", "fee.ko", "=1+1", actor="kim")
    client = await make_client()
    await login(client, "analyst1")
    html = await (await client.get("/audit?actor=kim")).text()
    assert "fee.ko" in html and "seed" not in html
    response = await client.get("/audit.csv?actor=kim")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert rows and all(row["actor"] == "kim" for row in rows)
    assert rows[0]["new_value"] == "'=1+1" and rows[0]["source"] == "cli"  # no formula runs in a spreadsheet


async def test_yaml_export_and_an_invalid_import_that_changes_nothing(
    make_client: MakeClient, console_engine: Engine
) -> None:
    from aiohttp import FormData

    client = await make_client()
    await login(client, "reviewer1")
    exported = await client.get("/catalogue/export.yml")
    assert exported.status == 200 and "passport_reissue" in await exported.text()
    before = get_service(console_engine, "passport_reissue")
    token = await form_token(client, "/catalogue")
    form = FormData()
    form.add_field("csrf_token", token)
    form.add_field("file", b"services:\n  - id: passport_reissue\n    agency: nowhere\n", filename="x.yml")
    response = await client.post("/catalogue/import", data=form)
    html = await response.text()
    assert response.status == 422 and "unknown agency" in html
    assert get_service(console_engine, "passport_reissue").entry == before.entry
    editor = await make_client()
    await login(editor, "editor.mofa")
    assert (await editor.get("/catalogue")).status == 200
    token = await form_token(editor, "/catalogue")
    form = FormData()
    form.add_field("csrf_token", token)
    form.add_field("file", b"services: []\n", filename="x.yml")
    assert (await editor.post("/catalogue/import", data=form)).status == 403


async def test_the_language_switch_keeps_the_page(make_client: MakeClient) -> None:
    client = await make_client()
    await login(client, "analyst1")
    response = await client.get("/lang/en?next=/services")
    assert response.status == 200 and '<html lang="en">' in await response.text()
    assert "Services" in await response.text()
    off_site = await client.get("/lang/ko?next=//evil.example", allow_redirects=False)
    assert off_site.headers["Location"] == "/"


async def test_a_draft_is_kept_and_reopened_and_an_oversized_post_is_refused_readably(
    make_client: MakeClient, console_engine: Engine
) -> None:
    client = await make_client()
    await login(client, "editor.mofa")
    before = get_service(console_engine, "passport_reissue")
    response = await edit(client, console_engine, "draft", **{"fee.ko": "초안 수수료"})
    html = await response.text()
    assert response.status == 200 and "임시 저장했습니다" in html
    assert get_service(console_engine, "passport_reissue").entry == before.entry
    change_id = html.split("?change=")[1].split('"')[0]
    reopened = await client.get(f"/services/passport_reissue?change={change_id}")
    assert 'value="초안 수수료"' in await reopened.text()
    other = await make_client()
    await login(other, "editor.mois")
    assert (await other.get(f"/services/passport_reissue?change={change_id}")).status == 403

    token = await form_token(client, "/services/passport_reissue")
    huge = await client.post("/services/passport_reissue", data={"csrf_token": token, "overview.ko": "가" * 7_000_000})
    assert huge.status == 413 and "너무 큽니다" in await huge.text()
    assert get_service(console_engine, "passport_reissue").entry == before.entry


async def test_an_admin_manages_accounts_from_the_page_and_others_get_403(
    make_client: MakeClient, console_engine: Engine
) -> None:
    other = await make_client()
    await login(other, "editor.mofa")
    assert (await other.get("/users")).status == 403
    token = await form_token(other, "/services")
    assert (await other.post("/users", data={"csrf_token": token, "login": "x1", "role": "admin",
                                              "password": "some-password-1"})).status == 403

    admin = await make_client()
    await login(admin, "admin1")
    page = await admin.get("/users")
    html = await page.text()
    assert page.status == 200 and "editor.mofa" in html and "argon2" not in html
    token = csrf_of(html)
    refused = await admin.post("/users", data={"csrf_token": token, "login": "park", "role": "clerk",
                                               "agency": "", "password": "park-password-1"})
    assert refused.status == 422 and "needs --agency" in await refused.text()
    added = await admin.post("/users", data={"csrf_token": token, "login": "park", "role": "clerk",
                                             "agency": "mofa", "password": "park-password-1"})
    assert added.status == 200 and "park" in await added.text()
    parked = await make_client()
    assert (await login(parked, "park", "park-password-1")).status == 200
    assert (await parked.get("/applications")).status == 200
    disabled = await admin.post("/users/park/disable", data={"csrf_token": token})
    assert disabled.status == 200
    assert (await parked.get("/applications", allow_redirects=False)).status == 303  # the session ended
    with session_scope(console_engine) as session:
        actions = [(r.actor, r.action, r.source) for r in session.scalars(
            select(AuditLog).where(AuditLog.entity_type == "user", AuditLog.entity_id == "park"))]
    assert actions == [("admin1", "create", "console"), ("park", "login", "console"), ("admin1", "disable", "console")]
