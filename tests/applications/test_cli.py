from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest

from applications.cli import run
from applications.hashing import BirthDateHasher
from applications.models import Application
from applications.verification import Outcome, check_application
from core.db import create_schema, get_engine, session_scope


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """A database URL and var dir for the CLI, and the hasher it will use."""
    monkeypatch.setenv("ASSISTANT_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ASSISTANT_HASH_SALT", "cli-test-pepper")
    url = f"sqlite:///{tmp_path}/cli.db"
    return url, BirthDateHasher(b"cli-test-pepper")


def cli(url, *args, at=datetime(2026, 6, 1, 1, 0)):
    out = io.StringIO()
    code = run(["--database-url", url, *args], clock=lambda: at, out=out)
    return code, out.getvalue()


def test_add_prints_a_valid_number_and_stores_no_birth_date(cli_env):
    url, hasher = cli_env
    code, output = cli(url, "add", "--service", "passport_reissue", "--birth-date", "1985-03-12")
    number = output.strip()
    assert code == 0 and len(number) == 12
    with session_scope(get_engine(url)) as session:
        application = session.query(Application).filter_by(number=number).one()
        stored = " ".join(str(value) for value in vars(application).values())
        assert "1985" not in stored and "850312" not in stored
        assert application.service_name_en == "Passport reissuance"
        assert application.expected_completion == date(2026, 6, 11)
    result = check_application(
        get_engine(url),
        number=number,
        birth_date=date(1985, 3, 12),
        sender_id="s",
        hasher=hasher,
        now=datetime(2026, 6, 1, 2, 0),
    )
    assert result.outcome is Outcome.VERIFIED


def test_move_records_history_and_show_never_prints_the_birth_date(cli_env):
    url, _ = cli_env
    _, output = cli(url, "add", "--service", "child_allowance", "--birth-date", "1990-07-25")
    number = output.strip()
    code, _ = cli(
        url,
        "move",
        number,
        "supplement_requested",
        "--documents",
        "가족관계증명서; 통장 사본",
        "--documents-en",
        "Family relation certificate; Copy of bankbook",
        "--deadline",
        "2026-06-20",
        "--by",
        "Kim Minji",
        at=datetime(2026, 6, 2, 1, 0),
    )
    assert code == 0
    code, shown = cli(url, "show", number)
    assert code == 0
    assert "supplement_requested" in shown and "Kim Minji" in shown and "가족관계증명서" in shown
    assert "1990" not in shown and "900725" not in shown


@pytest.mark.parametrize(
    "args, message",
    [
        (["move", "{n}", "supplement_requested", "--by", "Kim"], "--documents"),
        (["move", "{n}", "rejected", "--by", "Kim"], "--reason"),
        (["move", "{n}", "completed", "--by", "Kim"], "--force"),
        (["move", "2026-0001019", "in_review", "--by", "Kim"], "no application"),
        (["add", "--service", "unknown_service", "--birth-date", "1985-03-12"], "--name-ko"),
        (["add", "--service", "passport_issue", "--birth-date", "1985-02-30"], "birth date"),
    ],
)
def test_refusals_explain_what_to_fix(cli_env, capsys, args, message):
    url, _ = cli_env
    _, output = cli(url, "add", "--service", "passport_issue", "--birth-date", "2001-11-05")
    number = output.strip()
    code, _ = cli(url, *[arg.replace("{n}", number) for arg in args])
    assert code == 1
    assert message in capsys.readouterr().err


def test_a_mistyped_number_is_a_usage_error(cli_env, capsys):
    url, _ = cli_env
    with pytest.raises(SystemExit) as caught:
        cli(url, "show", "2026-0001018")
    assert caught.value.code == 2
    assert "check digit" in capsys.readouterr().err


def test_force_allows_a_correction(cli_env):
    url, _ = cli_env
    _, output = cli(url, "add", "--service", "passport_issue", "--birth-date", "2001-11-05")
    code, text = cli(url, "move", output.strip(), "completed", "--by", "Lee", "--force")
    assert code == 0 and "completed" in text


def test_unlock_by_number(cli_env):
    url, hasher = cli_env
    engine = create_schema(get_engine(url))
    start = datetime(2026, 6, 1, 1, 0)
    for i in range(10):
        check_application(
            engine,
            number="2026-0001019",
            birth_date=date(1985, 3, 12),
            sender_id=f"s{i}",
            hasher=hasher,
            now=start + timedelta(seconds=i),
        )
    code, text = cli(url, "unlock", "--number", "2026-0001019")
    assert code == 0 and "1 lockout" in text
