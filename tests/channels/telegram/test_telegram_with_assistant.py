"""The Telegram channel in front of the real assistant: the project's trained
model (``rasa_agent`` from tests/conftest.py, with a running action server),
with only the Bot API faked.

The expected replies are read from the trained model's own domain, so these
tests check that the right response, in the right language, reaches the chat.
"""

from __future__ import annotations

import random

from rasa.core.run import configure_app

from channels.telegram.updates import UNSUPPORTED_CONTENT_TEXT


def domain_texts(agent, response: str, language: str):
    """The texts of ``response`` for ``language`` in the trained domain."""
    variations = agent.domain.responses[response]
    return {
        variation["text"]
        for variation in variations
        if any(condition.get("value") == language for condition in variation.get("condition") or [])
    }


def has_hangul(text: str) -> bool:
    return any("\uac00" <= char <= "\ud7a3" for char in text)


def new_chat_id() -> int:
    # The agent is shared by the whole test session: every test talks in a fresh chat.
    return random.randint(10**8, 10**9)


async def test_korean_and_english_messages_get_the_assistants_reply_by_send_message(
    rasa_agent, fake_api, telegram_channel, serve_channel, updates
):
    served = await serve_channel(telegram_channel, rasa_agent.handle_message)
    korean_chat, english_chat = new_chat_id(), new_chat_id()

    assert (await served.post_update(updates.text(korean_chat, "안녕하세요", "ko")))[0] == 200
    assert (await served.post_update(updates.text(english_chat, "Hello there", "en")))[0] == 200

    korean_replies, english_replies = fake_api.sent_texts(korean_chat), fake_api.sent_texts(english_chat)
    assert domain_texts(rasa_agent, "utter_greet", "ko") & set(korean_replies), korean_replies
    assert domain_texts(rasa_agent, "utter_greet", "en") & set(english_replies), english_replies
    assert all(has_hangul(text) for text in korean_replies)
    assert not any(has_hangul(text) for text in english_replies)
    tracker = await rasa_agent.tracker_store.retrieve(f"telegram:{korean_chat}")
    assert tracker.get_latest_input_channel() == "telegram"
    assert tracker.get_slot("language") == "ko"


async def test_start_uses_the_language_code_and_a_button_tap_switches_the_language(
    rasa_agent, fake_api, telegram_channel, serve_channel, updates
):
    served = await serve_channel(telegram_channel, rasa_agent.handle_message)
    korean_chat, chat = new_chat_id(), new_chat_id()

    # "/start" has no words to detect a language from: the client's language_code decides.
    await served.post_update(updates.text(korean_chat, "/start", "ko"))
    await served.post_update(updates.text(chat, "/start", "en"))
    assert domain_texts(rasa_agent, "utter_greet", "ko") & set(fake_api.sent_texts(korean_chat))
    assert domain_texts(rasa_agent, "utter_greet", "en") & set(fake_api.sent_texts(chat))

    await served.post_update(updates.text(chat, "/lang", "en"))
    with_keyboard = [m for m in fake_api.results_of("sendMessage") if m["chat"]["id"] == chat and "reply_markup" in m]
    buttons = [row[0] for row in with_keyboard[-1]["reply_markup"]["inline_keyboard"]]
    korean = next(button for button in buttons if button["text"] == "한국어")
    assert korean["callback_data"] == '/set_language{"language": "ko"}'

    status, _ = await served.post_update(updates.callback(with_keyboard[-1], korean["callback_data"], "en"))

    assert status == 200
    assert fake_api.calls_to("answerCallbackQuery")
    assert fake_api.sent_texts(chat)[-1] in domain_texts(rasa_agent, "utter_language_changed", "ko")
    tracker = await rasa_agent.tracker_store.retrieve(f"telegram:{chat}")
    assert tracker.get_slot("language") == "ko"


async def test_a_wrong_secret_changes_no_tracker(rasa_agent, fake_api, telegram_channel, serve_channel, updates):
    served = await serve_channel(telegram_channel, rasa_agent.handle_message)
    known, unknown = new_chat_id(), new_chat_id()
    await served.post_update(updates.text(known, "안녕하세요"))
    events_before = len((await rasa_agent.tracker_store.retrieve(f"telegram:{known}")).events)
    sent_before = len(fake_api.calls_to("sendMessage"))

    for chat in (known, unknown):
        status, _ = await served.post_update(updates.text(chat, "여권 발급 알려 주세요"), secret="guess")
        assert status == 403

    assert len((await rasa_agent.tracker_store.retrieve(f"telegram:{known}")).events) == events_before
    assert await rasa_agent.tracker_store.retrieve(f"telegram:{unknown}") is None
    assert len(fake_api.calls_to("sendMessage")) == sent_before


async def test_a_sticker_gets_the_polite_reply_without_touching_the_conversation(
    rasa_agent, fake_api, telegram_channel, serve_channel, updates
):
    served = await serve_channel(telegram_channel, rasa_agent.handle_message)
    chat = new_chat_id()

    await served.post_update(updates.sticker(chat))

    assert fake_api.sent_texts(chat) == [UNSUPPORTED_CONTENT_TEXT]
    assert await rasa_agent.tracker_store.retrieve(f"telegram:{chat}") is None


async def test_trigger_intent_reaches_the_telegram_chat(rasa_agent, fake_api, telegram_channel, serve_app, updates):
    app = configure_app(input_channels=[telegram_channel], enable_api=True)
    app.ctx.agent = rasa_agent
    served = await serve_app(app)
    chat = new_chat_id()
    await served.post_update(updates.text(chat, "Hello", "en"))
    greeting = domain_texts(rasa_agent, "utter_greet", "en")
    sent_before = len(fake_api.sent_texts(chat))

    for output_channel in ("latest", "telegram"):
        url = f"{served.url}/conversations/telegram:{chat}/trigger_intent?output_channel={output_channel}"
        async with served.session.post(url, json={"name": "greet"}) as reply:
            assert reply.status == 200, await reply.text()

    notifications = fake_api.sent_texts(chat)[sent_before:]
    assert sum(text in greeting for text in notifications) == 2, notifications
