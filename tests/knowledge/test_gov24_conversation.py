"""After a national-format import, the running bot answers about an imported service in Korean.

Runs the trained model in-process with the real action server (as the
conversation tests do) on the shared test database; the services this test
imports are removed again at the end.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import delete, inspect, text

from core.db import get_engine, session_scope
from knowledge.gov24_import import import_gov24
from knowledge.gov24_mapping import KOREAN_ONLY_NOTE_EN
from knowledge.importer import bump_version
from knowledge.models import Agency, Service
from tests.knowledge.conftest import FIXTURES
from tests.support.conversation import say, texts

pytestmark = pytest.mark.stack


@pytest.fixture
def imported(action_server: str, tmp_path: Path) -> Iterator[str]:
    """The fixture's new services imported into the action server's database, removed afterwards."""
    engine = get_engine(os.environ["DATABASE_URL"])
    pages = []
    for name in ("serviceList.json", "serviceDetail.json"):
        page = json.loads((FIXTURES / "gov24" / name).read_text(encoding="utf-8"))
        # Only services the catalogue does not have, so removing them restores it.
        page["data"] = [item for item in page["data"] if item["서비스ID"] != "SD0000004532"]
        path = tmp_path / name
        path.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
        pages.append(path)
    report = import_gov24(engine, pages, actor="test")
    try:
        yield report.created[0]
    finally:
        with session_scope(engine) as session:
            quick = {"synchronize_session": False}
            session.execute(delete(Service).where(Service.id.in_(report.created)).execution_options(**quick))
            session.execute(delete(Agency).where(Agency.id.like("gov24_org_%")).execution_options(**quick))
            # The services' saved versions too (kept after a delete), so the next import starts afresh.
            if inspect(session.connection()).has_table("catalogue_service_version"):
                session.execute(
                    text("DELETE FROM catalogue_service_version WHERE service_id LIKE 'gov24\\_%' ESCAPE '\\'")
                )
            bump_version(session)


async def test_documents_and_contact_of_an_imported_service_in_korean(rasa_agent, imported: str) -> None:
    sender = f"test-{uuid.uuid4().hex[:12]}"
    documents = texts(await say(rasa_agent, sender, "다자녀가정 양육수당 추가지원 신청할 때 서류 뭐가 필요해요?"))
    assert "양육수당 신청서" in documents and "신분증 (본인 확인 필요)" in documents
    fee = texts(await say(rasa_agent, sender, "수수료는 얼마예요?"))
    assert "수수료" in fee and "보건복지상담센터 129" in fee
    where = texts(await say(rasa_agent, sender, "어디로 문의하면 돼요?"))
    assert "129" in where


async def test_in_english_the_bot_says_the_details_are_in_korean(rasa_agent, imported: str) -> None:
    sender = f"test-{uuid.uuid4().hex[:12]}"
    await say(rasa_agent, sender, "switch to English")
    reply = texts(await say(rasa_agent, sender, "다자녀가정 양육수당 추가지원 documents please"))
    assert "양육수당 신청서" in reply
    assert KOREAN_ONLY_NOTE_EN in reply
