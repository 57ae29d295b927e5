"""Rasa's own starter bot (``rasa init --no-prompt``), built once under
``build/stock_bot`` with the project's virtual environment, and served beside
our stack so both are measured in one run on the same machine.

It is served the way a stock bot runs: REST channel, in-memory tracker store,
no action server, one Sanic worker.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, Optional

from tests.support.stack import PROJECT_ROOT, free_port, wait_for_url

STOCK_DIR = PROJECT_ROOT / "build" / "stock_bot"
VENV_BIN = Path(sys.executable).parent


def stock_model() -> Optional[Path]:
    """The newest trained stock model, or None when there is none yet."""
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz"), key=lambda path: path.stat().st_mtime)
    return models[-1] if models else None


def _environment() -> dict:
    env = dict(os.environ)
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    return env


def ensure_stock_model() -> Path:
    """Build the starter bot and train it unless a trained one is cached; return its model."""
    model = stock_model()
    if model is not None:
        return model
    STOCK_DIR.mkdir(parents=True, exist_ok=True)
    print(f"building the stock bot in {STOCK_DIR.relative_to(PROJECT_ROOT)} (once; cached)", flush=True)
    started = time.monotonic()
    subprocess.run(
        [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(STOCK_DIR)],
        cwd=PROJECT_ROOT, env=_environment(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        timeout=3600,
    )
    model = stock_model()
    if model is None:
        raise RuntimeError("rasa init trained no model")
    print(f"stock bot trained in {time.monotonic() - started:.0f} s", flush=True)
    return model


@contextlib.contextmanager
def serve_stock_bot(log_dir: Path) -> Iterator[str]:
    """Run the stock bot on a free loopback port until the block ends; yields its URL."""
    model = ensure_stock_model()
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / "stock_rasa.out"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [
                str(VENV_BIN / "rasa"), "run", "--model", str(model),
                "--credentials", str(STOCK_DIR / "credentials.yml"),
                "--interface", "127.0.0.1", "--port", str(port),
            ],
            cwd=STOCK_DIR, env=_environment(), stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_url(f"{url}/", process, log, timeout=240)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
