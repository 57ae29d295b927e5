"""Restart a process that dies, so that one crash does not stop the assistant.

``make run`` starts its processes with honcho, which stops *all* of them when
any one exits: an action server killed by the out-of-memory killer used to
take Rasa and the web gateway down with it. Each Procfile entry therefore runs
through this small supervisor::

    python -m core.keep_running NAME -- COMMAND [ARGS...]

It runs COMMAND, and when COMMAND exits without having been asked to stop, it
logs the exit and starts it again after a back-off that doubles from 1 s up to
30 s (reset once a run has lasted a minute), the way Kubernetes restarts a
container in production. SIGTERM, SIGINT and SIGHUP are passed to COMMAND and
end the supervisor once COMMAND has exited, with COMMAND's exit status, so
honcho's Ctrl-C still stops everything.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@dataclass(frozen=True)
class Backoff:
    """Seconds to wait before restart ``n`` (1, 2, 4 ... ``ceiling``)."""

    first: float = 1.0
    ceiling: float = 30.0
    healthy_after: float = 60.0

    def delay(self, restarts: int) -> float:
        """The wait before the ``restarts``-th restart in a row (counting from 1)."""
        return min(self.ceiling, self.first * 2 ** max(0, restarts - 1))


class Supervisor:
    """Keeps one command running until it is told to stop."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        backoff: Backoff = Backoff(),
        log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.backoff = backoff
        self._log = log
        self._clock = clock
        self._child: Optional[subprocess.Popen] = None
        self._stopping: Optional[int] = None
        self.restarts = 0

    def stop(self, signum: int, _frame: object = None) -> None:
        """Pass ``signum`` on to the command and do not restart it again."""
        self._stopping = signum
        if self._child is not None and self._child.poll() is None:
            self._child.send_signal(signum)

    def run(self) -> int:
        """Run (and rerun) the command; returns its exit status once stopped."""
        for signum in STOP_SIGNALS:
            signal.signal(signum, self.stop)
        in_a_row = 0
        while True:
            started = self._clock()
            self._child = subprocess.Popen(self.command)  # noqa: S603 - the Procfile's own command
            code = self._child.wait()
            if self._stopping is not None:
                return code
            in_a_row = 1 if self._clock() - started >= self.backoff.healthy_after else in_a_row + 1
            delay = self.backoff.delay(in_a_row)
            self.restarts += 1
            self._log(
                f"{self.name} exited with status {code}; restarting in {delay:g} s (restart {self.restarts})"
            )
            if self._sleep_unless_stopped(delay):
                return code

    def _sleep_unless_stopped(self, seconds: float) -> bool:
        deadline = self._clock() + seconds
        while self._clock() < deadline:
            if self._stopping is not None:
                return True
            time.sleep(min(0.1, max(0.0, deadline - self._clock())))
        return self._stopping is not None


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m core.keep_running NAME -- COMMAND ...``"""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 3 or args[1] != "--":
        print("usage: python -m core.keep_running NAME -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    return Supervisor(args[0], args[2:]).run()


if __name__ == "__main__":
    sys.exit(main())
