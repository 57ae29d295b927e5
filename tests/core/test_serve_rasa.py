"""The Rasa API token never on a command line."""

from __future__ import annotations

import pytest

from core.serve_rasa import rasa_argv


def test_the_token_comes_from_the_environment() -> None:
    argv = rasa_argv(["--enable-api", "--port", "5005"], {"RASA_TOKEN": "s3cret-token"})
    assert argv == ["rasa", "run", "--enable-api", "--port", "5005", "--auth-token", "s3cret-token"]
    assert rasa_argv(["--enable-api"], {}) == ["rasa", "run", "--enable-api"]


@pytest.mark.parametrize("flag", [["--auth-token", "x"], ["--auth-token=x"]])
def test_a_token_on_the_command_line_is_refused(flag: list) -> None:
    with pytest.raises(SystemExit, match="RASA_TOKEN"):
        rasa_argv(["--enable-api", *flag], {"RASA_TOKEN": "t"})
