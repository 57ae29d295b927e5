"""Messages the assistant starts: Rasa's ``trigger_intent`` picks this channel's
output channel and the message reaches the chat through sendMessage."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rasa.server import _get_output_channel
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.telegram import TelegramOutput


def api_request(output_channel: str, channels):
    """What Rasa's HTTP API handler looks at: the query and the registered channels."""
    return SimpleNamespace(
        args={"output_channel": output_channel},
        app=SimpleNamespace(ctx=SimpleNamespace(input_channels=channels)),
    )


@pytest.mark.parametrize("requested", ["telegram", "latest"])
async def test_rasa_chooses_the_telegram_output_channel_and_it_delivers(fake_api, telegram_channel, requested):
    tracker = DialogueStateTracker.from_events("telegram:7001", [UserUttered("여권", input_channel="telegram")])

    output = _get_output_channel(api_request(requested, [telegram_channel]), tracker)
    await output.send_response("telegram:7001", {"text": "신청하신 민원이 처리되었어요."})

    assert isinstance(output, TelegramOutput)
    assert fake_api.sent_texts(7001) == ["신청하신 민원이 처리되었어요."]


async def test_a_notification_with_buttons_and_an_image(fake_api, telegram_channel):
    output = telegram_channel.get_output_channel()

    await output.send_response(
        "telegram:7002",
        {
            "text": "처리 결과를 확인해 보세요.",
            "buttons": [{"title": "상태 확인", "payload": "/check_application_status"}],
            "image": "https://www.gov.kr/images/notice.png",
        },
    )

    [message] = fake_api.calls_to("sendMessage")
    assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/check_application_status"
    assert fake_api.calls_to("sendPhoto")[0]["photo"] == "https://www.gov.kr/images/notice.png"


async def test_buttons_without_text_still_get_a_bilingual_prompt(fake_api, telegram_channel):
    await telegram_channel.get_output_channel().send_text_with_buttons(
        "telegram:7003", "", [{"title": "도움말", "payload": "/help"}]
    )

    [message] = fake_api.calls_to("sendMessage")
    assert message["text"] == "아래에서 골라 주세요.\nPlease choose below."


async def test_a_conversation_that_is_not_a_telegram_chat_gets_nothing(fake_api, telegram_channel):
    await telegram_channel.get_output_channel().send_text_message("web-session-1", "hello")

    assert fake_api.calls == []


async def test_an_image_telegram_cannot_fetch_is_sent_as_its_address(fake_api, telegram_channel):
    fake_api.failures["sendPhoto"] = [(400, "Bad Request: wrong file identifier/HTTP URL specified", None)]

    await telegram_channel.get_output_channel().send_image_url("telegram:7004", "https://example.invalid/x.png")

    assert fake_api.sent_texts(7004) == ["https://example.invalid/x.png"]


async def test_rasa_run_loads_the_channel_from_credentials_and_starts_without_a_token(tmp_path, monkeypatch, serve_app):
    from rasa.core.run import configure_app, create_http_input_channels

    for name in ("TELEGRAM_TOKEN", "TELEGRAM_SECRET"):
        monkeypatch.delenv(name, raising=False)
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("channels.rest.PrivacyRestInput:\nchannels.telegram.TelegramInput:\n")

    channels = create_http_input_channels(None, str(credentials))
    served = await serve_app(configure_app(input_channels=channels, enable_api=False))

    assert sorted(channel.name() for channel in channels) == ["rest", "telegram"]
    status, payload = await served.post_update({"update_id": 1}, secret="anything")
    assert status == 503
    assert payload == {"error": "The Telegram channel is not configured: TELEGRAM_TOKEN is not set."}
