"""The assistant as `make run` starts it: REST channel, privacy, bad input, restart."""

import json
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.support.conversation import post_rest
from tests.support.stack import start_stack

pytestmark = pytest.mark.stack


def texts(reply: object) -> str:
    assert isinstance(reply, list), reply
    return "\n".join(message.get("text") or "" for message in reply)


def sender() -> str:
    return f"it-{uuid.uuid4().hex[:10]}"


def test_rest_channel_answers_in_korean_and_english(live_stack) -> None:
    status, reply = post_rest(live_stack.rasa_url, sender(), "안녕하세요")
    assert status == 200 and "안녕하세요!" in texts(reply)
    status, reply = post_rest(live_stack.rasa_url, sender(), "hello")
    assert status == 200 and "Hello!" in texts(reply)


def all_files_text(folder: Path) -> str:
    chunks = []
    for path in folder.rglob("*"):
        if path.is_file():
            chunks.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(chunks)


def test_resident_number_is_warned_about_and_never_stored(live_stack) -> None:
    status, reply = post_rest(live_stack.rasa_url, sender(), "제 주민번호는 900101-1234567이에요")
    assert status == 200
    assert "주민등록번호는 여기에 입력하지 마세요" in texts(reply)
    # Everything the stack wrote: database (with WAL), tracker store, logs.
    written = all_files_text(live_stack.workdir)
    assert "1234567" not in written
    assert "900101" not in written


def test_a_birth_date_in_english_words_is_not_stored_in_clear(live_stack) -> None:
    status, reply = post_rest(live_stack.rasa_url, sender(), "my date of birth is 7 August 1961")
    assert status == 200 and texts(reply).strip()
    written = all_files_text(live_stack.workdir)
    assert "7 August 1961" not in written
    assert "1961-08-07" not in written  # nor the value the NLU normalised it to


@pytest.mark.parametrize(
    "message",
    [
        "",
        "😀😀😀",
        "\x00\x01\x02\x1b[31m",
        "<img src=x onerror=alert(1)>",
        "'; DROP TABLE events; --",
        "안녕 hello 你好 مرحبا",
        "가" * 3000,
    ],
    ids=["empty", "emoji", "control", "markup", "sql", "mixed-script", "3000-chars"],
)
def test_bad_input_gets_an_answer_not_a_500(live_stack, message: str) -> None:
    status, reply = post_rest(live_stack.rasa_url, sender(), message)
    assert status == 200, reply
    assert texts(reply).strip()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2, 3]",
        b'{"sender": "x", "message": 42}',
        json.dumps({"sender": "x", "message": "x" * 10_000}).encode(),
        b'{"message": "hello"}',
        b'{"sender": true, "message": "hello"}',
        b'{"sender": "x", "message": null}',
        b'{"sender": "x", "message": "\\ud800 lone surrogate"}',
        json.dumps({"sender": "x", "message": "hi", "metadata": {"blob": "x" * 1_000_000}}).encode(),
        json.dumps({"sender": "x", "message": "hi", "metadata": {"a": {"b": {"c": {"d": {"e": 1}}}}}}).encode(),
        json.dumps({"sender": "<script>", "message": "hi"}).encode(),
    ],
    ids=[
        "not-json", "array", "number-message", "10000-chars", "no-sender", "boolean-sender", "null-message",
        "lone-surrogate", "1MB-metadata", "deep-metadata", "markup-sender",
    ],
)
def test_malformed_or_oversized_bodies_get_a_clear_4xx(live_stack, body: bytes) -> None:
    request = urllib.request.Request(
        f"{live_stack.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert 400 <= error.value.code < 500
    assert "error" in json.loads(error.value.read().decode())


def test_http_api_needs_the_token(live_stack) -> None:
    url = f"{live_stack.rasa_url}/conversations/someone/tracker"
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(url, timeout=10)
    assert error.value.code == 401
    with urllib.request.urlopen(f"{url}?token={live_stack.rasa_token}", timeout=10) as response:
        assert response.status == 200


def test_restart_keeps_the_conversation(tmp_path: Path) -> None:
    citizen = sender()
    with start_stack(tmp_path / "stack") as stack:
        status, reply = post_rest(stack.rasa_url, citizen, "영어로 해주세요")
        assert status == 200 and "English" in texts(reply)
    with start_stack(tmp_path / "stack", seed=False) as stack:
        status, reply = post_rest(stack.rasa_url, citizen, "안녕하세요")
        assert status == 200 and "Hello!" in texts(reply), "the language choice was lost in the restart"
        url = f"{stack.rasa_url}/conversations/{citizen}/tracker?token={stack.rasa_token}"
        with urllib.request.urlopen(url, timeout=10) as response:
            events = json.loads(response.read())["events"]
        user_texts = [event.get("text") for event in events if event["event"] == "user"]
        assert user_texts[:2] == ["영어로 해주세요", "안녕하세요"]


def run_staff_command(stack, *args: str) -> str:
    """A staff command against the running stack's database, as a clerk runs it."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", *args], env=stack.env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_staff_fee_change_is_answered_by_the_running_bot(live_stack) -> None:
    run_staff_command(live_stack, "knowledge", "set", "passport_reissue", "fee.ko", "77,700원(시험용)", "--by", "test")
    status, reply = post_rest(live_stack.rasa_url, sender(), "여권 재발급 수수료 얼마예요?")
    assert status == 200 and "77,700원(시험용)" in texts(reply)


def test_staff_status_change_is_reported_by_the_running_bot(live_stack) -> None:
    run_staff_command(
        live_stack, "applications", "move", "2026-0001027", "rejected",
        "--reason", "소득 기준 초과(시험용)", "--reason-en", "Income above the limit (test)", "--by", "test",
    )
    citizen = sender()
    post_rest(live_stack.rasa_url, citizen, "2026-0001027 처리 상태 알려주세요")
    status, reply = post_rest(live_stack.rasa_url, citizen, "1990-07-25")
    assert status == 200 and "소득 기준 초과(시험용)" in texts(reply)
