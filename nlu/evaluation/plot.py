"""Confusion-matrix images (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

# Noto Sans CJK (Debian fonts-noto-cjk) draws Hangul; DejaVu Sans is the fallback.
_FONTS = ["Noto Sans CJK KR", "Noto Sans CJK JP", "DejaVu Sans"]


def save_confusion_matrix(
    labels: Sequence[str], matrix: Sequence[Sequence[int]], title: str, path: Path
) -> Path:
    """Draw ``matrix`` (rows gold, columns predicted) as a PNG at ``path``.

    Cells show their count; the diagonal is what the model got right.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = _FONTS
    size = max(6.0, 0.42 * len(labels) + 3)
    figure, axes = plt.subplots(figsize=(size + 1.5, size))
    try:
        image = axes.imshow(matrix, cmap="Blues")
        axes.set_xticks(range(len(labels)), labels=labels, rotation=90, fontsize=8)
        axes.set_yticks(range(len(labels)), labels=labels, fontsize=8)
        axes.set_xlabel("predicted intent")
        axes.set_ylabel("gold intent")
        axes.set_title(title)
        peak = max((max(row) for row in matrix), default=0)
        for row, counts in enumerate(matrix):
            for column, count in enumerate(counts):
                if count:
                    colour = "white" if count > peak / 2 else "black"
                    axes.text(column, row, str(count), ha="center", va="center", fontsize=7, color=colour)
        figure.colorbar(image, ax=axes, fraction=0.03)
        figure.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=110)
    finally:
        plt.close(figure)
    return path
