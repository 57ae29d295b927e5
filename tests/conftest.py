"""Fixtures shared by every test package.

The trained model is made once per test run by ``make test`` (``make train``
skips when nothing changed) and reused here: ``rasa_agent`` loads it in-process
with a real action server, ``live_stack`` runs Rasa and the action server as
processes, as ``make run`` does.

Backends: by default everything runs on SQLite files, as ``make run`` does.
With ``ASSISTANT_TEST_BACKEND=postgres`` one PostgreSQL and one Redis server
(Debian's packages, in a temporary folder) are started for the session; the
action server and ``live_stack`` each get a fresh PostgreSQL database as
``DATABASE_URL`` and Redis as ``REDIS_URL`` (the lock store), and
``rasa_agent`` keeps its conversations in the project's SQL tracker store on
that database with the project's lock store, as the replicas of ``make cluster`` do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterator

import pytest

from tests.support.stack import PROJECT_ROOT, Stack, free_port, require_model, stack_environment, start_stack

if TYPE_CHECKING:
    from scripts.cluster_services import Postgres, Redis

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

# Several Sanic apps (Rasa's, channel test apps) start in one test process;
# outside test mode Sanic refuses a second app with the same internal state.
from sanic import Sanic  # noqa: E402

Sanic.test_mode = True
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

#: "sqlite" (default) or "postgres": see the module docstring.
TEST_BACKEND = os.environ.get("ASSISTANT_TEST_BACKEND", "").strip().lower() or "sqlite"
BACKENDS = ("sqlite", "postgres")

BackendEnv = Callable[[], Dict[str, str]]


@pytest.fixture(scope="session")
def server_root() -> Iterator[Path]:
    """A folder the postgres user can reach (pytest's own tmp folders are private to root)."""
    root = Path(tempfile.mkdtemp(prefix="test-servers-"))
    os.chmod(root, 0o755)  # noqa: S103 - others traverse, never write
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server(server_root: Path) -> Iterator["Postgres"]:
    """PostgreSQL (Debian's) on a free loopback port for the whole session."""
    from scripts.cluster_services import postgres

    with postgres(server_root / "postgres") as server:
        yield server


@pytest.fixture(scope="session")
def redis_server(server_root: Path) -> Iterator["Redis"]:
    """Redis (Debian's) on a free loopback port for the whole session."""
    from scripts.cluster_services import redis

    with redis(server_root / "redis") as server:
        yield server


@pytest.fixture(scope="session")
def backend_env(request: pytest.FixtureRequest) -> BackendEnv:
    """Returns, on each call, the environment a new stack adds for the selected
    backend: nothing for SQLite; a fresh PostgreSQL ``DATABASE_URL`` and the
    session's ``REDIS_URL`` for PostgreSQL. An unknown backend fails the run."""
    if TEST_BACKEND not in BACKENDS:
        pytest.fail(f"ASSISTANT_TEST_BACKEND must be one of {', '.join(BACKENDS)}, got {TEST_BACKEND!r}")
    if TEST_BACKEND == "sqlite":
        return dict
    from tests.scaleout.conftest import new_database

    pg, lock_server = request.getfixturevalue("pg_server"), request.getfixturevalue("redis_server")
    return lambda: {"DATABASE_URL": new_database(pg), "REDIS_URL": lock_server.url}


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory, backend_env: BackendEnv) -> Iterator[Stack]:
    """Rasa and the action server running as processes, on a seeded database."""
    with start_stack(tmp_path_factory.mktemp("live-stack"), extra_env=backend_env()) as stack:
        yield stack


@pytest.fixture(scope="session")
def action_server(tmp_path_factory: pytest.TempPathFactory, backend_env: BackendEnv) -> Iterator[str]:
    """A running action server on a seeded database; yields its webhook URL.

    The database's URL (and with PostgreSQL the lock store's ``REDIS_URL``) is
    also put in this process's environment, for tests that read what the
    actions wrote and for ``rasa_agent``'s stores."""
    workdir = tmp_path_factory.mktemp("agent-actions")
    port = free_port()
    env = stack_environment(workdir, free_port(), port, "unused")
    env.update(backend_env())
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
        if "REDIS_URL" in env:
            os.environ["REDIS_URL"] = env["REDIS_URL"]
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def rasa_agent(action_server: str):  # type: ignore[no-untyped-def]
    """The project's trained model loaded in-process, with the real action server."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    if TEST_BACKEND == "sqlite":
        return Agent.load(str(require_model()), action_endpoint=EndpointConfig(url=action_server))
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore

    # The stores endpoints.yml names, on the action server's DATABASE_URL and REDIS_URL.
    return Agent.load(
        str(require_model()),
        action_endpoint=EndpointConfig(url=action_server),
        tracker_store=TrackerStore.create(EndpointConfig(type="core.tracker_store.MaskingSQLTrackerStore")),
        lock_store=LockStore.create(EndpointConfig(type="core.lock_store.ProjectLockStore")),
    )


@pytest.fixture
async def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, driven by Playwright (no ``playwright install``)."""
    from playwright.async_api import async_playwright

    from tests.channels.web.pages import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()
