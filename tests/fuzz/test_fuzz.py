"""A few hundred hostile inputs on every public edge of a fresh stack: no 5xx,
no dropped connection, every process still up (``make fuzz`` sends 10,000)."""

from __future__ import annotations

from pathlib import Path

from tests.fuzz.campaign import fuzz_stack


async def test_hostile_inputs_never_get_a_server_error(tmp_path: Path) -> None:
    report, down = await fuzz_stack(count=450, seed=2026, workdir=tmp_path)
    assert report.sent == 450
    assert not report.server_errors, report.describe()
    assert not report.connection_errors, report.describe()
    assert not down
    # Every edge was reached, and some inputs on each were ordinary enough to be answered.
    assert set(report.statuses) == {"rest", "web", "telegram"}
    assert all(counter[200] > 0 and counter[400] > 0 for counter in report.statuses.values()), report.describe()
