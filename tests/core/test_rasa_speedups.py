"""Rasa's action-response validation, with the schema compiled once, accepts and
rejects exactly what Rasa's own validation does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from core.rasa_speedups import install_rasa_speedups

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "language", "value": "ko"}], "responses": [{"text": "안녕하세요"}]},
    {"events": [{"event": "followup", "name": "action_listen"}]},
]
INVALID = [
    {"events": [{"name": "no event type"}]},
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "yesterday"}]},
]


@pytest.fixture
def action() -> RemoteAction:
    install_rasa_speedups()
    return RemoteAction("action_detect_language", EndpointConfig("http://127.0.0.1:1/webhook"))


@pytest.mark.parametrize("response", VALID)
def test_valid_responses_pass_as_with_jsonschema_validate(action: RemoteAction, response: dict) -> None:
    jsonschema.validate(response, RemoteAction.action_response_format_spec())
    assert action._validate_action_result(response) is True


@pytest.mark.parametrize("response", INVALID)
def test_invalid_responses_raise_the_same_error_with_rasas_hint(action: RemoteAction, response: dict) -> None:
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as raised:
        action._validate_action_result(response)
    assert raised.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in raised.value.message


def test_installing_twice_is_harmless(action: RemoteAction) -> None:
    install_rasa_speedups()
    assert action._validate_action_result(VALID[0]) is True


async def test_action_server_calls_reuse_one_connection_with_rasas_headers(aiohttp_server) -> None:
    """Two calls through Rasa's EndpointConfig arrive on one kept-alive connection,
    with the configured headers, and the JSON answer comes back as before."""
    from aiohttp import web

    peers = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append((request.transport.get_extra_info("peername"), request.headers.get("X-Test")))
        return web.json_response({"events": [], "echo": (await request.json())["n"]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    server = await aiohttp_server(app)
    install_rasa_speedups()
    endpoint = EndpointConfig(f"http://127.0.0.1:{server.port}/webhook", headers={"X-Test": "yes"})

    answers = [await endpoint.request(json={"n": n}, method="post") for n in (1, 2)]

    assert [answer["echo"] for answer in answers] == [1, 2]
    assert len(peers) == 2 and peers[0] == peers[1]
    assert peers[0][1] == "yes"


def test_event_types_resolve_as_rasa_resolves_them() -> None:
    import rasa.shared.utils.common as common
    from rasa.shared.core.events import Event

    install_rasa_speedups()
    expected = {}
    for cls in common.all_subclasses(Event):
        expected.setdefault(cls.type_name, cls)  # Rasa's rule: the first subclass with the name
    for _ in range(2):  # the first call fills the cache, the second reads it
        for type_name, cls in expected.items():
            assert Event.resolve_by_type(type_name) is cls
    assert Event.resolve_by_type("no-such-event", default=Event) is Event
    assert Event.resolve_by_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no-such-event")
