"""What every part of the KakaoTalk connector shares: the route, the sender ids,
and the limits of Kakao i Open Builder's skill response format (v2.0).

The limits are those of Kakao's skill documentation ("응답 타입별 JSON 포맷",
https://kakaobusiness.gitbook.io/main/tool/chatbot/skill_guide/answer_json_format,
and "AI 챗봇 콜백 개발 가이드" for the callback); docs/kakao.md lists them with
where each comes from. Kept free of Rasa imports so the admin commands start
quickly.
"""

from __future__ import annotations

from typing import Optional

#: Rasa mounts a channel's blueprint under ``/webhooks/<channel name>``.
CHANNEL_NAME = "kakao"
WEBHOOK_PATH = "/webhooks/kakao/webhook"

#: Conversation ids are ``kakao:<botUserKey>``, apart from every other channel's.
SENDER_PREFIX = "kakao:"

#: The only skill response version Open Builder accepts.
RESPONSE_VERSION = "2.0"

# --- limits of the skill response (Kakao's documentation) ---------------------
#: ``template.outputs``: 1 to 3 components.
MAX_OUTPUTS = 3
#: ``template.quickReplies``: at most 10.
MAX_QUICK_REPLIES = 10
#: ``simpleText.text``: at most 1000 characters (past 500 KakaoTalk folds the
#: rest behind "전체 보기").
MAX_SIMPLE_TEXT = 1000
#: ``textCard``: title at most 50 characters; title and description together
#: at most 400 (128 inside a carousel).
MAX_CARD_TITLE = 50
MAX_TEXT_CARD_TEXT = 400
#: ``basicCard.description``: at most 230 characters.
MAX_BASIC_CARD_DESCRIPTION = 230
#: Buttons on a card: at most 3 stacked vertically, 2 side by side.
MAX_CARD_BUTTONS = 3
MAX_HORIZONTAL_CARD_BUTTONS = 2
#: ``Button.label``: 14 characters (8 when two sit side by side).
MAX_BUTTON_LABEL = 14
MAX_HORIZONTAL_BUTTON_LABEL = 8
#: ``QuickReply.label``: Kakao's table states no length; the button label limit
#: (14) is used, as KakaoTalk shows longer labels cut off.
MAX_QUICK_REPLY_LABEL = 14
#: ``simpleImage.altText`` and ``Thumbnail.altText``: at most 50 characters.
MAX_ALT_TEXT = 50
#: ``carousel.items``: at most 10 (5 for listCard); ``listCard.items``: at most 5.
MAX_CAROUSEL_ITEMS = 10
MAX_LIST_CARD_ITEMS = 5

#: A skill must answer within 5 seconds; a callback URL is valid once, for 1 minute.
SKILL_TIMEOUT_SECONDS = 5.0
CALLBACK_VALID_SECONDS = 60.0

#: The Event API accepts at most 100 users per request.
MAX_EVENT_USERS = 100


def sender_id_for_user(bot_user_key: str) -> str:
    """The Rasa conversation id for a KakaoTalk user of this bot."""
    return f"{SENDER_PREFIX}{bot_user_key}"


def user_key_from_sender(sender_id: str) -> Optional[str]:
    """The ``botUserKey`` of a conversation id made by :func:`sender_id_for_user`, else ``None``."""
    if sender_id.startswith(SENDER_PREFIX) and len(sender_id) > len(SENDER_PREFIX):
        return sender_id[len(SENDER_PREFIX) :]
    return None
