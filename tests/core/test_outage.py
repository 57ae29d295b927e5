"""An unreachable action server: the citizen gets one apology in their language,
never silence (issue 14, item 6)."""

from __future__ import annotations

import pytest
from rasa.core.agent import Agent
from rasa.utils.endpoints import EndpointConfig

from core.outage import APOLOGY
from core.rasa_speedups import install_rasa_speedups
from tests.support.stack import free_port, require_model


@pytest.fixture(scope="module")
def agent_without_actions() -> Agent:
    install_rasa_speedups()
    dead = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")  # nothing listens there
    return Agent.load(str(require_model()), action_endpoint=dead)


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= char <= "\ud7a3" for char in text)


@pytest.mark.parametrize(
    ("sender", "greeting", "question", "language"),
    [
        ("ko-citizen", "안녕하세요", "여권 재발급 서류 알려 주세요", "ko"),
        ("en-citizen", "hello", "what documents do I need for a passport renewal?", "en"),
    ],
)
async def test_never_silence_and_never_the_wrong_language(
    agent_without_actions: Agent, sender: str, greeting: str, question: str, language: str
) -> None:
    # A greeting needs no action server: answered as usual, in the citizen's language.
    greeted = [reply["text"] for reply in await agent_without_actions.handle_text(greeting, sender_id=sender)]
    assert greeted and all(_has_hangul(text) == (language == "ko") for text in greeted)
    # A service question needs it: one apology, in the citizen's language.
    for _ in range(2):
        replies = [reply.get("text") for reply in await agent_without_actions.handle_text(question, sender_id=sender)]
        assert replies == [APOLOGY[language]], replies


async def test_a_form_rejecting_a_value_is_not_an_outage(aiohttp_server) -> None:
    """A 400 from the action server (a form's own rejection) still reaches Rasa as a rejection."""
    from aiohttp import web
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    async def reject(request: web.Request) -> web.Response:
        return web.json_response({"action_name": "status_form", "error": "no"}, status=400)

    app = web.Application()
    app.router.add_post("/webhook", reject)
    server = await aiohttp_server(app)
    install_rasa_speedups()
    action = RemoteAction("status_form", EndpointConfig(f"http://127.0.0.1:{server.port}/webhook"))
    tracker = DialogueStateTracker("x", [])
    with pytest.raises(ActionExecutionRejection):
        await action.run(None, None, tracker, Domain.empty())
