"""Rasa runs as many Sanic workers as SANIC_WORKERS says, every one of them up.

Each worker opens the tracker and lock stores after Rasa forks it; when two
created the same table at once, the loser died at start-up and the server
went on with one worker (half the throughput on two cores) without a word
but a traceback in its log. core.serve_rasa now creates the tables before
the fork (core.db.create_tables tolerates the race too)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from core.settings import get_settings
from tests.support.stack import Stack

pytestmark = pytest.mark.stack

READY_WITHIN_S = 120


def _children(pid: int) -> list:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def test_every_rasa_worker_starts_and_stays_up(live_stack: Stack) -> None:
    workers = get_settings(live_stack.env).rasa_workers
    rasa = next(p for p in live_stack.processes if "core.serve_rasa" in " ".join(map(str, p.args)))
    log = live_stack.log_dir / "rasa.out"
    deadline = time.monotonic() + READY_WITHIN_S
    while time.monotonic() < deadline and log.read_text(errors="replace").count("up and running") < workers:
        time.sleep(0.5)
    text = log.read_text(errors="replace")
    assert text.count("up and running") == workers, text[-3000:]
    assert "already exists" not in text
    if workers > 1:
        assert len(_children(rasa.pid)) == workers
    else:
        assert rasa.poll() is None
