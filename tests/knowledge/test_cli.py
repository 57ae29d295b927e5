"""The staff command-line tool, run in-process as `python -m knowledge` would."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import get_engine, session_scope
from core.settings import PROJECT_ROOT
from knowledge.cli import main
from knowledge.models import AuditLog, Service
from tests.knowledge.conftest import MINI_CATALOGUE


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run(*argv: str) -> tuple:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_validate_ok_and_invalid(database: str, tmp_path: Path) -> None:
    assert run("validate", str(MINI_CATALOGUE))[0] == 0
    broken = tmp_path / "bad"
    shutil.copytree(MINI_CATALOGUE, broken)
    path = broken / "services" / "permits.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("fee: 5000", "fee: [5000]"), encoding="utf-8")
    code, out = run("validate", str(broken))
    assert code == 1
    assert "services/permits.yml: entry 'boat_licence': field 'fee' must be text" in out


def test_import_set_show_list_history(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "clerk_park")
    code, out = run("import", str(MINI_CATALOGUE))
    assert code == 0 and "recorded in the audit log by clerk_park" in out
    code, out = run("set", "fishing_permit", "fee.ko", "4,500원", "--by", "kim")
    assert code == 0
    with session_scope(get_engine(database)) as session:
        assert session.get(Service, "fishing_permit").fee_ko == "4,500원"
        last = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
        assert (last.actor, last.field, last.new_value) == ("kim", "fee.ko", "4,500원")
    assert "4,500원" in run("show", "fishing_permit")[1]
    code, out = run("list", "--agency", "test_agency")
    assert code == 0 and "fishing_permit" in out and "2 service(s)" in out
    assert "kim" in run("history", "fishing_permit")[1]
    code, out = run("set", "boat_licence", "documents.en", "Photo ID; Boat photo", "--by", "kim")
    with session_scope(get_engine(database)) as session:
        assert session.get(Service, "boat_licence").documents_en == ["Photo ID", "Boat photo"]


def test_refusals_exit_1_and_change_nothing(database: str) -> None:
    run("import", str(MINI_CATALOGUE))
    assert run("set", "no_such_service", "fee.ko", "1원")[0] == 1
    code, out = run("set", "fishing_permit", "name.ko", "", "--by", "kim")
    assert code == 1 and "field 'name.ko' must be non-empty text" in out and "Nothing was changed" in out
    assert run("set", "fishing_permit", "colour", "blue")[0] == 1
    assert run("show", "no_such_service")[0] == 1
    assert run("list", "--agency", "nowhere")[0] == 1
    with session_scope(get_engine(database)) as session:
        assert session.get(Service, "fishing_permit").name_ko == "낚시 허가"


def test_search_explains_the_decision(database: str) -> None:
    run("import", str(MINI_CATALOGUE))
    code, out = run("search", "낚시허가 수수료")
    assert code == 0 and "one clear match" in out and "fishing_permit" in out


def test_export_writes_yaml(database: str, tmp_path: Path) -> None:
    run("import", str(MINI_CATALOGUE))
    code, out = run("export", str(tmp_path / "out"))
    assert code == 0 and (tmp_path / "out" / "services" / "permits.yml").exists()


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as error:
        main(["no-such-command"], out=io.StringIO())
    assert error.value.code == 2


def test_module_entry_point_prints_help(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "knowledge", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0 and "import" in result.stdout and "exit codes" in result.stdout
