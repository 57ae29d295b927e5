"""A running stack with every public edge open: Rasa's REST channel, the web
gateway, the Telegram webhook (replies to a light fake Bot API) and the
KakaoTalk skill webhook, all on loopback ports.

Used by the fuzz campaign and by the at-rest identifier test.
"""

from __future__ import annotations

from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Dict

from tests.support.light_bot_api import LightBotApi
from tests.support.stack import Stack, start_stack

TELEGRAM_TOKEN = "424242:edges-token_for-the-fake-bot-api"  # noqa: S105 - a fake API's token
TELEGRAM_SECRET = "edges-secret_0123456789abcdef"  # noqa: S105 - a test webhook secret
KAKAO_SKILL_SECRET = "edges-kakao-skill-secret-0123456789"  # noqa: S105 - a test skill secret


@dataclass
class Edges:
    """Where each public edge of the running stack listens."""

    stack: Stack
    gateway_url: str
    bot_api: LightBotApi

    @property
    def rest_url(self) -> str:
        return f"{self.stack.rasa_url}/webhooks/rest/webhook"

    @property
    def telegram_url(self) -> str:
        return f"{self.stack.rasa_url}/webhooks/telegram/webhook"

    @property
    def kakao_url(self) -> str:
        return f"{self.stack.rasa_url}/webhooks/kakao/webhook"

    @property
    def telegram_headers(self) -> Dict[str, str]:
        return {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}

    @property
    def kakao_headers(self) -> Dict[str, str]:
        return {"Content-Type": "application/json", "X-Skill-Secret": KAKAO_SKILL_SECRET}


@asynccontextmanager
async def public_edges(workdir: Path, unlimited_gateway: bool = True) -> AsyncIterator[Edges]:
    """Start the stack with Telegram and KakaoTalk configured and serve a web
    gateway in front of it; with ``unlimited_gateway`` its per-client rate limits
    are lifted (a test sends everything from one address)."""
    from channels.web.app import create_app
    from channels.web.options import GatewayOptions
    from core.settings import get_settings
    from tests.channels.web.webfakes import serve

    bot_api = LightBotApi()
    await bot_api.start()
    env = {
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_SECRET": TELEGRAM_SECRET, "TELEGRAM_BASE_URL": bot_api.base_url,
        "KAKAO_SKILL_SECRET": KAKAO_SKILL_SECRET,
    }
    try:
        with start_stack(workdir, extra_env=env) as stack:
            settings = get_settings({**stack.env, "ASSISTANT_VAR_DIR": str(workdir)})
            limits = {"messages_per_minute": 10**6, "messages_per_minute_per_ip": 10**6, "history_per_minute": 10**6}
            options = GatewayOptions.from_settings(settings, **(limits if unlimited_gateway else {}))
            async with AsyncExitStack() as served:
                gateway_url = await served.enter_async_context(serve(create_app(settings, options)))
                yield Edges(stack, gateway_url, bot_api)
    finally:
        await bot_api.close()
