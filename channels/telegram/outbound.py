"""Messages the assistant starts on Telegram: proactive notices (issue 20).

The notifier (:mod:`records.notifier`) calls :func:`send_notice` with a bare
python-telegram-bot ``Bot`` (:func:`channels.telegram.api.build_bot`, whose
``base_url`` may point at a local fake Bot API). Unlike the reply path in
:mod:`channels.telegram.input`, nothing is swallowed here: flood control
(``RetryAfter``), a blocked bot (``Forbidden``) and network errors reach the
caller, which decides whether to retry, wait or give up.
"""

from __future__ import annotations

from typing import Dict, Sequence

from telegram import Bot, InlineKeyboardMarkup

from channels.telegram.format import CallbackPayloads, chat_id_from_sender, inline_keyboard, split_message

# Notice buttons carry short payloads ("/unsubscribe_notices"), which fit in
# callback_data as they are, so no token has to be remembered across processes.
_PAYLOADS = CallbackPayloads(capacity=16)


async def send_notice(bot: Bot, recipient_id: str, text: str, buttons: Sequence[Dict[str, str]] = ()) -> int:
    """Send ``text`` (with ``buttons`` as an inline keyboard under its last part)
    to the chat of conversation ``recipient_id`` (``telegram:<chat id>``).

    Returns the message id of the last part. Raises ``ValueError`` for a
    recipient that is not a Telegram chat and python-telegram-bot's
    ``TelegramError`` subclasses for everything Telegram refuses.
    """
    chat_id = chat_id_from_sender(str(recipient_id))
    if chat_id is None:
        raise ValueError("the recipient is not a Telegram chat")
    keyboard = inline_keyboard(list(buttons), _PAYLOADS) if buttons else None
    markup: InlineKeyboardMarkup | None = keyboard if keyboard and keyboard.inline_keyboard else None
    parts = split_message(text) or [text]
    message_id = 0
    for index, part in enumerate(parts):
        sent = await bot.send_message(
            chat_id=chat_id, text=part, reply_markup=markup if index == len(parts) - 1 else None
        )
        message_id = int(sent.message_id)
    return message_id
