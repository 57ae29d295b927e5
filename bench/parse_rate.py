"""In-process NLU parse rate of a trained model: the cost floor of a turn.

A turn includes one parse, so the closer a bot's turn rate comes to its parse
rate, the less it spends besides understanding the message.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Sequence

from bench.load import SCRIPT


async def parse_rate(model: Path, texts: Sequence[str] = SCRIPT, rounds: int = 20) -> float:
    """Sequential parses per second of ``texts`` by ``model`` loaded in this process (after a warm-up)."""
    import logging

    from rasa.core.agent import load_agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # Rasa logs every parse at debug level otherwise
    agent = await load_agent(model_path=str(model))
    for text in texts:  # warm-up: first calls build caches and lazy state
        await agent.parse_message(text)
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            await agent.parse_message(text)
    return rounds * len(texts) / (time.perf_counter() - started)
