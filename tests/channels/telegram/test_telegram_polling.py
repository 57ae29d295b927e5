"""Polling mode: getUpdates with offsets, each update handed to the channel's
webhook, and a clean stop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from channels.telegram.polling import (
    Outcome,
    PollingFailed,
    RasaWebhookForwarder,
    main,
    poll,
    run,
)
from channels.telegram.updates import UNSUPPORTED_CONTENT_TEXT

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def run_until(poller, condition, timeout: float = 10.0):
    """Run ``poller(stop)`` until ``condition()`` holds, then stop it; returns its result."""
    stop = asyncio.Event()
    task = asyncio.create_task(poller(stop))
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if task.done():
            return await task
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)
    stop.set()
    return await asyncio.wait_for(task, timeout=5)


async def test_polling_fetches_updates_with_offsets_and_answers_them(
    fake_api, telegram_channel, serve_channel, recorder, updates, webhook_secret
):
    served = await serve_channel(telegram_channel, recorder)
    first, second = updates.text(6001, "여권 발급"), updates.text(6002, "passport fees", "en")
    await fake_api.queue_update(first)
    await fake_api.queue_update(second)
    third = updates.sticker(6001)

    async def poller(stop):
        async with aiohttp.ClientSession() as session:
            forwarder = RasaWebhookForwarder(session, served.url, webhook_secret)
            return await poll(telegram_channel.bot, forwarder, stop, poll_timeout=20)

    async def later():
        await fake_api.wait_for("sendMessage", 2)
        await fake_api.queue_update(third)

    feeder = asyncio.create_task(later())
    offset = await run_until(poller, lambda: len(fake_api.calls_to("sendMessage")) == 3)
    await feeder

    assert [m.text for m in recorder.messages] == ["여권 발급", "passport fees"]
    assert [m.sender_id for m in recorder.messages] == ["telegram:6001", "telegram:6002"]
    assert fake_api.sent_texts(6001) == ["echo: 여권 발급", UNSUPPORTED_CONTENT_TEXT]
    assert fake_api.sent_texts(6002) == ["echo: passport fees"]
    polls = fake_api.calls_to("getUpdates")
    assert polls[0].get("offset") is None
    assert polls[0]["timeout"] == 20
    assert polls[0]["allowed_updates"] == ["message", "edited_message", "callback_query"]
    assert polls[1]["offset"] == second["update_id"] + 1
    assert offset == third["update_id"] + 1
    # On stop the handled updates are confirmed, so a restart does not repeat them.
    assert polls[-1]["offset"] == offset and polls[-1]["timeout"] == 0


async def test_polling_keeps_an_update_while_rasa_is_unreachable(fake_api, telegram_channel, updates):
    update = updates.text(6003, "hello")
    await fake_api.queue_update(update)

    async def poller(stop):
        async with aiohttp.ClientSession() as session:
            forwarder = RasaWebhookForwarder(session, f"http://127.0.0.1:{closed_port()}", "s")
            return await poll(telegram_channel.bot, forwarder, stop, poll_timeout=1, retry_delay=0.05)

    offset = await run_until(poller, lambda: len(fake_api.calls_to("getUpdates")) >= 3)

    assert offset == 0
    assert all(call.get("offset") is None for call in fake_api.calls_to("getUpdates"))
    assert fake_api.calls_to("sendMessage") == []


async def test_polling_stops_with_a_clear_reason_when_the_secrets_differ(
    fake_api, telegram_channel, serve_channel, recorder, updates
):
    served = await serve_channel(telegram_channel, recorder)
    await fake_api.queue_update(updates.text(6004, "hello"))

    async with aiohttp.ClientSession() as session:
        forwarder = RasaWebhookForwarder(session, served.url, "not-the-secret")
        with pytest.raises(PollingFailed, match="TELEGRAM_SECRET"):
            # A bounded wait: were the secret accepted, polling would go on forever.
            await asyncio.wait_for(poll(telegram_channel.bot, forwarder, asyncio.Event(), poll_timeout=1), 10)

    assert recorder.messages == []


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (400, Outcome.SKIPPED),
        (403, Outcome.FATAL),
        (404, Outcome.FATAL),
        (503, Outcome.FATAL),
        (500, Outcome.RETRY),
    ],
)
async def test_the_forwarder_classifies_rasas_answers(status, outcome):
    from aiohttp import web

    async def answer(request):
        assert request.headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"
        return web.json_response({}, status=status)

    app = web.Application()
    app.router.add_post("/webhooks/telegram/webhook", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{runner.addresses[0][1]}"
            result = await RasaWebhookForwarder(session, url, "s3cret").forward({"update_id": 1})
    finally:
        await runner.cleanup()

    assert result.outcome is outcome


async def test_polling_refuses_to_start_while_a_webhook_is_set(fake_api, capsys):
    fake_api.webhook = {"url": "https://bot.example.kr/webhooks/telegram/webhook"}

    status = await run(fake_api.token, "s", "http://127.0.0.1:1", fake_api.base_url, 1)

    assert status == 1
    assert "delete-webhook" in capsys.readouterr().out
    assert fake_api.calls_to("getUpdates") == []


@pytest.mark.parametrize(
    ("environment", "message"),
    [({}, "TELEGRAM_TOKEN is not set"), ({"TELEGRAM_TOKEN": "1:x"}, "TELEGRAM_SECRET is not set")],
)
def test_the_command_explains_what_is_missing(monkeypatch, capsys, environment, message):
    for name in ("TELEGRAM_TOKEN", "TELEGRAM_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    assert main([]) == 2
    assert message in capsys.readouterr().out


async def test_the_polling_process_answers_and_stops_cleanly_on_ctrl_c(
    fake_api, telegram_channel, serve_channel, recorder, updates, webhook_secret
):
    served = await serve_channel(telegram_channel, recorder)
    update = updates.text(6005, "/start", "en")
    await fake_api.queue_update(update)
    env = dict(
        os.environ,
        PYTHONPATH=str(PROJECT_ROOT),
        TELEGRAM_TOKEN=fake_api.token,
        TELEGRAM_SECRET=webhook_secret,
        TELEGRAM_BASE_URL=fake_api.base_url,
        RASA_HOST="127.0.0.1",
        RASA_PORT=str(served.port),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "channels.telegram.polling",
        "--poll-timeout",
        "5",
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await fake_api.wait_for("sendMessage", 1, timeout=60)
        await fake_api.wait_for("getUpdates", 2, timeout=10)  # back in a long poll
        process.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    text = output.decode()
    assert process.returncode == 0, text
    assert "Polling stopped." in text
    assert "Traceback" not in text
    assert fake_api.token not in text  # the token is part of every Bot API URL
    assert [m.text for m in recorder.messages] == ["/greet"]
    assert recorder.messages[0].metadata == {"language_hint": "en"}
    assert fake_api.sent_texts(6005) == ["echo: /greet"]
    assert fake_api.calls_to("getUpdates")[-1]["offset"] == update["update_id"] + 1
