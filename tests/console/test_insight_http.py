"""The insight dashboard and the review inbox over HTTP (issue 17), on a seeded tracker store."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from sqlalchemy.engine import Engine

from console import roles
from console.roles import Role, Staff
from records.review import list_items
from tests.records.insight_support import fill_store

from .conftest import MakeClient, csrf_of, login


async def test_analysts_see_the_figures_charts_tables_and_grouped_questions(
    make_client: MakeClient, console_engine: Engine, tmp_path: Path
) -> None:
    await fill_store(tmp_path / "console.db", console_engine)
    client = await make_client()
    await login(client, "analyst1")

    response = await client.get("/insight")
    html = await response.text()

    assert response.status == 200
    assert re.search(r'id="fig-conversations">5<', html)
    assert re.search(r'id="fig-containment">60\.0%<', html)
    assert re.search(r'id="fig-fallback">25\.0% \(2\)<', html)
    assert re.search(r'id="fig-helpful">50\.0% \(1/2\)<', html)
    assert re.search(r'id="fig-response">3초<', html)
    assert "2026-02" in html and "2026-04" in html and 'id="table-rates"' in html
    assert 'src="/insight/chart/volume.svg?period=month"' in html
    assert "how do I renew my licence" in html and "2건" in html  # thumbs-down + fallback, one group
    assert "010-1234-5678" not in html

    march = await (await client.get("/insight?from=2026-03-01&to=2026-03-31&channel=telegram")).text()
    assert re.search(r'id="fig-conversations">1<', march)

    chart = await client.get("/insight/chart/rates.svg?from=2026-03-01&language=ko")
    assert chart.status == 200 and chart.content_type == "image/svg+xml"
    assert (await chart.text()).lstrip().startswith("<?xml")
    assert (await client.get("/insight/chart/pie.svg")).status == 404

    english = await client.get("/lang/en?next=/insight")
    assert "Containment rate" in await english.text()

    assert (await client.get("/review")).status == 403  # analysts read; they do not train


async def test_a_trainer_labels_an_item_and_downloads_the_export(
    make_client: MakeClient, console_engine: Engine, tmp_path: Path
) -> None:
    await fill_store(tmp_path / "console.db", console_engine)
    client = await make_client()
    await login(client, "reviewer1")

    page = await client.get("/review")
    html = await page.text()
    assert page.status == 200 and "how do I renew my licence" in html and "여기 뭐 하는 데예요" in html
    item = next(row for row in list_items(console_engine, source="nlu_fallback") if "licence" in row.text)
    token = csrf_of(html)

    refused = await client.post(f"/review/{item.id}", data={
        "csrf_token": token, "decision": "accepted", "intent": "ask_service_how_to_apply", "service": "passport",
    })
    assert refused.status == 422 and "아무것도 바뀌지 않았습니다" in await refused.text()  # "passport" is not in it
    assert next(row for row in list_items(console_engine, state=None) if row.id == item.id).state == "open"

    done = await client.post(f"/review/{item.id}", data={
        "csrf_token": token, "decision": "accepted", "intent": "ask_service_how_to_apply", "service": "licence",
    })
    assert done.status == 200 and "채택했습니다" in await done.text()
    low = next(row for row in list_items(console_engine) if row.text == "여기 뭐 하는 데예요")
    await client.post(f"/review/{low.id}", data={"csrf_token": token, "decision": "out_of_scope"})

    export = await client.get("/review/export.yml")
    assert export.status == 200 and "attachment" in export.headers["Content-Disposition"]
    data = yaml.safe_load(await export.text())
    assert {block["intent"] for block in data["nlu"]} == {"ask_service_how_to_apply", "out_of_scope"}
    assert "[licence](service)" in await export.text()

    no_token = await client.post(f"/review/{low.id}", data={"decision": "ignored"})
    assert no_token.status == 403


async def test_who_may_see_figures_and_train(make_client: MakeClient) -> None:
    for role, figures, train in (
        (Role.ADMIN, True, True), (Role.REVIEWER, True, True), (Role.ANALYST, True, False),
        (Role.EDITOR, False, False), (Role.CLERK, False, False), (Role.AGENT, False, False),
    ):
        staff = Staff(1, "x", role, "mofa" if role in (Role.EDITOR, Role.CLERK) else None)
        assert (roles.can_view_figures(staff), roles.can_train(staff)) == (figures, train), role
    client = await make_client()
    await login(client, "editor.mofa")
    assert (await client.get("/insight")).status == 403
    assert (await client.get("/review/export.yml")).status == 403
    anonymous = await (await make_client()).get("/insight", allow_redirects=False)
    assert anonymous.status == 303
