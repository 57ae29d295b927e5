"""Serving Sanic apps (Rasa's own, or one with channel blueprints) on 127.0.0.1
in the test's event loop, the way ``rasa run`` serves them."""

from __future__ import annotations

import socket
from typing import Any, Tuple

from sanic import Sanic


async def start_sanic(app: Sanic) -> Tuple[Any, int]:
    """Serve ``app`` on a free port of 127.0.0.1 in the running loop."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    return server, port


async def stop_sanic(server: Any) -> None:
    """Stop a server started by :func:`start_sanic`, running its stop listeners."""
    await server.before_stop()
    closing = server.close()
    if closing is not None:
        await closing
    await server.after_stop()
