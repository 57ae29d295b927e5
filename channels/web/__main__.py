"""``python -m channels.web``: serve the chat page on WEB_HOST:WEB_PORT."""

from __future__ import annotations

import logging

from aiohttp import web

from channels.web.app import create_app
from core.privacy import install_log_masking
from core.settings import get_settings


def main() -> None:
    """Run the gateway until SIGINT/SIGTERM, then close connections cleanly."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()
    settings = get_settings()
    web.run_app(
        create_app(settings),
        host=settings.web_host,
        port=settings.web_port,
        shutdown_timeout=10.0,
        print=lambda text: logging.getLogger("channels.web").info(text.strip()),
    )


if __name__ == "__main__":
    main()
