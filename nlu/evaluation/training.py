"""Training NLU models for evaluation with Rasa's Python API.

A model is retrained only when its inputs changed: a fingerprint of the config
and every training file is stored next to the model, so running ``make eval``
twice trains the baseline once.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Iterable

logger = logging.getLogger(__name__)

MODEL_NAME = "nlu"
_FINGERPRINT_FILE = "fingerprint.txt"


def fingerprint(paths: Iterable[Path]) -> str:
    """SHA-256 over the relative name and the bytes of every file in ``paths``.

    Folders are walked recursively for ``.yml``/``.yaml`` files in a stable
    order, so the same inputs always give the same fingerprint.
    """
    digest = hashlib.sha256()
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in {".yml", ".yaml"}))
        else:
            files.append(path)
    for file in files:
        digest.update(file.as_posix().encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def train_nlu_model(config: Path, data: Path, out_dir: Path, force: bool = False) -> Path:
    """Train an NLU-only model from ``config`` on ``data`` into ``out_dir``.

    Returns the path of ``out_dir/nlu.tar.gz``. When a model trained from the
    same config and data is already there (and ``force`` is false) it is
    reused without training.
    """
    from rasa.model_training import train_nlu

    out_dir.mkdir(parents=True, exist_ok=True)
    model = out_dir / f"{MODEL_NAME}.tar.gz"
    stamp = out_dir / _FINGERPRINT_FILE
    wanted = fingerprint([config, data])
    if not force and model.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        logger.info("reusing %s (config and data unchanged)", model)
        return model
    started = time.monotonic()
    trained = train_nlu(
        config=str(config), nlu_data=str(data), output=str(out_dir), fixed_model_name=MODEL_NAME
    )
    if not trained:
        raise RuntimeError(f"training {config} on {data} produced no model")
    stamp.write_text(wanted + "\n")
    logger.info("trained %s in %.0f s", model, time.monotonic() - started)
    return Path(trained)
