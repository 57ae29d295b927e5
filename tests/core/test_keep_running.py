"""The supervisor ``make run`` puts in front of every process: a crash is
restarted, a stop request stops it for good."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.keep_running import Backoff, main
from tests.support.stack import PROJECT_ROOT


def _supervise(tmp_path: Path, script: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "core.keep_running", "demo", "--", sys.executable, "-c", script],
        cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stderr=subprocess.PIPE, text=True,
    )


def _wait_for_lines(path: Path, count: int, timeout: float = 20.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count:
            return lines
        time.sleep(0.05)
    raise AssertionError(f"only {path.read_text() if path.exists() else ''!r} after {timeout} s")


def test_a_killed_process_is_started_again_and_a_stop_request_ends_it(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    script = (
        "import os, time\n"
        f"open({str(starts)!r}, 'a').write(str(os.getpid()) + '\\n')\n"
        "time.sleep(600)\n"
    )
    supervisor = _supervise(tmp_path, script)
    try:
        first = int(_wait_for_lines(starts, 1)[0])
        os.kill(first, signal.SIGKILL)  # as the out-of-memory killer would
        second = int(_wait_for_lines(starts, 2)[1])
        assert second != first and supervisor.poll() is None

        supervisor.send_signal(signal.SIGTERM)  # honcho's Ctrl-C
        assert supervisor.wait(timeout=20) != 0
        time.sleep(1.5)
        assert len(starts.read_text().splitlines()) == 2  # not started again
        try:
            os.kill(second, 0)
            raise AssertionError("the command outlived its supervisor")
        except ProcessLookupError:
            pass
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    _, stderr = supervisor.communicate()
    assert "demo exited with status -9; restarting in 1 s (restart 1)" in stderr


def test_a_command_that_keeps_failing_waits_longer_each_time() -> None:
    backoff = Backoff(first=1.0, ceiling=30.0)
    assert [backoff.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_usage_is_explained() -> None:
    assert main(["demo"]) == 2
    assert main(["demo", "python"]) == 2
