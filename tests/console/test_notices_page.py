"""The console's notices page (issue 20): the outbox without personal data,
and a failed notice sent again by a clerk, audited; other roles get 403."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from applications.models import Application
from core.db import session_scope
from knowledge.models import AuditLog
from records.models import Notice
from records.notices import subscribe

from .conftest import APPLICATION_NUMBER, MakeClient, form_token, login

NOW = datetime(2026, 11, 20, 3, 0)


def _failed_notice(engine: Engine) -> int:
    with session_scope(engine) as session:
        application = session.execute(select(Application).where(Application.number == APPLICATION_NUMBER)).scalar_one()
        subscription = subscribe(session, application_id=application.id, channel="telegram",
                                 recipient="telegram:987654321", language="ko", now=NOW)
        session.flush()
        notice = Notice(subscription_id=subscription.id, kind="status", status="in_review", dedupe_key="test-1",
                        created_at=NOW, due_at=NOW, state="failed", attempts=5, last_error="Forbidden: bot was blocked")
        session.add(notice)
        session.flush()
        return notice.id


async def test_a_clerk_sees_the_outbox_without_personal_data_and_sends_a_failed_notice_again(
    make_client: MakeClient, console_engine: Engine
) -> None:
    notice_id = _failed_notice(console_engine)
    client = await make_client()
    await login(client, "clerk.mofa")

    page = await client.get("/notices?state=failed")
    html = await page.text()
    assert page.status == 200
    assert "알림 발송 현황" in html and "Forbidden: bot was blocked" in html
    assert APPLICATION_NUMBER not in html and "987654321" not in html

    token = await form_token(client, "/notices")
    response = await client.post(f"/notices/{notice_id}/requeue", data={"csrf_token": token})
    assert response.status == 200 and "다시 발송 대기열" in await response.text()
    with session_scope(console_engine) as session:
        assert session.get(Notice, notice_id).state == "pending"
        audit = session.execute(select(AuditLog).where(AuditLog.entity_type == "notice")).scalars().all()
        assert [(row.actor, row.action, row.entity_id) for row in audit] == [("clerk.mofa", "requeue", str(notice_id))]

    again = await client.post(f"/notices/{notice_id}/requeue", data={"csrf_token": token})
    assert "다시 보낼 수 없습니다" in await again.text()  # a pending notice is not requeued twice


async def test_the_notices_page_is_for_clerks_and_admins_only(make_client: MakeClient, console_engine: Engine) -> None:
    notice_id = _failed_notice(console_engine)
    client = await make_client()
    await login(client, "editor.mofa")
    assert (await client.get("/notices")).status == 403
    token = await form_token(client, "/services")
    assert (await client.post(f"/notices/{notice_id}/requeue", data={"csrf_token": token})).status == 403
    with session_scope(console_engine) as session:
        assert session.get(Notice, notice_id).state == "failed"
