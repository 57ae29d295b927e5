"""KakaoTalk channel for Rasa: the assistant as a Kakao i Open Builder skill.

Registered in ``credentials.yml`` by module path (``channels.kakao.KakaoInput:``
with no values); the secret and limits come from the environment only
(``KAKAO_SKILL_SECRET``, ``KAKAO_SKILL_HEADER``, ``KAKAO_ALLOWED_IPS``,
``KAKAO_CALLBACK_BUDGET``, see :mod:`core.settings`).

Rasa mounts the blueprint at ``/webhooks/kakao``; Open Builder posts skill
requests to ``POST /webhooks/kakao/webhook``. A request must carry the header
``X-Skill-Secret`` (or the one ``KAKAO_SKILL_HEADER`` names) equal to
``KAKAO_SKILL_SECRET``: 401 otherwise, 403 from an address outside
``KAKAO_ALLOWED_IPS`` when that is set, 503 while no secret is configured
(``rasa run`` and every other channel still start), 400 for a body that is not
a skill request.

Each request is one turn: the utterance (resident registration numbers masked,
typed ``/intent`` syntax neutralised) goes to Rasa as the user
``kakao:<botUserKey>``; the replies are collected and rendered by
:mod:`channels.kakao.format`. A skill must answer within 5 seconds. When the
answer is not ready within ``KAKAO_CALLBACK_BUDGET`` (3.5 s by default) and the
request has a ``callbackUrl``, the channel answers ``useCallback`` with a short
"잠시만요" text and posts the full answer to the callback URL when it is ready
(:mod:`channels.kakao.callback`). Without a callback URL it answers with a
short apology and the menu, and keeps the late answer for "답변 보기".

What the channel remembers per user between requests (the rest of a long
answer, a late answer, the quick replies offered, the language) lives in the
project's SQL database by default
(:class:`~channels.kakao.shared_memory.SQLConversationMemory`), so any Sanic
worker or Rasa replica can serve the next request; its calls run in a worker
thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import time
import traceback
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Set, Text, TypeAlias, TypeVar

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.kakao import texts, validate
from channels.kakao.api import (
    CALLBACK_VALID_SECONDS,
    CHANNEL_NAME,
    MAX_OUTPUTS,
    sender_id_for_user,
)
from channels.kakao.callback import post_callback
from channels.kakao.format import (
    MORE_KEY,
    PAYLOAD_KEY,
    callback_response,
    quick_replies,
    render_messages,
    reply_language,
    skill_response,
    text_response,
)
from channels.kakao.memory import KakaoMemory
from channels.kakao.requests import MalformedSkillRequest, SkillRequest, parse_skill_request
from channels.kakao.shared_memory import SQLConversationMemory
from channels.shared.buttons import ButtonChoice
from channels.shared.incoming import LANGUAGE_HINT, IncomingText, typed_text
from channels.shared.setup import prepare_channel
from core.language import detect_language
from core.privacy import mask_for_log
from core.settings import DEFAULT_KAKAO_CALLBACK_BUDGET, DEFAULT_KAKAO_SKILL_HEADER, Settings, get_settings

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Json = Dict[str, Any]
Turn: TypeAlias = "asyncio.Future[Optional[List[Json]]]"
T = TypeVar("T")

#: A skill request is a few kilobytes; anything much larger is not from Kakao.
MAX_BODY_BYTES = 256_000

#: Longer messages are answered with a request to split them, without Rasa.
MAX_UTTERANCE_CHARS = 2_000

#: What an empty utterance (a welcome block, an event) means to the assistant.
EMPTY_UTTERANCE_PAYLOAD = "/greet"

#: Leave this much of the callback URL's minute unused, for the post itself.
CALLBACK_SAFETY_SECONDS = 5.0

NOT_CONFIGURED = {
    "error": "The KakaoTalk channel is not configured: KAKAO_SKILL_SECRET is not set on the server.",
    "message": {
        "ko": "카카오톡 채널이 설정되지 않았어요. 서버에 KAKAO_SKILL_SECRET을 설정해 주세요.",
        "en": "The KakaoTalk channel is not configured. Set KAKAO_SKILL_SECRET on the server.",
    },
}


class KakaoCollector(CollectingOutputChannel):
    """Collects the assistant's messages of one turn, each text whole.

    Rasa's own collector splits texts at blank lines into separate messages;
    the Kakao renderer splits by its own limits instead.
    """

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        """Keep ``text`` as one message."""
        await self._persist_message(self._message(recipient_id, text=text.strip()))


class KakaoInput(InputChannel):
    """Answers Kakao i Open Builder skill requests with the assistant's replies."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "KakaoInput":
        """Build the channel from the environment; ``credentials.yml`` holds no secrets.

        Also makes sure every log handler masks personal data (as the other channels do).
        """
        prepare_channel(credentials, ("secret", "skill_secret", "token", "api_key"), "KakaoTalk", "KAKAO_SKILL_SECRET")
        return cls.from_settings(get_settings())

    @classmethod
    def from_settings(cls, settings: Settings) -> "KakaoInput":
        """Build the channel from ``settings``."""
        return cls(
            secret=settings.kakao_skill_secret,
            secret_header=settings.kakao_skill_header,
            allowed_networks=settings.kakao_allowed_ips,
            budget=settings.kakao_callback_budget,
            default_language=settings.default_language,
            memory=SQLConversationMemory(settings.database_url),
        )

    def __init__(
        self,
        secret: Optional[str] = None,
        secret_header: str = DEFAULT_KAKAO_SKILL_HEADER,
        allowed_networks: Sequence[str] = (),
        budget: float = DEFAULT_KAKAO_CALLBACK_BUDGET,
        default_language: str = texts.DEFAULT_LANGUAGE,
        memory: Optional[KakaoMemory] = None,
        callback_window: float = CALLBACK_VALID_SECONDS - CALLBACK_SAFETY_SECONDS,
    ) -> None:
        self._secret = secret
        self._secret_header = secret_header
        self._networks = [ipaddress.ip_network(network, strict=False) for network in allowed_networks]
        self._budget = budget
        self._default_language = texts.language_or_default(default_language)
        # Shared by every worker and replica; ConversationMemory (this process only) when passed in.
        self._memory: KakaoMemory = memory if memory is not None else SQLConversationMemory()
        self._callback_window = callback_window
        self._session: Optional[aiohttp.ClientSession] = None
        self._tasks: Set[asyncio.Task[Any]] = set()
        if not secret:
            logger.info("KakaoTalk channel is off: KAKAO_SKILL_SECRET is not set (its webhook answers 503).")

    @property
    def configured(self) -> bool:
        """True when a skill secret is set."""
        return bool(self._secret)

    @property
    def memory(self) -> KakaoMemory:
        """What the channel remembers per user (pending pages, offered choices)."""
        return self._memory

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The skill route; each request is answered within the budget."""
        skill = Blueprint("kakao_skill_webhook", __name__)

        @skill.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @skill.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refusal = self._refuse(request)
            if refusal is not None:
                return refusal
            try:
                skill_request = parse_skill_request(request.body)
            except MalformedSkillRequest as error:
                logger.warning("Refused a malformed Kakao skill request: %s", error)
                return response.json({"error": f"The body is not a Kakao skill request: {error}"}, status=400)
            return response.json(await self.answer(skill_request, on_new_message))

        @skill.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.aclose()

        return skill

    async def answer(self, request: SkillRequest, on_new_message: OnNewMessage) -> Json:
        """The skill response for ``request``, within the budget (never raises)."""
        user = request.user_key
        language = await self._request_language(request)
        explicit_more = request.client_extra.get(MORE_KEY) is True
        if explicit_more or texts.is_more_request(request.utterance):
            page = await self._more(user, language, explicit=explicit_more)
            if page is not None:
                return page
        if len(request.utterance) > MAX_UTTERANCE_CHARS:
            return self._checked(text_response(texts.text("too_long", language, limit=MAX_UTTERANCE_CHARS)))
        incoming = await self._remembered(self._incoming, request)
        collector = KakaoCollector()
        metadata = {**incoming.metadata(), LANGUAGE_HINT: language}
        message = UserMessage(
            incoming.text, collector, sender_id_for_user(user), input_channel=self.name(), metadata=metadata
        )
        turn = asyncio.ensure_future(self._run_turn(message, collector, on_new_message))
        done, _ = await asyncio.wait({turn}, timeout=self._budget)
        if turn in done:
            return await self._render(user, turn.result(), language)
        await self._remembered(self._memory.mark_waiting, user)
        if request.callback_url:
            deadline = time.monotonic() + self._callback_window
            self._spawn(self._deliver_by_callback(turn, user, language, request.callback_url, deadline))
            return self._checked(callback_response(texts.text("waiting", language)))
        # The menu is offered before the late answer can be kept, so keeping it
        # adds the answer's choices to the menu instead of the menu replacing them.
        late = await self._late(user, language)
        self._spawn(self._keep_late_answer(turn, user, language))
        return late

    async def aclose(self) -> None:
        """Finish or cancel the background deliveries and close the HTTP session."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=5.0)
            for task in pending:
                task.cancel()
        session, self._session = self._session, None
        if session is not None:
            await session.close()
        await self._remembered(self._memory.close)

    async def _remembered(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``call(*args, **kwargs)`` that uses the memory: in a worker thread when
        the memory does I/O (a database), else directly on the loop."""
        if self._memory.blocking:
            return await asyncio.to_thread(call, *args, **kwargs)
        return call(*args, **kwargs)

    def _refuse(self, request: Request) -> Optional[HTTPResponse]:
        """The response for a call that must not reach a conversation, else ``None``."""
        if not self._secret:
            return response.json(NOT_CONFIGURED, status=503)
        if self._networks and not self._allowed(request):
            logger.warning("Refused a Kakao skill call from an address outside KAKAO_ALLOWED_IPS")
            return response.json({"error": "Forbidden: this address may not call the skill."}, status=403)
        given = request.headers.get(self._secret_header, "")
        if not hmac.compare_digest(given.encode("utf-8", "backslashreplace"), self._secret.encode("utf-8")):
            logger.warning("Refused a Kakao skill call without the right %s header", self._secret_header)
            return response.json({"error": f"Unauthorized: the {self._secret_header} header is missing or wrong."},
                                 status=401)
        if len(request.body or b"") > MAX_BODY_BYTES:
            return response.json({"error": "The body is too large for a Kakao skill request."}, status=413)
        return None

    def _allowed(self, request: Request) -> bool:
        address = request.remote_addr or request.ip
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._networks)

    async def _request_language(self, request: SkillRequest) -> str:
        """The language to answer in before the assistant has: the message's
        script, else the user's last answer, else Kakao's ``lang``."""
        return (
            detect_language(request.utterance)
            or await self._remembered(self._memory.language, request.user_key)
            or request.lang
            or self._default_language
        )

    def _incoming(self, request: SkillRequest) -> IncomingText:
        """The text for Rasa: a payload the channel offered, or the masked utterance
        (reads the memory: call it through :meth:`_remembered`)."""
        user = request.user_key
        extra_payload = request.client_extra.get(PAYLOAD_KEY)
        if isinstance(extra_payload, str):
            offered = self._memory.payload_for(user, payload=extra_payload)
            if offered:
                return IncomingText(offered, False)
        offered = self._memory.payload_for(user, title=request.utterance)
        if offered:
            return IncomingText(offered, False)
        typed = typed_text(request.utterance)
        return typed if typed.text else IncomingText(EMPTY_UTTERANCE_PAYLOAD, False)

    async def _run_turn(
        self, message: UserMessage, collector: KakaoCollector, on_new_message: OnNewMessage
    ) -> Optional[List[Json]]:
        """Hand ``message`` to Rasa; the collected replies, or ``None`` when handling failed."""
        try:
            await on_new_message(message)
        except Exception as error:
            # Kakao would show a generic error; the citizen gets an apology instead.
            logger.error(
                "Handling a KakaoTalk message failed (%s): %s", type(error).__name__, mask_for_log(str(error))
            )
            logger.debug("%s", mask_for_log(traceback.format_exc()))
            return None
        return list(collector.messages)

    async def _render(self, user: str, messages: Optional[List[Json]], language: str) -> Json:
        """The first page of an answer; the rest is kept for "더 보기"."""
        if messages is None:
            menu = _menu_choices(language)
            await self._remembered(self._memory.remember_answer, user, [], menu, language)
            return self._checked(text_response(texts.text("failed", language), quick_replies(menu, language)))
        rendering = render_messages(messages, reply_language(messages, language))
        page, rest = rendering.outputs[:MAX_OUTPUTS], rendering.outputs[MAX_OUTPUTS:]
        await self._remembered(self._memory.remember_answer, user, rest, rendering.choices, rendering.language)
        replies = quick_replies(rendering.choices, rendering.language, "more" if rest else None)
        return self._checked(skill_response(page, replies))

    async def _more(self, user: str, language: str, explicit: bool) -> Optional[Json]:
        """The next page of a pending answer; ``None`` to treat the message as a question."""
        page = await self._remembered(self._memory.next_page, user, MAX_OUTPUTS)
        if page is not None:
            page_language = page.language or language
            replies = quick_replies(page.choices, page_language, "more" if page.more else None)
            return self._checked(skill_response(page.outputs, replies))
        if await self._remembered(self._memory.is_waiting, user):
            replies = quick_replies([], language, "show_answer")
            return self._checked(text_response(texts.text("still_preparing", language), replies))
        if explicit:
            menu = _menu_choices(language)
            await self._remembered(self._memory.offer, user, menu, language)
            return self._checked(text_response(texts.text("expired", language), quick_replies(menu, language)))
        return None

    async def _late(self, user: str, language: str) -> Json:
        """The apology for an answer that is not ready, with "답변 보기" and the menu."""
        menu = _menu_choices(language)
        await self._remembered(self._memory.offer, user, menu, language)
        replies = quick_replies(menu, language, "show_answer")
        return self._checked(text_response(texts.text("late", language), replies))

    async def _deliver_by_callback(self, turn: Turn, user: str, language: str, url: str, deadline: float) -> None:
        """Post the answer to the callback URL once it is ready."""
        messages = await turn
        rendered = await self._render(user, messages, language)
        result = await post_callback(self._http(), url, rendered, deadline)
        if result.delivered:
            logger.info("Delivered a KakaoTalk answer by callback after %d attempt(s)", result.attempts)
        else:
            logger.warning("Could not deliver a KakaoTalk answer by callback: %s", result.detail)

    async def _keep_late_answer(self, turn: Turn, user: str, language: str) -> None:
        """Keep the answer, once it is ready, for the user's "답변 보기"."""
        messages = await turn
        if messages is None:
            messages = [{"text": texts.text("failed", language)}]
        rendering = render_messages(messages, reply_language(messages, language))
        await self._remembered(
            self._memory.remember_answer,
            user, rendering.outputs, rendering.choices, rendering.language, keep_offered=True,
        )

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` after the response; its failure is logged, never lost."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: "asyncio.Task[Any]") -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            logger.error("A KakaoTalk background delivery failed (%s): %s", type(error).__name__,
                         mask_for_log(str(error)))

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(trust_env=False)
        return self._session

    @staticmethod
    def _checked(skill_response_json: Json) -> Json:
        """``skill_response_json`` when it is valid; a plain apology (and an error log) otherwise."""
        found = validate.problems(skill_response_json)
        if not found:
            return skill_response_json
        logger.error("Built an invalid Kakao skill response (%s); sent a plain text instead", "; ".join(found))
        return text_response(texts.text("failed", None))


def _menu_choices(language: str) -> List[ButtonChoice]:
    return [ButtonChoice(title, payload) for title, payload in texts.menu(language)]
