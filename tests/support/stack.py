"""Start the real action server and Rasa server as processes, for tests.

``start_stack`` runs the same commands as the Procfile, on free ports of
127.0.0.1, with the database, logs and tracker store under a folder the test
owns, and stops both processes when the ``with`` block ends. Starting it twice
on the same folder is a restart: the conversation history is kept.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# ASSISTANT_TEST_MODEL lets a branch with its own training data test against its
# own model without replacing the shared one under models/.
MODEL_PATH = Path(os.environ.get("ASSISTANT_TEST_MODEL") or PROJECT_ROOT / "models" / "assistant.tar.gz")
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def require_model() -> Path:
    """The trained model; fails (never skips) with the command that makes it."""
    if not MODEL_PATH.exists():
        raise RuntimeError(f"{MODEL_PATH} is missing: run 'make train' first (make test does)")
    return MODEL_PATH


@dataclass
class Stack:
    """A running action server and Rasa server."""

    workdir: Path
    rasa_port: int
    action_port: int
    rasa_token: str
    env: Dict[str, str]
    processes: List[subprocess.Popen] = field(default_factory=list)
    started_at: float = 0.0  # time.monotonic() just before the first process started
    replica_ports: List[int] = field(default_factory=list)  # every Rasa process's port, rasa_port first

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def log_dir(self) -> Path:
        return self.workdir / "logs"


def stack_environment(workdir: Path, rasa_port: int, action_port: int, token: str) -> Dict[str, str]:
    """Environment for both processes: everything under ``workdir``."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        ASSISTANT_VAR_DIR=str(workdir),
        DATABASE_URL=f"sqlite:///{workdir / 'assistant.db'}",
        RASA_HOST="127.0.0.1",
        RASA_PORT=str(rasa_port),
        ACTION_HOST="127.0.0.1",
        ACTION_PORT=str(action_port),
        SANIC_HOST="127.0.0.1",
        RASA_TOKEN=token,
    )
    # The same number of Rasa workers as `make run` (core.run), unless the caller's environment sets it.
    from core.settings import get_settings

    env["SANIC_WORKERS"] = str(get_settings(env).rasa_workers)
    env.pop("TELEGRAM_TOKEN", None)
    return env


def wait_for_url(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    """Return once ``url`` answers 200; raise with the log's tail if ``process`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up within {timeout:.0f} s:\n{log.read_text()[-4000:]}")


def _signal_group(process: subprocess.Popen, signal_number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal_number)  # each process leads its own group (start_new_session)


def _stop(processes: List[subprocess.Popen]) -> None:
    """Stop every process and whatever it forked: Rasa with several Sanic
    workers forks them, and a worker outlives a parent that is killed."""
    for process in processes:
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        _signal_group(process, signal.SIGKILL)  # a worker left behind


@contextlib.contextmanager
def start_stack(
    workdir: Path,
    token: Optional[str] = None,
    seed: bool = True,
    extra_env: Optional[Dict[str, str]] = None,
    rasa_replicas: int = 1,
) -> Iterator[Stack]:
    """Run the action server and Rasa (with the REST channel and the token-protected
    HTTP API) until the block ends; the database is created and seeded first.

    ``extra_env`` is added to both processes' environment (e.g. a PostgreSQL
    ``DATABASE_URL`` and a ``REDIS_URL``); ``rasa_replicas`` above 1 starts
    more Rasa processes on the same database, on ``stack.replica_ports``."""
    model = require_model()
    workdir.mkdir(parents=True, exist_ok=True)
    stack = Stack(workdir, free_port(), free_port(), token or secrets.token_urlsafe(16), {})
    stack.env = stack_environment(workdir, stack.rasa_port, stack.action_port, stack.rasa_token)
    stack.env.update(extra_env or {})
    stack.replica_ports = [stack.rasa_port] + [free_port() for _ in range(rasa_replicas - 1)]
    stack.log_dir.mkdir(exist_ok=True)
    if seed:
        subprocess.run([sys.executable, "-m", "core.bootstrap"], env=stack.env, cwd=PROJECT_ROOT, check=True,
                       capture_output=True, timeout=300)
    action_log = stack.log_dir / "actions.out"
    stack.started_at = time.monotonic()
    try:
        with open(action_log, "ab") as out:
            actions = subprocess.Popen(
                [sys.executable, "-m", "core.action_server"],
                cwd=PROJECT_ROOT, env=stack.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        stack.processes.append(actions)
        replicas = []
        for index, port in enumerate(stack.replica_ports):
            suffix = f"-{index}" if index else ""
            with open(stack.log_dir / f"rasa{suffix}.out", "ab") as out:
                rasa = subprocess.Popen(
                    [
                        sys.executable, "-m", "core.serve_rasa", "--model", str(model),
                        "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
                        "--interface", "127.0.0.1", "--port", str(port),
                        "--enable-api",  # the token comes from RASA_TOKEN in stack.env
                        "--log-file", str(stack.log_dir / f"rasa{suffix}.log"),
                    ],
                    cwd=PROJECT_ROOT, env=stack.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                )
            stack.processes.append(rasa)
            replicas.append((port, rasa, stack.log_dir / f"rasa{suffix}.out"))
        wait_for_url(f"{stack.action_url}/health", actions, action_log, timeout=120)
        for port, rasa, log in replicas:
            wait_for_url(f"http://127.0.0.1:{port}/", rasa, log, timeout=240)
        yield stack
    finally:
        _stop(stack.processes)
