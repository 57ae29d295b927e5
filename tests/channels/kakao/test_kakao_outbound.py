"""The Event API client and the operator commands, against a fake Kakao server."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import aiohttp
import pytest

from channels.kakao.admin import check, main, sample_request, send_event
from channels.kakao.outbound import EventApiClient, EventApiError
from channels.kakao.requests import parse_skill_request
from core.settings import get_settings
from tests.channels.kakao.conftest import BOT_ID, REST_API_KEY
from tests.support.stack import PROJECT_ROOT


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as client:
        yield client


async def test_an_event_is_posted_in_kakaos_format_and_returns_the_task_id(fake_kakao, session):
    client = EventApiClient(session, REST_API_KEY, BOT_ID, fake_kakao.base_url)

    task_id = await client.send_event(
        "application_status_changed", ["kakao:botuser-1", "botuser-2", "botuser-1"], {"number": "2026-0001019"}
    )

    (received,) = fake_kakao.events
    assert task_id.startswith("task-")
    assert received.path == f"/v2/bots/{BOT_ID}/talk"
    assert received.headers["Authorization"] == f"KakaoAK {REST_API_KEY}"
    assert received.body == {
        "event": {"name": "application_status_changed", "data": {"number": "2026-0001019"}},
        "user": [{"type": "botUserKey", "id": "botuser-1"}, {"type": "botUserKey", "id": "botuser-2"}],
    }


async def test_a_refused_event_raises_with_the_status(fake_kakao, session):
    client = EventApiClient(session, "wrong-key", BOT_ID, fake_kakao.base_url)

    with pytest.raises(EventApiError) as refused:
        await client.send_event("notice", ["botuser-1"])

    assert refused.value.status == 401
    assert "wrong-key" not in str(refused.value)


async def test_a_fail_status_or_a_missing_task_id_is_a_refusal(fake_kakao, session):
    fake_kakao.event_answers = [(200, {"status": "FAIL", "message": "event block not found"}), (200, {})]
    client = EventApiClient(session, REST_API_KEY, BOT_ID, fake_kakao.base_url)

    for _ in range(2):
        with pytest.raises(EventApiError):
            await client.send_event("notice", ["botuser-1"])


async def test_an_unreachable_event_api_is_an_error(session):
    client = EventApiClient(session, REST_API_KEY, BOT_ID, "http://127.0.0.1:9")

    with pytest.raises(EventApiError) as unreachable:
        await client.send_event("notice", ["botuser-1"])

    assert unreachable.value.status == 0


async def test_calls_kakao_would_refuse_are_not_sent(fake_kakao, session):
    client = EventApiClient(session, REST_API_KEY, BOT_ID, fake_kakao.base_url)

    for event, users in (("notice", []), ("notice", [f"u{n}" for n in range(101)]), (" ", ["u1"]), ("n", [" "])):
        with pytest.raises(ValueError):
            await client.send_event(event, users)
    assert fake_kakao.events == []
    with pytest.raises(ValueError):
        EventApiClient(session, "", BOT_ID)


def test_check_shows_the_configuration_without_secrets():
    out = io.StringIO()
    settings = get_settings(
        {"KAKAO_SKILL_SECRET": "s3cret-value-that-is-long", "KAKAO_REST_API_KEY": "rest-key-value",
         "KAKAO_BOT_ID": BOT_ID, "KAKAO_ALLOWED_IPS": "10.0.0.0/8", "KAKAO_CALLBACK_BUDGET": "3"}
    )

    assert check(settings, out) == 0
    text = out.getvalue()
    assert "s3cret-value-that-is-long" not in text and "rest-key-value" not in text
    assert "10.0.0.0/8" in text and BOT_ID in text and "3 s" in text


def test_check_without_a_secret_says_what_is_missing():
    out = io.StringIO()

    assert check(get_settings({"KAKAO_SKILL_SECRET": ""}), out) == 2
    assert "503" in out.getvalue()


async def test_send_event_command_against_the_fake(fake_kakao):
    settings = get_settings(
        {"KAKAO_REST_API_KEY": REST_API_KEY, "KAKAO_BOT_ID": BOT_ID, "KAKAO_EVENT_API_URL": fake_kakao.base_url}
    )
    out = io.StringIO()

    status = await send_event(settings, "notice", ["botuser-1"], {"text": "안내"}, out)

    assert status == 0 and "task id task-" in out.getvalue()
    assert fake_kakao.events[0].body["event"] == {"name": "notice", "data": {"text": "안내"}}
    assert await send_event(get_settings({}), "notice", ["botuser-1"], {}, io.StringIO()) == 2


def test_the_sample_request_is_a_skill_request(capsys):
    assert main(["sample", "여권 발급", "--user", "me-1", "--callback-url", "https://bot-api.kakao.com/cb"]) == 0
    printed = json.loads(capsys.readouterr().out)

    assert printed["userRequest"]["utterance"] == "여권 발급"
    parsed = parse_skill_request(json.dumps(printed).encode())
    assert (parsed.user_key, parsed.callback_url) == ("me-1", "https://bot-api.kakao.com/cb")
    assert set(sample_request("x")) == {"intent", "userRequest", "bot", "action", "contexts"}


def test_the_module_runs_as_a_command():
    result = subprocess.run(
        [sys.executable, "-m", "channels.kakao.admin", "check"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT), "KAKAO_SKILL_SECRET": "x" * 20},
    )

    assert result.returncode == 0, result.stderr
    assert "KAKAO_SKILL_SECRET    : set" in result.stdout


def test_the_admin_commands_start_without_loading_rasa():
    probe = "import sys, channels.kakao.admin; print('rasa' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=60, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)})

    assert result.stdout.strip() == "False", result.stderr
