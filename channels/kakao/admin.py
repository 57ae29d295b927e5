"""Operator commands for the KakaoTalk channel.

Run as ``python -m channels.kakao.admin <command>`` (or ``python -m channels.kakao``)::

    check        show the channel's configuration (never a secret's value)
    send-event   make the bot's event block speak to users (Event API), for a manual test
    sample       print a skill request in Open Builder's format, to try the webhook with curl

Exit status: 0 done, 1 Kakao refused or could not be reached, 2 configuration missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from typing import Any, Dict, List, Optional, Sequence, TextIO

import aiohttp

from channels.kakao.api import WEBHOOK_PATH
from channels.kakao.outbound import EventApiClient, EventApiError
from core.settings import Settings, get_settings

OK, FAILED, MISCONFIGURED = 0, 1, 2

#: A skill secret shorter than this is easy to guess.
MIN_SECRET_LENGTH = 16


def check(settings: Settings, out: TextIO = sys.stdout) -> int:
    """Print the channel's configuration; 2 when the skill secret is missing."""
    secret = settings.kakao_skill_secret
    if not secret:
        status_of_key = "not set: the webhook answers 503 until it is"
    elif len(secret) < MIN_SECRET_LENGTH:
        status_of_key = f"set, but shorter than {MIN_SECRET_LENGTH} characters: use a long random value"
    else:
        status_of_key = "set"
    lines = [
        f"KakaoTalk skill: POST {settings.rasa_url}{WEBHOOK_PATH}",
        f"  KAKAO_SKILL_SECRET    : {status_of_key}",
        f"  secret header         : {settings.kakao_skill_header}",
        f"  KAKAO_ALLOWED_IPS     : {', '.join(settings.kakao_allowed_ips) or 'any address'}",
        f"  KAKAO_CALLBACK_BUDGET : {settings.kakao_callback_budget:g} s",
        "Event API (messages the assistant starts):",
        f"  KAKAO_EVENT_API_URL   : {settings.kakao_event_api_url}",
        f"  KAKAO_BOT_ID          : {settings.kakao_bot_id or 'not set'}",
        f"  KAKAO_REST_API_KEY    : {'set' if settings.kakao_rest_api_key else 'not set'}",
    ]
    print("\n".join(lines), file=out)
    return OK if secret else MISCONFIGURED


async def send_event(
    settings: Settings,
    event: str,
    users: Sequence[str],
    data: Dict[str, str],
    out: TextIO = sys.stdout,
) -> int:
    """Send ``event`` to ``users`` through the Event API; prints the task id."""
    if not settings.kakao_rest_api_key or not settings.kakao_bot_id:
        print("KAKAO_REST_API_KEY and KAKAO_BOT_ID must be set to use the Event API.", file=out)
        return MISCONFIGURED
    try:
        async with aiohttp.ClientSession(trust_env=False) as session:
            client = EventApiClient(
                session, settings.kakao_rest_api_key, settings.kakao_bot_id, settings.kakao_event_api_url
            )
            task_id = await client.send_event(event, users, data)
    except ValueError as error:
        print(f"Not sent: {error}.", file=out)
        return MISCONFIGURED
    except EventApiError as error:
        print(f"Kakao refused the event: {error}", file=out)
        return FAILED
    print(f"Event {event!r} accepted for {len(set(users))} user(s); task id {task_id}", file=out)
    return OK


def sample_request(
    utterance: str, user: str = "test-user-1", callback_url: Optional[str] = None, extra: Any = None
) -> Dict[str, Any]:
    """A skill request shaped as Open Builder sends it (every field the documentation lists)."""
    block = {"id": "fallback-block", "name": "폴백 블록"}
    user_request: Dict[str, Any] = {
        "timezone": "Asia/Seoul",
        "params": {"ignoreMe": "true"},
        "block": block,
        "utterance": utterance,
        "lang": "ko",
        "user": {
            "id": user,
            "type": "botUserKey",
            "properties": {"botUserKey": user, "plusfriendUserKey": f"pf-{user}", "isFriend": True},
        },
    }
    if callback_url:
        user_request["callbackUrl"] = callback_url
    return {
        "intent": {"id": block["id"], "name": block["name"]},
        "userRequest": user_request,
        "bot": {"id": "sample-bot", "name": "정부 민원 안내 도우미"},
        "action": {
            "id": f"skill-{uuid.uuid4().hex[:8]}",
            "name": "assistant",
            "params": {},
            "detailParams": {},
            "clientExtra": extra if extra is not None else {},
        },
        "contexts": [],
    }


def _data(pairs: List[str]) -> Dict[str, str]:
    data: Dict[str, str] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key.strip():
            raise argparse.ArgumentTypeError(f"--data takes key=value, got {pair!r}")
        data[key.strip()] = value
    return data


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point of ``python -m channels.kakao.admin``."""
    parser = argparse.ArgumentParser(
        prog="python -m channels.kakao.admin",
        description="Check and test the KakaoTalk channel (KAKAO_SKILL_SECRET, KAKAO_REST_API_KEY, KAKAO_BOT_ID).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="show the channel's configuration, without secrets")
    event = commands.add_parser("send-event", help="send an event to users through the Event API")
    event.add_argument("--event", required=True, help="the event name set on the bot's event block")
    event.add_argument("--user", action="append", required=True, help="a botUserKey (repeat for several)")
    event.add_argument("--data", action="append", default=[], help="key=value passed as event data (repeatable)")
    sample = commands.add_parser("sample", help="print a skill request to post to the webhook")
    sample.add_argument("utterance", nargs="?", default="안녕하세요")
    sample.add_argument("--user", default="test-user-1", help="the botUserKey")
    sample.add_argument("--callback-url", help="include a callbackUrl, as a block with callback enabled does")
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.command == "check":
        return check(settings)
    if args.command == "send-event":
        try:
            data = _data(args.data)
        except argparse.ArgumentTypeError as error:
            parser.error(str(error))
        return asyncio.run(send_event(settings, args.event, args.user, data))
    print(json.dumps(sample_request(args.utterance, args.user, args.callback_url), ensure_ascii=False, indent=2))
    return OK


if __name__ == "__main__":
    raise SystemExit(main())
