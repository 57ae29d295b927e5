"""PostgreSQL, Redis and nginx from Debian's packages, run in a folder of our own.

Used by ``make cluster`` (scripts/cluster.py) and by the scale-out tests: each
server gets a data folder, a loopback port and logs under the folder it is
given, and is stopped when its ``with`` block ends. Nothing is installed or
configured system-wide and no system service is needed.

PostgreSQL refuses to run as root, so when this process is root the server
runs as the ``postgres`` user, in a data folder owned by it. It accepts
password-less connections on 127.0.0.1 only (``trust`` for local development;
production uses an external PostgreSQL with credentials from a Secret).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Sequence

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
PG_DATABASE = "assistant"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    port: int, timeout: float, process: Optional[subprocess.Popen] = None, log: Optional[Path] = None
) -> None:
    """Return once 127.0.0.1:``port`` accepts connections; raise (with the log's tail) on timeout or exit."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}:\n{tail}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def _as_postgres(command: Sequence[str]) -> List[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return list(command)


@dataclass
class Postgres:
    """A running PostgreSQL server."""

    datadir: Path
    port: int

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the project database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{PG_DATABASE}"


def _pg_ctl(datadir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(datadir), *args]),
        capture_output=True, text=True, timeout=120, check=False,
    )


@contextlib.contextmanager
def postgres(folder: Path, port: Optional[int] = None) -> Iterator[Postgres]:
    """PostgreSQL with its data in ``folder/data`` (created on first use, kept after).

    The ``assistant`` database exists when the block starts; the server is
    stopped (fast shutdown) when it ends.
    """
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    datadir = folder / "data"
    if os.geteuid() == 0:
        # The postgres user must reach the folder and own what it writes.
        os.chmod(folder, 0o755)  # noqa: S103 - others must traverse it, not write
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
    if not (datadir / "PG_VERSION").exists():
        initdb = subprocess.run(
            _as_postgres([str(PG_BIN / "initdb"), "-D", str(datadir), "-U", "postgres", "--auth=trust",
                          "--encoding=UTF8", "--locale=C.UTF-8"]),
            capture_output=True, text=True, timeout=120, check=False,
        )
        if initdb.returncode != 0:
            raise RuntimeError(
                f"initdb failed (every folder above {folder} must be open to the postgres user):\n{initdb.stderr}"
            )
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c max_connections=200 -c fsync=on"
    started = _pg_ctl(datadir, "-w", "-t", "60", "-l", str(folder / "postgres.log"), "-o", options, "start")
    if started.returncode != 0:
        log_file = folder / "postgres.log"
        log = log_file.read_text(errors="replace")[-3000:] if log_file.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log}")
    try:
        created = subprocess.run(
            _as_postgres([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", PG_DATABASE]),
            capture_output=True, text=True, timeout=60, check=False,
        )
        if created.returncode != 0 and "already exists" not in created.stderr:
            raise RuntimeError(f"createdb failed: {created.stderr}")
        yield Postgres(datadir, port)
    finally:
        _pg_ctl(datadir, "-m", "fast", "-w", "stop")


@dataclass
class Redis:
    """A running Redis server."""

    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        """``REDIS_URL`` for the lock store (database 1)."""
        return f"redis://127.0.0.1:{self.port}/1"


@contextlib.contextmanager
def redis(folder: Path, port: Optional[int] = None) -> Iterator[Redis]:
    """Redis on 127.0.0.1 without persistence (locks are short-lived), logging into ``folder``."""
    port = port or free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "redis.log"
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", "",
         "--appendonly", "no", "--protected-mode", "yes", "--logfile", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, 30, process, log)
        yield Redis(port, process)
    finally:
        stop_process(process)


def nginx_main_config(folder: Path, http_body: str, worker_connections: int = 1024) -> str:
    """A whole nginx.conf for an unprivileged nginx whose pid, logs and temporary
    files all live in ``folder``, with ``http_body`` inside its ``http`` block."""
    return f"""worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections {worker_connections}; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
{http_body}
}}
"""


def nginx_config(folder: Path, port: int, upstreams: Sequence[int]) -> str:
    """An nginx configuration that balances 127.0.0.1:``port`` over the Rasa replicas on ``upstreams``.

    A replica that refuses connections or times out is skipped for 5 s; a
    request that already reached a replica is never sent to a second one (a
    POST is not idempotent: the message would be answered twice).
    """
    servers = "\n".join(f"        server 127.0.0.1:{upstream} max_fails=1 fail_timeout=5s;" for upstream in upstreams)
    http_body = f"""    upstream rasa {{
        least_conn;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 64k;
        location = /nginx-health {{ return 200 "ok\\n"; }}
        location / {{
            proxy_pass http://rasa;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
        }}
    }}"""
    return "# Generated by scripts/cluster.py; edits are overwritten.\n" + nginx_main_config(folder, http_body)


@contextlib.contextmanager
def nginx(folder: Path, port: int, upstreams: Sequence[int]) -> Iterator[subprocess.Popen]:
    """nginx in the foreground with the configuration of :func:`nginx_config`, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "temp").mkdir(exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(nginx_config(folder, port, upstreams))
    process = subprocess.Popen(
        [NGINX, "-c", str(config), "-p", str(folder), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=open(folder / "nginx.out", "ab"),  # noqa: SIM115 - the child owns it
    )
    try:
        wait_for_port(port, 20, process, folder / "nginx.out")
        yield process
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds; waits for the exit."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def have_binaries() -> List[str]:
    """The server programs that are missing (empty when all are installed)."""
    needed = [str(PG_BIN / "initdb"), str(PG_BIN / "pg_ctl"), REDIS_SERVER, NGINX]
    return [path for path in needed if not (Path(path).exists() or shutil.which(path))]
