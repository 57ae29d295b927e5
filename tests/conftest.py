"""Fixtures shared by every test package.

The trained model is made once per test run by ``make test`` (``make train``
skips when nothing changed) and reused here: ``rasa_agent`` loads it in-process
with a real action server, ``live_stack`` runs Rasa and the action server as
processes, as ``make run`` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Iterator

import pytest

from tests.support.stack import PROJECT_ROOT, Stack, free_port, require_model, stack_environment, start_stack

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

# Several Sanic apps (Rasa's, channel test apps) start in one test process;
# outside test mode Sanic refuses a second app with the same internal state.
from sanic import Sanic  # noqa: E402

Sanic.test_mode = True
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Rasa and the action server running as processes, on a seeded database."""
    with start_stack(tmp_path_factory.mktemp("live-stack")) as stack:
        yield stack


@pytest.fixture(scope="session")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running action server on a seeded database; yields its webhook URL."""
    workdir = tmp_path_factory.mktemp("agent-actions")
    port = free_port()
    env = stack_environment(workdir, free_port(), port, "unused")
    subprocess.run([sys.executable, "-m", "core.bootstrap"], env=env, cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=300)
    log = workdir / "actions.out"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "core.action_server"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        from tests.support.stack import wait_for_url

        wait_for_url(f"http://127.0.0.1:{port}/health", process, log, timeout=120)
        os.environ["DATABASE_URL"] = env["DATABASE_URL"]
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def rasa_agent(action_server: str):  # type: ignore[no-untyped-def]
    """The project's trained model loaded in-process, with the real action server."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    return Agent.load(str(require_model()), action_endpoint=EndpointConfig(url=action_server))
