"""The bot steps aside for a live agent (issue 18) on the real assistant: Rasa
and the action server as processes with the project's model. While the agent
holds the chat the assistant answers nothing, also after Rasa restarts (the
pause is in the tracker store); the agent sees the citizen's messages; when the
agent ends the chat the assistant answers again."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar

import aiohttp

from console.agent_chat import CitizenDelivery, LiveDesk, RasaControl
from core.db import create_project_engine, create_schema
from core.settings import get_settings
from records.live_agents import get_chat, join_queue
from tests.support.conversation import post_rest
from tests.support.stack import Stack, start_stack

T = TypeVar("T")


def with_desk(stack: Stack, work: Callable[[LiveDesk], Awaitable[T]]) -> T:
    """Run ``work`` with a desk wired to the running stack, as the console wires it."""

    async def run() -> T:
        engine = create_schema(create_project_engine(stack.database_url))
        async with aiohttp.ClientSession() as session:
            settings = get_settings(stack.env)
            desk = LiveDesk(engine, RasaControl(session, stack.rasa_url, stack.rasa_token),
                            CitizenDelivery(settings, session))
            try:
                return await work(desk)
            finally:
                engine.dispose()

    return asyncio.run(run())


def say(stack: Stack, citizen: str, text: str) -> Any:
    status, reply = post_rest(stack.rasa_url, citizen, text)
    assert status == 200, reply
    return reply


def test_the_assistant_is_silent_while_an_agent_holds_the_chat_even_across_a_restart(tmp_path: Path) -> None:
    citizen = "web-" + uuid.uuid4().hex[:22]
    token = uuid.uuid4().hex
    with start_stack(tmp_path / "stack", token=token) as stack:
        assert say(stack, citizen, "안녕하세요"), "the assistant should answer before the takeover"
        engine = create_schema(create_project_engine(stack.database_url))
        chat_id = join_queue(engine, sender_id=citizen, language="ko", reason="requested", agency_id=None).chat_id
        engine.dispose()

        async def take(desk: LiveDesk) -> bool:
            result = await desk.take(chat_id, 1, "agent1", None)
            return result.taken and result.paused and await desk.rasa.is_paused(citizen)

        assert with_desk(stack, take)
        assert say(stack, citizen, "여권 재발급 수수료가 얼마예요?") == []
    with start_stack(tmp_path / "stack", token=token, seed=False) as stack:
        assert say(stack, citizen, "상담사님 계세요?") == [], "the takeover was lost in the restart"

        async def read_and_end(desk: LiveDesk) -> list:
            chat = await asyncio.to_thread(get_chat, desk.engine, chat_id)
            lines = await desk.timeline(chat)
            await desk.send(chat, "agent1", "네, 상담사입니다. 수수료는 확인해 드릴게요.")
            assert await desk.end(chat, 1)
            assert not await desk.rasa.is_paused(citizen)
            return lines

        lines = with_desk(stack, read_and_end)
        citizen_lines = [line["text"] for line in lines if line["who"] == "citizen"]
        assert citizen_lines == ["여권 재발급 수수료가 얼마예요?", "상담사님 계세요?"]
        reply = say(stack, citizen, "안녕하세요")
        assert reply and any(message.get("text") for message in reply), "the assistant did not come back"
