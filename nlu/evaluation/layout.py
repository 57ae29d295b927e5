"""Where the evaluation reads its inputs and writes its outputs.

Every path is relative to the repository root (the working directory of
``make eval``), so the commands work from a fresh checkout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List

LANGUAGES = ("ko", "en")


@dataclass(frozen=True)
class Layout:
    """The files and folders of one evaluation run."""

    root: Path

    @property
    def training_data(self) -> Path:
        """Training data, one folder per language (nlu/data/ko, nlu/data/en)."""
        return self.root / "nlu" / "data"

    @property
    def test_split(self) -> Path:
        """Held-out test split, one folder per language."""
        return self.root / "nlu" / "test"

    @property
    def holdout_split(self) -> Path:
        """The blind hold-out split, written without reading nlu/data or nlu/test."""
        return self.root / "nlu" / "holdout"

    @property
    def held_out_splits(self) -> List[Path]:
        """Every held-out split ``make eval`` scores, the test split first."""
        return [self.test_split, self.holdout_split]

    @property
    def config(self) -> Path:
        """The project's pipeline."""
        return self.root / "config.yml"

    @property
    def baseline_config(self) -> Path:
        """Rasa's default pipeline, the point of comparison."""
        return self.root / "nlu" / "baseline_config.yml"

    @property
    def model(self) -> Path:
        """The model ``make train`` writes and the assistant serves."""
        return self.root / "models" / "assistant.tar.gz"

    @property
    def build(self) -> Path:
        """Models the evaluation trains itself (never models/)."""
        return self.root / "build" / "eval"

    @property
    def reports(self) -> Path:
        """Report folder (git-ignored)."""
        return self.root / "reports" / "nlu"

    def reports_for(self, split: Path) -> Path:
        """Report folder for a held-out split: reports/nlu/ for nlu/test,
        reports/nlu/<folder name>/ for any other split."""
        if split.resolve() == self.test_split.resolve():
            return self.reports
        return self.reports / split.resolve().name

    def relative(self, path: Path) -> str:
        """``path`` relative to the repository root when it is inside it."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def default_layout() -> Layout:
    """The layout of the repository this package lives in."""
    return Layout(Path(__file__).resolve().parents[2])
