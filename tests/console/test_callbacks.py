"""Call-back requests on the agent desk (issue 18, item 1) through the
console's HTTP interface: only agents and admins, their agency and the
general pool, the number opened only for them, done once and audited, both
languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine

from applications.hashing import load_pepper
from console.accounts import add_user
from core.db import session_scope
from knowledge.models import AuditLog
from records.callbacks import create_request, open_requests
from tests.console.conftest import PASSWORD, MakeClient, console_settings, csrf_of, login


@pytest.fixture
def seeded(console_engine: Engine, tmp_path: Path) -> dict:
    add_user(console_engine, "agent.mofa", "agent", PASSWORD, "mofa")
    add_user(console_engine, "agent.mois", "agent", PASSWORD, "mois")
    pepper = load_pepper(console_settings(tmp_path))
    ids = {}
    for key, phone, agency in (("mofa", "010-1234-5678", "mofa"), ("pool", "02-120-0000", None),
                               ("mois", "010-9999-8888", "mois")):
        ids[key] = create_request(console_engine, phone=phone, message=f"{key} 여권 문의", language="ko",
                                  channel="web", agency_id=agency, reason="out_of_hours", consent=True,
                                  secret=pepper)
    return ids


async def signed_in(make_client: MakeClient, name: str) -> TestClient:
    client = await make_client()
    await login(client, name)
    return client


async def test_agents_see_their_agency_and_the_pool_with_the_number(make_client: MakeClient, seeded: dict) -> None:
    agent = await signed_in(make_client, "agent.mofa")
    page = await agent.get("/agents/callbacks")
    html = await page.text()
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    assert "010-1234-5678" in html and "02-120-0000" in html
    assert "010-9999-8888" not in html
    assert "전화 상담 예약" in html and "상담 시간 외" in html
    await agent.get("/lang/en")
    html = await (await agent.get("/agents/callbacks")).text()
    assert "Call-back requests" in html and "Out of hours" in html


async def test_other_roles_are_refused(make_client: MakeClient, seeded: dict) -> None:
    clerk = await signed_in(make_client, "clerk.mofa")
    assert (await clerk.get("/agents/callbacks")).status == 403
    admin = await signed_in(make_client, "admin1")
    html = await (await admin.get("/agents/callbacks")).text()
    assert "010-9999-8888" in html and "010-1234-5678" in html


async def test_done_is_audited_and_only_for_the_agents_own_requests(
        make_client: MakeClient, seeded: dict, console_engine: Engine, tmp_path: Path) -> None:
    agent = await signed_in(make_client, "agent.mofa")

    async def done(request_id: int) -> Any:
        token = csrf_of(await (await agent.get("/agents/callbacks")).text())
        return await agent.post(f"/agents/callbacks/{request_id}/done", data={"csrf_token": token},
                                allow_redirects=False)

    response = await done(seeded["mois"])
    assert response.status == 303 and "msg=not_done" in response.headers["Location"]
    response = await done(seeded["mofa"])
    assert response.status == 303 and "msg=done" in response.headers["Location"]
    assert "msg=not_done" in (await done(seeded["mofa"])).headers["Location"]
    pepper = load_pepper(console_settings(tmp_path))
    assert [v.id for v in open_requests(console_engine, "mofa", secret=pepper)] == [seeded["pool"]]
    with session_scope(console_engine) as session:
        rows = session.execute(select(AuditLog).where(AuditLog.entity_type == "callback")).scalars().all()
        assert [(r.actor, r.action, r.entity_id) for r in rows] == [("agent.mofa", "callback_done", str(seeded["mofa"]))]
    html = await (await agent.get("/agents/callbacks")).text()
    assert "010-1234-5678" not in html
