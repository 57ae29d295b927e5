"""Where ``make eval`` reads a held-out split and writes its report."""

from __future__ import annotations

from pathlib import Path

from nlu.evaluation.__main__ import parser
from nlu.evaluation.layout import Layout


def test_the_test_split_reports_in_reports_nlu_and_another_split_in_its_own_folder(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    assert layout.reports_for(tmp_path / "nlu" / "test") == tmp_path / "reports" / "nlu"
    assert layout.reports_for(tmp_path / "nlu" / "holdout") == tmp_path / "reports" / "nlu" / "holdout"


def test_eval_takes_a_split_and_defaults_to_none() -> None:
    assert parser().parse_args(["eval"]).split is None
    assert parser().parse_args(["eval", "--split", "nlu/holdout"]).split == Path("nlu/holdout")
