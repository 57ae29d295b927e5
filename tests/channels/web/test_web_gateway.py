"""The gateway over HTTP: relay, history, limits, headers and errors, against a
fake Rasa on 127.0.0.1 (and a closed port for a Rasa that is down)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Dict

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from channels.web.app import create_app
from channels.web.client_address import parse_networks
from channels.web.conversation import SENDER_PREFIX
from channels.web.keys import RASA_CLIENT
from core.privacy import RRN_MASK

from .webfakes import FakeRasa, closed_port, gateway_settings

COOKIE = "chat_session"
CONVERSATION_A = "A" * 22
CONVERSATION_B = "B" * 22


async def post(
    client: TestClient,
    message: Any,
    conversation: str | None = None,
    headers: Dict[str, str] | None = None,
    **fields: Any,
):
    headers = dict(headers or {})
    if conversation:
        headers["Cookie"] = f"{COOKIE}={conversation}"
    return await client.post("/api/messages", json={"message": message, **fields}, headers=headers)


def assert_bilingual_error(body: Dict[str, Any], code: str) -> None:
    assert body["error"] == code
    assert body["message"]["ko"] and body["message"]["en"]
    assert any("\uac00" <= char <= "\ud7a3" for char in body["message"]["ko"])


# ---- the page and headers ----------------------------------------------------------


async def test_page_is_served_with_strict_security_headers_and_a_conversation_cookie(
    gateway: TestClient,
) -> None:
    response = await gateway.get("/")
    assert response.status == 200
    assert "text/html" in response.headers["Content-Type"]
    assert '<html lang="ko">' in await response.text()
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'"):
        assert directive in csp
    assert "frame-ancestors 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Referrer-Policy"]
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "aiohttp" not in response.headers["Server"]  # no version disclosure
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert len(cookie.value) >= 22


async def test_assets_and_widget_loader_are_served_with_headers(gateway: TestClient) -> None:
    for path, kind in [
        ("/static/chat.js", "javascript"),
        ("/static/chat.css", "text/css"),
        ("/widget.js", "javascript"),
    ]:
        response = await gateway.get(path)
        assert response.status == 200, path
        assert kind in response.headers["Content-Type"], path
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


async def test_unknown_paths_give_bilingual_not_found(gateway: TestClient) -> None:
    api = await gateway.get("/api/nothing")
    assert api.status == 404
    assert_bilingual_error(await api.json(), "not_found")
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    page = await gateway.get("/static/../../core/settings.py")
    assert page.status in (403, 404)
    assert "RASA_TOKEN" not in await page.text()


async def test_health(gateway: TestClient) -> None:
    response = await gateway.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


# ---- relay -----------------------------------------------------------------------------


async def test_message_is_relayed_to_rasa_rest_channel_and_replies_returned(
    gateway: TestClient, fake_rasa: FakeRasa
) -> None:
    response = await post(gateway, "여권 재발급 서류 뭐가 필요해요?", language="ko")
    assert response.status == 200
    body = await response.json()
    assert body["resident_number_masked"] is False
    [reply] = body["messages"]
    assert reply["sender"] == "bot"
    assert "여권" in reply["text"]
    assert [button["title"] for button in reply["buttons"]] == ["수수료는 얼마예요?", "어디서 신청해요?"]
    assert "recipient_id" not in reply

    [relayed] = fake_rasa.requests
    assert set(relayed) == {"sender", "message", "metadata"}
    assert relayed["message"] == "여권 재발급 서류 뭐가 필요해요?"
    assert relayed["sender"] == SENDER_PREFIX + response.cookies[COOKIE].value
    assert relayed["metadata"] == {"channel": "web", "ui_language": "ko"}


async def test_conversation_id_is_stable_across_messages(gateway: TestClient, fake_rasa: FakeRasa) -> None:
    await gateway.get("/")
    await post(gateway, "hello")
    await post(gateway, "passport")
    senders = {request["sender"] for request in fake_rasa.requests}
    assert len(senders) == 1


async def test_malformed_cookie_is_replaced_never_relayed(gateway: TestClient, fake_rasa: FakeRasa) -> None:
    response = await post(gateway, "안녕하세요", conversation="../../etc/passwd")
    assert response.status == 200
    sender = fake_rasa.requests[0]["sender"]
    assert "passwd" not in sender
    assert sender == SENDER_PREFIX + response.cookies[COOKIE].value


async def test_resident_number_is_masked_before_relaying(gateway: TestClient, fake_rasa: FakeRasa) -> None:
    response = await post(gateway, "제 주민등록번호는 850312-1234567 입니다")
    body = await response.json()
    assert "1234567" not in fake_rasa.requests[0]["message"]
    assert RRN_MASK in fake_rasa.requests[0]["message"]
    assert body["resident_number_masked"] is True
    assert body["echo"] == f"제 주민등록번호는 {RRN_MASK} 입니다"


async def test_emoji_only_and_markup_messages_are_relayed_not_refused(
    gateway: TestClient, fake_rasa: FakeRasa
) -> None:
    for message in ["🙂🙂", "<script>alert(1)</script>", "'; DROP TABLE applications; --"]:
        response = await post(gateway, message)
        assert response.status == 200, message
        assert (await response.json())["messages"]
    assert [request["message"] for request in fake_rasa.requests][0] == "🙂🙂"


# ---- history ---------------------------------------------------------------------------------


async def test_history_after_reload_shows_user_and_bot_messages_with_buttons(
    gateway: TestClient, fake_rasa: FakeRasa
) -> None:
    await gateway.get("/")
    await post(gateway, "여권 재발급 서류 뭐가 필요해요?")
    await post(gateway, '/ask_service_fee{"service": "여권 재발급"}', display_text="수수료는 얼마예요?")
    await post(gateway, '/set_language{"language": "en"}', hidden=True)

    response = await gateway.get("/api/history")
    assert response.status == 200
    messages = (await response.json())["messages"]
    expected = [
        ("user", "여권 재발급 서류 뭐가 필요해요?"),
        ("bot", "여권 재발급에는"),
        ("user", "수수료는 얼마예요?"),
        ("bot", "여권 재발급 수수료는"),
        ("bot", "I will answer in English"),
    ]
    assert len(messages) == len(expected)
    for message, (sender, start) in zip(messages, expected, strict=True):
        assert message["sender"] == sender
        assert message["text"].startswith(start)
    assert messages[1]["buttons"][0]["payload"].startswith("/ask_service_fee")


async def test_history_uses_the_api_token_without_exposing_it(
    gateway: TestClient, fake_rasa: FakeRasa
) -> None:
    await gateway.get("/")
    await post(gateway, "passport")
    response = await gateway.get("/api/history")
    assert response.status == 200
    assert fake_rasa.tracker_queries[-1]["token"] == fake_rasa.token
    assert fake_rasa.token not in await response.text()
    assert fake_rasa.token not in str(response.headers)
    page = await gateway.get("/")
    assert fake_rasa.token not in await page.text()


async def test_history_without_a_conversation_is_empty_and_does_not_call_rasa(
    gateway: TestClient, fake_rasa: FakeRasa
) -> None:
    response = await gateway.get("/api/history")
    assert (await response.json()) == {"messages": []}
    assert COOKIE in response.cookies
    assert fake_rasa.tracker_queries == []


async def test_history_with_a_wrong_token_gives_a_clear_error(make_gateway, fake_rasa: FakeRasa) -> None:
    client = await make_gateway(rasa_token="wrong-token")
    response = await client.get("/api/history", headers={"Cookie": f"{COOKIE}={CONVERSATION_A}"})
    assert response.status == 502
    body = await response.json()
    assert_bilingual_error(body, "assistant_unavailable")
    assert "wrong-token" not in json.dumps(body)


async def test_https_adds_a_partitioned_cookie_for_embedded_widgets(
    gateway: TestClient, fake_rasa: FakeRasa
) -> None:
    plain = await gateway.get("/")
    assert len(plain.headers.getall("Set-Cookie")) == 1
    assert not plain.cookies[COOKIE]["secure"]

    gateway.session.cookie_jar.clear()
    behind_tls = await gateway.get("/", headers={"X-Forwarded-Proto": "https"})
    cookies = behind_tls.headers.getall("Set-Cookie")
    assert len(cookies) == 2
    lax = next(cookie for cookie in cookies if cookie.startswith(f"{COOKIE}="))
    embed = next(cookie for cookie in cookies if cookie.startswith(f"{COOKIE}_embed="))
    assert "Secure" in lax and "SameSite=Lax" in lax and "HttpOnly" in lax
    for attribute in ("HttpOnly", "Secure", "SameSite=None", "Partitioned", "Path=/"):
        assert attribute in embed
    conversation_id = lax.split(";")[0].split("=", 1)[1]
    assert embed.split(";")[0].split("=", 1)[1] == conversation_id

    # In a cross-site iframe only the partitioned cookie arrives; it names the same conversation.
    gateway.session.cookie_jar.clear()
    await post(gateway, "passport", headers={"Cookie": f"{COOKIE}_embed={conversation_id}"})
    assert fake_rasa.requests[-1]["sender"] == SENDER_PREFIX + conversation_id


async def test_new_conversation_gets_a_new_id(gateway: TestClient) -> None:
    first = (await gateway.get("/")).cookies[COOKIE].value
    reset = await gateway.post("/api/conversation/reset", json={})
    assert reset.status == 200
    assert reset.cookies[COOKIE].value != first


# ---- Rasa down, hanging or broken ---------------------------------------------------------


async def test_rasa_down_gives_a_quick_502(make_gateway) -> None:
    client = await make_gateway(rasa_port=closed_port())
    started = time.monotonic()
    response = await post(client, "여권 재발급")
    assert time.monotonic() - started < 2.0
    assert response.status == 502
    assert_bilingual_error(await response.json(), "assistant_unavailable")
    history = await client.get("/api/history", headers={"Cookie": f"{COOKIE}={CONVERSATION_A}"})
    assert history.status == 502


async def test_rasa_hanging_gives_a_504_within_the_timeout(make_gateway, fake_rasa: FakeRasa) -> None:
    client = await make_gateway(rasa_timeout_seconds=0.5)
    fake_rasa.mode = "hang"
    started = time.monotonic()
    response = await post(client, "여권 재발급")
    elapsed = time.monotonic() - started
    assert response.status == 504
    assert 0.4 < elapsed < 2.0
    assert_bilingual_error(await response.json(), "assistant_timeout")


async def test_rasa_errors_and_garbage_give_502(gateway: TestClient, fake_rasa: FakeRasa) -> None:
    for mode in ("error", "garbage"):
        fake_rasa.mode = mode
        response = await post(gateway, "여권")
        assert response.status == 502, mode
        assert_bilingual_error(await response.json(), "assistant_unavailable")


async def test_rasa_returning_no_reply_gives_an_empty_list(make_gateway, aiohttp_server, tmp_path) -> None:
    silent = web.Application()

    async def no_reply(request: web.Request) -> web.Response:
        return web.json_response([])

    silent.router.add_post("/webhooks/rest/webhook", no_reply)
    server: TestServer = await aiohttp_server(silent)
    client = await make_gateway(rasa_port=server.port)
    response = await post(client, "…")
    assert response.status == 200
    assert (await response.json())["messages"] == []


async def test_http_session_is_opened_on_startup_and_closed_on_cleanup(fake_rasa: FakeRasa, tmp_path) -> None:
    app = create_app(gateway_settings(fake_rasa.port, fake_rasa.token, tmp_path))
    assert RASA_CLIENT not in app  # nothing is created before the app starts
    server = TestServer(app)
    await server.start_server()
    rasa_client = app[RASA_CLIENT]
    assert not rasa_client.closed
    await server.close()
    assert rasa_client.closed


# ---- bad input ---------------------------------------------------------------------------------


async def test_too_long_message_gives_413_and_is_not_relayed(
    gateway: TestClient, fake_rasa: FakeRasa
) -> None:
    response = await post(gateway, "가" * 2001)
    assert response.status == 413
    body = await response.json()
    assert_bilingual_error(body, "message_too_long")
    assert "2000" in body["message"]["ko"] and "2000" in body["message"]["en"]
    assert fake_rasa.requests == []
    assert (await post(gateway, "가" * 2000)).status == 200


async def test_too_large_body_gives_413_json(gateway: TestClient, fake_rasa: FakeRasa) -> None:
    response = await gateway.post(
        "/api/messages",
        data=json.dumps({"message": "a", "padding": "x" * 20_000}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 413
    assert_bilingual_error(await response.json(), "body_too_large")
    assert fake_rasa.requests == []


async def test_chunked_oversized_body_gives_413_json(gateway: TestClient) -> None:
    async def chunks():
        for _ in range(40):
            yield b"x" * 1024

    response = await gateway.post(
        "/api/messages", data=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status == 413
    assert_bilingual_error(await response.json(), "body_too_large")


async def test_bad_input_gets_clear_4xx_answers_never_500(gateway: TestClient, fake_rasa: FakeRasa) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"json": {"message": ""}}, 400, "empty_message"),
        ({"json": {"message": "   \n\t "}}, 400, "empty_message"),
        ({"json": {"message": "\u0000\u0001\u0007"}}, 400, "empty_message"),
        ({"json": {"message": "\u200b\u200b"}}, 400, "empty_message"),
        ({"json": {}}, 400, "invalid_request"),
        ({"json": {"message": 12}}, 400, "invalid_request"),
        ({"json": ["message"]}, 400, "invalid_request"),
        (
            {"data": b"\xff\xfe\x00binary", "headers": {"Content-Type": "application/json"}},
            400,
            "invalid_request",
        ),
        ({"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "invalid_request"),
        (
            {"data": b"message=hi", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
            415,
            "unsupported_media_type",
        ),
    ]
    for kwargs, status, code in cases:
        response = await gateway.post("/api/messages", **kwargs)
        assert response.status == status, kwargs
        assert_bilingual_error(await response.json(), code)
    assert fake_rasa.requests == []
    lone_surrogate = await gateway.post(
        "/api/messages", data=b'{"message": "\\ud800 hi"}', headers={"Content-Type": "application/json"}
    )
    assert lone_surrogate.status == 200
    assert fake_rasa.requests[-1]["message"] == "hi"


async def test_wrong_method_gives_405_json(gateway: TestClient) -> None:
    response = await gateway.get("/api/messages")
    assert response.status == 405
    assert_bilingual_error(await response.json(), "method_not_allowed")


# ---- rate limits -------------------------------------------------------------------------------


async def test_burst_of_100_is_limited_while_another_client_is_served(
    gateway: TestClient, fake_rasa: FakeRasa
) -> None:
    responses = await asyncio.gather(*(post(gateway, f"질문 {n}", CONVERSATION_A) for n in range(100)))
    statuses = [response.status for response in responses]
    allowed = statuses.count(200)
    assert 20 <= allowed <= 21  # the bucket refills one token every 3 s
    assert statuses.count(429) == 100 - allowed
    limited = next(response for response in responses if response.status == 429)
    body = await limited.json()
    assert_bilingual_error(body, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    assert str(body["retry_after"]) in body["message"]["ko"]

    for n in range(5):
        other = await post(gateway, f"다른 사람 질문 {n}", CONVERSATION_B)
        assert other.status == 200
    assert sum(request["sender"].endswith(CONVERSATION_B) for request in fake_rasa.requests) == 5


async def test_clients_without_cookies_are_limited_per_ip(make_gateway, fake_rasa: FakeRasa) -> None:
    client = await make_gateway(messages_per_minute_per_ip=30)
    statuses = []
    for n in range(40):
        response = await client.post("/api/messages", json={"message": f"q{n}"})
        client.session.cookie_jar.clear()  # a fresh conversation id every time
        statuses.append(response.status)
    assert statuses.count(200) in (30, 31)
    assert statuses[-1] == 429
    assert len({request["sender"] for request in fake_rasa.requests}) == statuses.count(200)


# ---- origins and CORS ------------------------------------------------------------------------------


async def test_cors_only_for_configured_origins(make_gateway, fake_rasa: FakeRasa) -> None:
    client = await make_gateway(allowed_origins="https://www.gov.kr")
    page = await client.get("/")
    assert "frame-ancestors 'self' https://www.gov.kr" in page.headers["Content-Security-Policy"]

    preflight = await client.options(
        "/api/messages",
        headers={
            "Origin": "https://www.gov.kr",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://www.gov.kr"
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]

    allowed = await client.post(
        "/api/messages", json={"message": "passport"}, headers={"Origin": "https://www.gov.kr"}
    )
    assert allowed.status == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.gov.kr"

    evil = await client.post(
        "/api/messages", json={"message": "passport"}, headers={"Origin": "https://evil.example"}
    )
    assert evil.status == 403
    assert "Access-Control-Allow-Origin" not in evil.headers
    assert_bilingual_error(await evil.json(), "forbidden_origin")

    evil_read = await client.get("/api/history", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in evil_read.headers
    assert len(fake_rasa.requests) == 1


async def test_same_origin_requests_need_no_configuration(gateway: TestClient) -> None:
    own_origin = f"http://{gateway.server.host}:{gateway.server.port}"
    response = await gateway.post(
        "/api/messages", json={"message": "passport"}, headers={"Origin": own_origin}
    )
    assert response.status == 200
    assert "Access-Control-Allow-Origin" not in response.headers


# ---- typed commands ----------------------------------------------------------------------------


async def test_a_typed_intent_command_goes_on_as_plain_text(gateway: TestClient, fake_rasa: FakeRasa) -> None:
    """One message could otherwise pick the status check and fill both of its
    slots: a whole ownership guess. Only offered buttons are relayed as commands."""
    await gateway.get("/")
    guess = '/check_application_status{"application_number": "2026-0012347", "birth_date": "1985-03-12"}'
    assert (await post(gateway, guess)).status == 200
    relayed = fake_rasa.requests[-1]["message"]
    assert not relayed.startswith("/")
    assert relayed.startswith("check_application_status")


async def test_offered_buttons_and_the_language_switch_are_relayed_as_commands(
    gateway: TestClient, fake_rasa: FakeRasa
) -> None:
    await gateway.get("/")
    await post(gateway, "여권 재발급 서류 뭐가 필요해요?")  # the fake offers fee/where buttons
    await post(gateway, '/ask_service_fee{"service": "여권 재발급"}', display_text="수수료는 얼마예요?")
    assert fake_rasa.requests[-1]["message"] == '/ask_service_fee{"service": "여권 재발급"}'
    # A button from earlier in the history still works; a payload never offered does not.
    await post(gateway, '/ask_service_where{"service": "여권 재발급"}')
    assert fake_rasa.requests[-1]["message"] == '/ask_service_where{"service": "여권 재발급"}'
    await post(gateway, '/ask_service_where{"service": "운전면허 갱신"}')
    assert fake_rasa.requests[-1]["message"] == 'ask_service_where{"service": "운전면허 갱신"}'
    await post(gateway, '/set_language{"language": "en"}', hidden=True)
    assert fake_rasa.requests[-1]["message"] == '/set_language{"language": "en"}'


# ---- client addresses behind a proxy -------------------------------------------------------------


async def _statuses_per_forwarded_client(client: TestClient, forwarded: list[str]) -> list[int]:
    statuses = []
    for value in forwarded:
        response = await client.post(
            "/api/messages", json={"message": "질문"}, headers={"X-Forwarded-For": value}
        )
        client.session.cookie_jar.clear()
        statuses.append(response.status)
    return statuses


async def test_behind_a_trusted_proxy_each_citizen_has_a_bucket(make_gateway) -> None:
    client = await make_gateway(messages_per_minute_per_ip=2, trusted_proxies=parse_networks(["127.0.0.1/32"]))
    statuses = await _statuses_per_forwarded_client(
        client, ["203.0.113.5", "203.0.113.6", "203.0.113.5", "203.0.113.6", "203.0.113.7"]
    )
    assert statuses == [200, 200, 200, 200, 200]
    # A client cannot buy a fresh bucket by writing an address of its own in front.
    spoofed = await _statuses_per_forwarded_client(client, ["198.51.100.1, 203.0.113.5", "9.9.9.9,203.0.113.6"])
    assert spoofed == [429, 429]


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(make_gateway) -> None:
    client = await make_gateway(messages_per_minute_per_ip=2)
    statuses = await _statuses_per_forwarded_client(client, ["203.0.113.5", "203.0.113.6", "203.0.113.7"])
    assert statuses == [200, 200, 429]  # everybody is the peer 127.0.0.1


async def test_a_body_nested_thousands_deep_is_a_bad_request(gateway: TestClient, fake_rasa: FakeRasa) -> None:
    deep = "[" * 5000 + '"x"' + "]" * 5000
    response = await gateway.post(
        "/api/messages", data='{"message": "hi", "display_text": ' + deep + "}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 400
    assert_bilingual_error(await response.json(), "invalid_request")
    assert fake_rasa.requests == []
