"""``make run``'s own process tree under a fault: the action server is killed
with SIGKILL. Citizens get the apology in their language meanwhile, the
supervisor starts the action server again, and Rasa and the web gateway never
stop (issue 14, item 6). Also: the Rasa API token is on no command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List

import pytest

from core.outage import APOLOGY
from tests.support.stack import PROJECT_ROOT, free_port, require_model, stack_environment, wait_for_url

TOKEN = "supervised-run-token-0123456789"


def _children(pid: int) -> List[int]:
    """Every descendant of ``pid`` (Linux /proc)."""
    parents: Dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent:
                found.append(child)
                frontier.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _pids_running(root: int, module: str) -> List[int]:
    """The processes under ``root`` that run ``python -m module`` themselves (not their supervisors)."""
    return [pid for pid in _children(root) if f"-m {module}" in _cmdline(pid) and "keep_running" not in _cmdline(pid)]


def _say(rasa_port: int, sender: str, text: str) -> List[str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback test server
        return [reply.get("text", "") for reply in json.loads(response.read())]


@pytest.fixture
def supervised_run(tmp_path: Path):
    require_model()
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    env = stack_environment(tmp_path, rasa_port, action_port, TOKEN)
    env.update(WEB_HOST="127.0.0.1", WEB_PORT=str(web_port), SANIC_WORKERS="1")
    subprocess.run([sys.executable, "-m", "core.bootstrap"], env=env, cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=300)
    log = tmp_path / "run.out"
    with open(log, "ab") as out:
        run = subprocess.Popen([sys.executable, "-m", "core.run"], cwd=PROJECT_ROOT, env=env,
                               stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_url(f"http://127.0.0.1:{action_port}/health", run, log, timeout=180)
        wait_for_url(f"http://127.0.0.1:{rasa_port}/", run, log, timeout=300)
        wait_for_url(f"http://127.0.0.1:{web_port}/healthz", run, log, timeout=120)
        yield run, rasa_port, action_port, web_port, log
    finally:
        os.killpg(run.pid, signal.SIGINT)
        try:
            run.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)


def test_a_killed_action_server_is_restarted_while_rasa_and_the_gateway_keep_serving(supervised_run) -> None:
    run, rasa_port, action_port, web_port, log = supervised_run
    for pid in _children(run.pid):
        assert TOKEN not in _cmdline(pid), f"the API token is on the command line of {_cmdline(pid)[:80]}"
    rasa_before = _pids_running(run.pid, "core.serve_rasa")
    web_before = _pids_running(run.pid, "channels.web")
    [action_server] = _pids_running(run.pid, "core.action_server")
    assert rasa_before and web_before
    assert any("운전면허" in text or "면허" in text for text in _say(rasa_port, "before", "운전면허 갱신 서류 알려줘"))

    os.kill(action_server, signal.SIGKILL)
    during = _say(rasa_port, "during", "what documents do I need for a passport renewal?")
    assert during == [APOLOGY["en"]]

    deadline = time.monotonic() + 120
    restarted: List[int] = []
    while time.monotonic() < deadline and not restarted:
        restarted = [pid for pid in _pids_running(run.pid, "core.action_server") if pid != action_server]
        time.sleep(0.2)
    assert restarted, log.read_text()[-3000:]
    wait_for_url(f"http://127.0.0.1:{action_port}/health", run, log, timeout=120)
    after = _say(rasa_port, "after", "여권 재발급 서류 알려 주세요")
    assert after and APOLOGY["ko"] not in after and any("여권" in text for text in after)

    assert _pids_running(run.pid, "core.serve_rasa") == rasa_before  # never stopped
    assert _pids_running(run.pid, "channels.web") == web_before
    assert run.poll() is None
    assert "actions exited with status -9; restarting in 1 s" in log.read_text()
