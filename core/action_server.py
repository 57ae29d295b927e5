"""Start the rasa_sdk action server the way this project needs it.

    python -m core.action_server            # ACTION_HOST/ACTION_PORT, default 127.0.0.1:5055

Unlike ``rasa run actions`` it binds to ``ACTION_HOST`` (127.0.0.1 by default,
never all interfaces unless told), allows no cross-origin requests, and masks
personal data in every log record before it is written.
"""

from __future__ import annotations

import logging
import os

from core.privacy import install_log_masking
from core.settings import get_settings


def _warm_up() -> None:
    """Load the Korean analyser now, so the first citizen does not wait for it."""
    from core.kiwi import get_kiwi

    get_kiwi().tokenize("여권 재발급")


def main() -> None:
    """Configure logging with masking, then serve the `actions` package."""
    from rasa_sdk import endpoint, utils

    settings = get_settings()
    utils.configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    install_log_masking()
    _warm_up()
    os.environ["SANIC_HOST"] = settings.action_host
    endpoint.run("actions", port=settings.action_port, cors_origins=None)


if __name__ == "__main__":
    main()
