"""The chat page's live-agent stream (channels/web/live.py, issue 18): a browser
conversation receives the chat's state and the agent's messages as server-sent
events, notices keep their buttons, and a reconnect with Last-Event-ID misses
nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Dict, List, Tuple

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy.engine import Engine

from channels.web import live
from channels.web.keys import OPTIONS
from channels.web.options import GatewayOptions
from core.db import create_project_engine, create_schema
from core.settings import get_settings
from records import live_agents
from records.live_agents import NO_CHAT, add_message, cancel_waiting, chat_marks, join_queue, take_chat

CONVERSATION = "A" * 22
SENDER = "web-" + CONVERSATION


def make_app(engine: Engine, tmp_path: Path) -> web.Application:
    app = web.Application()
    app[OPTIONS] = GatewayOptions.from_settings(get_settings({"ASSISTANT_VAR_DIR": str(tmp_path)}))
    live.setup(app, lambda: engine)
    return app


async def read_events(response: Any, count: int, timeout: float = 10.0) -> List[Tuple[str, Dict[str, Any], str]]:
    """The next ``count`` events of a stream as (name, data, id)."""
    events: List[Tuple[str, Dict[str, Any], str]] = []
    name, data, event_id = "", "", ""

    async def collect() -> None:
        nonlocal name, data, event_id
        while len(events) < count:
            line = (await response.content.readline()).decode("utf-8").rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line.startswith("id: "):
                event_id = line[4:]
            elif line == "" and name:
                events.append((name, json.loads(data), event_id))
                name, data, event_id = "", "", ""

    await asyncio.wait_for(collect(), timeout)
    return events


async def test_the_page_hears_the_state_and_the_agents_messages(aiohttp_client: Any, tmp_path: Path) -> None:
    engine = create_schema(create_project_engine(f"sqlite:///{tmp_path}/live.db"))
    client: TestClient = await aiohttp_client(make_app(engine, tmp_path))
    assert (await client.get("/api/live/events")).status == 404  # no conversation cookie
    client.session.cookie_jar.update_cookies({"chat_session": CONVERSATION})
    response = await client.get("/api/live/events")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    assert await read_events(response, 1) == [("state", {"state": "none"}, "")]
    chat_id = join_queue(engine, sender_id=SENDER, language="en", reason="requested", agency_id=None).chat_id
    assert await read_events(response, 1) == [("state", {"state": "waiting"}, "")]
    assert take_chat(engine, chat_id, 1, "agent1", None)
    add_message(engine, chat_id, "system", "A counsellor has joined the chat.", "utter_live_agent_joined")
    add_message(engine, chat_id, "citizen", "hello")  # the citizen's own words are not sent back
    agent = add_message(engine, chat_id, "agent", "How can I help? 900101-1234567", "agent1")
    events = await read_events(response, 3)
    assert events[0] == ("state", {"state": "active"}, "")
    assert [e[1]["text"] for e in events[1:]] == ["A counsellor has joined the chat.", agent.text]
    assert "1234567" not in events[2][1]["text"] and events[2][1]["agent"] is True
    assert events[2][2] == str(agent.id)
    response.close()
    # The feedback question keeps its buttons; a reconnect resumes after the last id seen.
    add_message(engine, chat_id, "system", "Did the counsellor help you?", "utter_live_agent_ask_feedback")
    again = await client.get("/api/live/events", headers={"Last-Event-ID": str(agent.id)})
    events = await read_events(again, 2)
    assert events[0][0] == "state" and events[1][0] == "message"
    assert [b["payload"] for b in events[1][1]["buttons"]] == ['/feedback{"helpful": "yes"}',
                                                               '/feedback{"helpful": "no"}']
    again.close()


async def test_shutting_down_ends_open_streams_at_once(tmp_path: Path) -> None:
    import time

    import aiohttp

    from tests.channels.web.webfakes import serve

    engine = create_schema(create_project_engine(f"sqlite:///{tmp_path}/live.db"))
    async with aiohttp.ClientSession(cookies={"chat_session": CONVERSATION}) as session:
        server = serve(make_app(engine, tmp_path))
        url = await server.__aenter__()
        response = await session.get(f"{url}/api/live/events")
        assert await read_events(response, 1) == [("state", {"state": "none"}, "")]
        started = time.monotonic()
        await server.__aexit__(None, None, None)
        assert time.monotonic() - started < 5, "shutdown waited for the open stream"
        response.close()


def test_chat_marks_give_each_conversation_its_latest_chat(tmp_path: Path, monkeypatch: Any) -> None:
    engine = create_schema(create_project_engine(f"sqlite:///{tmp_path}/live.db"))
    join_queue(engine, sender_id="web-a", language="ko", reason="requested", agency_id=None)
    assert cancel_waiting(engine, "web-a") is not None
    second = join_queue(engine, sender_id="web-a", language="ko", reason="requested", agency_id=None).chat_id
    assert take_chat(engine, second, 1, "agent1", None)
    said = add_message(engine, second, "agent", "안녕하세요", "agent1")
    other = join_queue(engine, sender_id="web-b", language="en", reason="requested", agency_id=None).chat_id
    monkeypatch.setattr(live_agents, "_MARK_BATCH", 2)  # three conversations: two batches

    marks = chat_marks(engine, ["web-a", "web-b", "web-c", "web-a"])

    assert marks == {"web-a": (second, "active", said.id), "web-b": (other, "waiting", 0), "web-c": NO_CHAT}


async def test_open_pages_share_one_read_and_only_a_changed_conversation_reads_more(
    aiohttp_client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(live, "POLL_SECONDS", 0.05)
    reads: Dict[str, int] = {}
    original_poll = live._poll

    def counting_poll(engine: Engine, sender: str, after: Any) -> Any:
        reads[sender] = reads.get(sender, 0) + 1
        return original_poll(engine, sender, after)

    monkeypatch.setattr(live, "_poll", counting_poll)
    engine = create_schema(create_project_engine(f"sqlite:///{tmp_path}/live.db"))
    app = make_app(engine, tmp_path)
    client: TestClient = await aiohttp_client(app)
    pages = [chr(ord("A") + n) * 22 for n in range(12)]
    streams = [await client.get("/api/live/events", cookies={"chat_session": page}) for page in pages]
    for stream in streams:
        assert await read_events(stream, 1) == [("state", {"state": "none"}, "")]
    hub = app[live.LIVE_HUB]
    rounds = hub.reads

    async def hub_rounds(count: int) -> None:
        while hub.reads < rounds + count:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(hub_rounds(5), 10)
    # Twelve open pages: each read its conversation once when it opened; since
    # then only the hub has read, one query a round for all of them.
    assert reads == {"web-" + page: 1 for page in pages}

    changed = "web-" + pages[3]
    join_queue(engine, sender_id=changed, language="ko", reason="requested", agency_id=None)
    assert await read_events(streams[3], 1) == [("state", {"state": "waiting"}, "")]
    await asyncio.wait_for(hub_rounds(8), 10)
    assert reads[changed] == 2
    assert all(count == 1 for sender, count in reads.items() if sender != changed)
    for stream in streams:
        stream.close()


async def test_a_timed_out_queue_reaches_the_page_with_the_call_back_button(aiohttp_client: Any, tmp_path: Path) -> None:
    engine = create_schema(create_project_engine(f"sqlite:///{tmp_path}/live.db"))
    client: TestClient = await aiohttp_client(make_app(engine, tmp_path))
    client.session.cookie_jar.update_cookies({"chat_session": CONVERSATION})
    chat_id = join_queue(engine, sender_id=SENDER, language="ko", reason="requested", agency_id=None).chat_id
    response = await client.get("/api/live/events")
    assert await read_events(response, 1) == [("state", {"state": "waiting"}, "")]
    add_message(engine, chat_id, "system", "기다리시게 해서 죄송해요.", live_agents.TIMED_OUT_NOTICE)
    events = await read_events(response, 1)
    assert events[0][0] == "message"
    assert [b["payload"] for b in events[0][1]["buttons"]] == ['/request_callback{"callback_reason":"timed_out"}']
    response.close()
