"""The operator commands behind ``python -m channels.telegram``."""

from __future__ import annotations

import io

import pytest

from channels.telegram.admin import run_command, webhook_url
from core.settings import get_settings


def settings_for(fake_api, **overrides):
    env = {
        "TELEGRAM_TOKEN": fake_api.token,
        "TELEGRAM_SECRET": "a-good_secret-123",
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.kr",
        "TELEGRAM_BASE_URL": fake_api.base_url,
    }
    env.update(overrides)
    return get_settings({key: value for key, value in env.items() if value is not None})


async def test_set_webhook_registers_the_url_the_secret_and_the_allowed_updates(fake_api):
    out = io.StringIO()

    status = await run_command("set-webhook", settings_for(fake_api), out=out)

    assert status == 0
    [call] = fake_api.calls_to("setWebhook")
    assert call["url"] == "https://bot.example.kr/webhooks/telegram/webhook"
    assert call["secret_token"] == "a-good_secret-123"
    assert call["allowed_updates"] == ["message", "edited_message", "callback_query"]
    assert "Webhook set: https://bot.example.kr/webhooks/telegram/webhook" in out.getvalue()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"TELEGRAM_SECRET": None}, "TELEGRAM_SECRET must be set"),
        ({"TELEGRAM_SECRET": "has spaces and ünïcode"}, "may only hold"),
        ({"TELEGRAM_WEBHOOK_URL": None}, "TELEGRAM_WEBHOOK_URL must be set"),
        ({"TELEGRAM_WEBHOOK_URL": "http://bot.example.kr"}, "https://"),
        ({"TELEGRAM_TOKEN": None}, "TELEGRAM_TOKEN is not set"),
    ],
)
async def test_set_webhook_refuses_an_incomplete_configuration_without_calling_telegram(fake_api, override, message):
    out = io.StringIO()

    status = await run_command("set-webhook", settings_for(fake_api, **override), out=out)

    assert status == 2
    assert message in out.getvalue()
    assert fake_api.calls == []


async def test_delete_webhook_and_info(fake_api):
    fake_api.webhook = {
        "url": "https://bot.example.kr/webhooks/telegram/webhook",
        "allowed_updates": ["message"],
    }
    out = io.StringIO()

    assert await run_command("info", settings_for(fake_api), out=out) == 0
    assert await run_command("delete-webhook", settings_for(fake_api), drop_pending_updates=True, out=out) == 0
    assert await run_command("info", settings_for(fake_api), out=out) == 0

    lines = out.getvalue().splitlines()
    assert "Bot: @gov_assistant_test_bot" in lines
    assert "Webhook: https://bot.example.kr/webhooks/telegram/webhook" in lines
    assert fake_api.calls_to("deleteWebhook") == [{"drop_pending_updates": True}]
    assert lines[-2].startswith("Webhook: (none")
    assert fake_api.token not in out.getvalue()


async def test_set_commands_publishes_korean_and_english_menus(fake_api):
    assert await run_command("set-commands", settings_for(fake_api), out=io.StringIO()) == 0

    english, korean = fake_api.calls_to("setMyCommands")
    assert [c["command"] for c in english["commands"]] == ["start", "help", "lang", "stop"]
    assert "language_code" not in english
    assert korean["language_code"] == "ko"
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in c["description"]) for c in korean["commands"])


async def test_a_rejected_token_is_reported_without_printing_it(fake_api):
    out = io.StringIO()
    settings = settings_for(fake_api, TELEGRAM_TOKEN="999:not-the-right-token")

    status = await run_command("info", settings, out=out)

    assert status == 1
    assert "rejected TELEGRAM_TOKEN" in out.getvalue()
    assert "not-the-right-token" not in out.getvalue()


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("https://bot.example.kr", "https://bot.example.kr/webhooks/telegram/webhook"),
        ("https://bot.example.kr/", "https://bot.example.kr/webhooks/telegram/webhook"),
        (
            "https://gw.example.kr:8443/rasa/webhooks/telegram/webhook",
            "https://gw.example.kr:8443/rasa/webhooks/telegram/webhook",
        ),
    ],
)
def test_webhook_url_adds_the_channel_path_to_a_bare_host(configured, expected):
    assert webhook_url(configured) == expected
