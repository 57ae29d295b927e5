"""A broken responses file is refused with a log line and the last good
responses stay in use (issue 14, item 6)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from actions.responses import RESPONSES_DIR, ResponseFileError, load_responses, read_responses

GOOD = """responses:
  utter_demo:
    - condition: [{type: slot, name: language, value: en}]
      text: "Hello"
    - condition: [{type: slot, name: language, value: ko}]
      text: "안녕하세요"
"""
FIXED = GOOD.replace("Hello", "Hello again")


def _write(path: Path, text: str, tick: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (1_700_000_000 + tick, 1_700_000_000 + tick))  # a new stamp each write


@pytest.mark.parametrize(
    "broken",
    [
        GOOD[: GOOD.index("- condition: [{type: slot, name: language, value: ko}]")],  # half saved
        GOOD.replace('text: "Hello"', 'text: "Hello'),  # not YAML any more
        GOOD.replace('text: "Hello"', "text:"),  # a variation without text
        "responses: [1, 2]\n",
    ],
)
def test_a_broken_file_keeps_the_last_good_responses(tmp_path: Path, caplog, broken: str) -> None:
    path = tmp_path / "demo.yml"
    _write(path, GOOD, 1)
    assert load_responses(tmp_path)["utter_demo"][0]["text"] == "Hello"

    _write(path, broken, 2)
    with caplog.at_level(logging.ERROR, logger="actions.responses"):
        assert load_responses(tmp_path)["utter_demo"][0]["text"] == "Hello"
        assert load_responses(tmp_path)["utter_demo"][0]["text"] == "Hello"
    refusals = [record for record in caplog.records if "not reloaded" in record.getMessage()]
    assert len(refusals) == 1 and "demo.yml" in refusals[0].getMessage()

    _write(path, FIXED, 3)
    assert load_responses(tmp_path)["utter_demo"][0]["text"] == "Hello again"


def test_a_broken_file_at_start_up_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "fresh"
    other.mkdir()
    _write(other / "demo.yml", GOOD.replace('text: "안녕하세요"', "text:"), 1)
    with pytest.raises(ResponseFileError, match="demo.yml"):
        load_responses(other)


def test_the_projects_own_files_pass_the_checks() -> None:
    assert len(read_responses(RESPONSES_DIR)) > 50
