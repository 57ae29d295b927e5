"""KakaoTalk delivery of the live-agent desk (issue 18, item 4): an agent's
messages to a ``kakao:`` conversation reach the citizen through the fake
Kakao Event API in the documented format (the ``notice`` event block with the
text as ``event.data.text``, the botUserKey as the user, the REST API key as
``KakaoAK``), and the end of the chat asks for feedback there too."""

from __future__ import annotations

from typing import Any, AsyncIterator, List

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.engine import Engine

from console.accounts import add_user
from records.live_agents import get_chat, join_queue
from tests.channels.kakao.conftest import BOT_ID, REST_API_KEY, FakeKakao
from tests.console.agent_support import RASA_TOKEN, FakeRasaApi
from tests.console.conftest import PASSWORD, MakeClient, csrf_of, login

USER_KEY = "bu0123456789abcdef0123"
KAKAO_SENDER = f"kakao:{USER_KEY}"


@pytest.fixture
async def kakao() -> AsyncIterator[FakeKakao]:
    fake = FakeKakao()
    await fake.start()
    yield fake
    await fake.close()


async def post(client: TestClient, path: str, page: str, data: Any = None, **kwargs: Any) -> Any:
    token = csrf_of(await (await client.get(page)).text())
    return await client.post(path, data={"csrf_token": token, **(data or {})}, allow_redirects=False, **kwargs)


def spoken(kakao: FakeKakao) -> List[str]:
    return [event.body["event"]["data"]["text"] for event in kakao.events]


async def test_agent_messages_and_the_feedback_question_go_through_the_event_api(
        make_client: MakeClient, console_engine: Engine, rasa_api: FakeRasaApi, kakao: FakeKakao) -> None:
    add_user(console_engine, "agent1", "agent", PASSWORD)
    agent = await make_client(RASA_HOST="127.0.0.1", RASA_PORT=str(rasa_api.port), RASA_TOKEN=RASA_TOKEN,
                              KAKAO_REST_API_KEY=REST_API_KEY, KAKAO_BOT_ID=BOT_ID,
                              KAKAO_EVENT_API_URL=kakao.base_url)
    await login(agent, "agent1")
    assert (await post(agent, "/agents/duty", "/agents", {"on": "1"})).status == 303
    chat_id = join_queue(console_engine, sender_id=KAKAO_SENDER, language="ko", reason="requested",
                         agency_id=None, transcript=[{"who": "user", "text": "상담원 연결"}]).chat_id
    assert get_chat(console_engine, chat_id).channel == "kakao"

    taken = await post(agent, f"/agents/chats/{chat_id}/take", "/agents")
    assert taken.status == 303 and taken.headers["Location"] == f"/agents/chats/{chat_id}"
    assert rasa_api.paused(KAKAO_SENDER)
    assert any("상담사가 대화에 참여했어요" in text for text in spoken(kakao))

    page = f"/agents/chats/{chat_id}"
    sent = await post(agent, f"{page}/send", page, {"text": "안녕하세요, 상담사입니다."},
                      headers={"Accept": "application/json"})
    assert sent.status == 200 and (await sent.json())["delivered"] is True
    event = kakao.events[-1]
    assert event.path == f"/v2/bots/{BOT_ID}/talk"
    assert event.headers["Authorization"] == f"KakaoAK {REST_API_KEY}"
    assert event.body["event"]["name"] == "notice"
    assert event.body["event"]["data"]["text"] == "안녕하세요, 상담사입니다."
    assert event.body["event"]["data"]["notice_id"].isdigit()
    assert event.body["user"] == [{"type": "botUserKey", "id": USER_KEY}]

    ended = await post(agent, f"{page}/end", page)
    assert ended.status == 303 and not rasa_api.paused(KAKAO_SENDER)
    assert spoken(kakao)[-2:] == ["상담사와의 대화가 끝났어요. 다시 안내 도우미가 도와드릴게요.",
                                  "상담이 도움이 되셨나요?"]
    assert all(e.body["user"] == [{"type": "botUserKey", "id": USER_KEY}] for e in kakao.events)
    chat = get_chat(console_engine, chat_id)
    assert (chat.state, chat.outcome) == ("ended", "resolved")


async def test_a_refused_event_is_reported_to_the_agent_not_raised(
        make_client: MakeClient, console_engine: Engine, rasa_api: FakeRasaApi, kakao: FakeKakao) -> None:
    add_user(console_engine, "agent1", "agent", PASSWORD)
    agent = await make_client(RASA_HOST="127.0.0.1", RASA_PORT=str(rasa_api.port), RASA_TOKEN=RASA_TOKEN,
                              KAKAO_REST_API_KEY=REST_API_KEY, KAKAO_BOT_ID=BOT_ID,
                              KAKAO_EVENT_API_URL=kakao.base_url)
    await login(agent, "agent1")
    await post(agent, "/agents/duty", "/agents", {"on": "1"})
    chat_id = join_queue(console_engine, sender_id=KAKAO_SENDER, language="en", reason="requested",
                         agency_id=None).chat_id
    await post(agent, f"/agents/chats/{chat_id}/take", "/agents")
    kakao.event_answers.append((400, {"status": "FAIL", "message": "user not found"}))
    page = f"/agents/chats/{chat_id}"
    sent = await post(agent, f"{page}/send", page, {"text": "Hello"}, headers={"Accept": "application/json"})
    assert sent.status == 200 and (await sent.json())["delivered"] is False
