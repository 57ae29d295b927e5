"""``python -m console``: serve the staff console; ``python -m console users ...``: manage accounts."""

from __future__ import annotations

import logging
import sys


def serve() -> None:
    """Serve the console on CONSOLE_HOST:CONSOLE_PORT until stopped."""
    from aiohttp import web

    from console.app import create_app
    from core.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    web.run_app(create_app(settings), host=settings.console_host, port=settings.console_port, access_log=None)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] != "serve":
        from console.cli import main

        sys.exit(main(sys.argv[1:]))
    serve()
