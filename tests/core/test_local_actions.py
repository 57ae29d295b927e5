"""Actions Rasa runs in its own process give exactly the events the action
server gives for the same tracker (one implementation, two places to run it)."""

from __future__ import annotations

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from core.local_actions import LOCAL_ACTIONS, local_action, run_locally
from tests.support.stack import PROJECT_ROOT

CASES = [
    ("hello", "greet", [], {}, {}),
    ("안녕하세요", "greet", [], {"language": "en"}, {}),
    ("영어로 해주세요", "set_language", [{"entity": "language", "value": "en"}], {}, {}),
    ("switch to Korean", "set_language", [], {"language": "en"}, {}),
    ("여권 재발급", "ask_service_documents", [], {"language": "en", "language_locked": True}, {}),
    ("/greet", "greet", [], {}, {"language_hint": "en"}),
    ("12345", "inform", [], {"language": "en"}, {}),
]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "bot" / "domain"))


def _tracker(domain: Domain, text: str, intent: str, entities: list, slots: dict, metadata: dict) -> DialogueStateTracker:
    tracker = DialogueStateTracker("local-actions", domain.slots)
    for name, value in slots.items():
        tracker.update(SlotSet(name, value))
    tracker.update(UserUttered(text, {"name": intent, "confidence": 1.0}, entities, metadata=metadata))
    return tracker


@pytest.mark.parametrize("name", sorted(LOCAL_ACTIONS))
@pytest.mark.parametrize(("text", "intent", "entities", "slots", "metadata"), CASES)
async def test_local_run_equals_the_action_servers(
    action_server: str, domain: Domain, name: str, text: str, intent: str, entities: list, slots: dict, metadata: dict
) -> None:
    remote = RemoteAction(name, EndpointConfig(action_server))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = _tracker(domain, text, intent, entities, slots, metadata)
    over_http = await RemoteAction.run.__wrapped__(remote, CollectingOutputChannel(), nlg, tracker, domain) \
        if hasattr(RemoteAction.run, "__wrapped__") else await remote.run(CollectingOutputChannel(), nlg, tracker, domain)
    sdk_action = local_action(name)
    assert sdk_action is not None
    in_process = await run_locally(remote, sdk_action, CollectingOutputChannel(), nlg, tracker, domain)
    assert [event.as_dict() | {"timestamp": 0} for event in in_process] == [
        event.as_dict() | {"timestamp": 0} for event in over_http
    ]
