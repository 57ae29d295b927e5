"""The process-wide kiwipiepy analyser, shared by the NLU tokenizer and the catalogue search.

Building a ``Kiwi`` loads its model (about a second and a few hundred MB), so
one process keeps one. ``tokenize`` serialises calls with a lock, which makes
it safe from worker threads (the action server searches in ``asyncio.to_thread``).
"""

from __future__ import annotations

import threading
from typing import Any, List

_lock = threading.RLock()
_kiwi: Any = None


def get_kiwi() -> Any:
    """The shared analyser, created on first call (thread-safe)."""
    global _kiwi
    with _lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            _kiwi = Kiwi()
        return _kiwi


def tokenize(text: str) -> List[Any]:
    """Kiwi's morphemes of ``text`` (``form``, ``tag``, ``start``, ``len``), one caller at a time."""
    kiwi = get_kiwi()
    with _lock:
        return list(kiwi.tokenize(text))
