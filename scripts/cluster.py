"""``make cluster``: the assistant scaled out on this machine.

PostgreSQL and Redis (Debian's packages, data under ``var/cluster/``, loopback
ports), the schema migrated and seeded, two action servers, two Rasa replicas
sharing the database and the Redis lock store, nginx balancing the replicas
on Rasa's usual port (so the web gateway, Telegram and KakaoTalk reach them
as with ``make run``), and the web gateway on its usual public port. Prints
what runs where; Ctrl-C (or SIGTERM) stops everything, last started first.

Ports (environment, defaults): RASA_PORT 5005 (nginx), WEB_PORT 8080,
CLUSTER_RASA_PORTS 5015,5016, CLUSTER_ACTION_PORTS 5055,5056,
CLUSTER_PG_PORT 55432, CLUSTER_REDIS_PORT 56379. SANIC_WORKERS (default 1)
applies to each replica.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Mapping, Tuple

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from scripts.cluster_services import have_binaries, nginx, postgres, redis, stop_process, wait_for_port  # noqa: E402

VENV_BIN = Path(sys.executable).parent
MODEL = PROJECT_ROOT / "models" / "assistant.tar.gz"


def _ports(env: Mapping[str, str], name: str, default: str) -> List[int]:
    return [int(item) for item in env.get(name, default).split(",") if item.strip()]


def base_environment(env: Mapping[str, str], database_url: str, redis_url: str) -> Dict[str, str]:
    """What every process of the cluster shares."""
    result = dict(env)
    result.update(
        PYTHONPATH=str(PROJECT_ROOT),
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="3",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        RASA_TOKEN=env.get("RASA_TOKEN") or secrets.token_urlsafe(24),
        TELEGRAM_SECRET=env.get("TELEGRAM_SECRET") or secrets.token_urlsafe(32),
        # A ticket held by a replica that died blocks its conversation until it expires.
        TICKET_LOCK_LIFETIME=env.get("TICKET_LOCK_LIFETIME", "15"),
        SANIC_WORKERS=env.get("SANIC_WORKERS", "1"),
    )
    return result


def _start(name: str, command: List[str], env: Mapping[str, str], logs: Path) -> subprocess.Popen:
    with open(logs / f"{name}.log", "ab") as out:
        return subprocess.Popen(command, cwd=PROJECT_ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT)


def banner(rows: List[Tuple[str, str]]) -> str:
    """The table of what runs where, in both languages' reader's terms."""
    width = max(len(name) for name, _ in rows)
    lines = ["", "Citizen-service assistant, cluster / 정부 민원 안내 도우미 (확장 구성)"]
    lines += [f"  {name.ljust(width)} : {where}" for name, where in rows]
    lines += ["  Stop / 중지 : Ctrl-C", ""]
    return "\n".join(lines)


def main() -> int:
    """Start everything, print the table, wait for Ctrl-C or a process that exits, stop everything."""
    missing = have_binaries()
    if missing:
        print(f"missing: {', '.join(missing)} (apt-get install postgresql redis-server nginx)", file=sys.stderr)
        return 2
    if not MODEL.exists():
        print(f"{MODEL} is missing: run 'make train' first", file=sys.stderr)
        return 2
    env = os.environ
    root = PROJECT_ROOT / "var" / "cluster"
    logs = root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    rasa_ports = _ports(env, "CLUSTER_RASA_PORTS", "5015,5016")
    action_ports = _ports(env, "CLUSTER_ACTION_PORTS", "5055,5056")
    balancer_port = int(env.get("RASA_PORT", "5005"))
    web_port = int(env.get("WEB_PORT", "8080"))
    processes: List[Tuple[str, subprocess.Popen]] = []
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    with contextlib.ExitStack() as stack:
        try:
            pg = stack.enter_context(postgres(root / "postgres", int(env.get("CLUSTER_PG_PORT", "55432"))))
            red = stack.enter_context(redis(root / "redis", int(env.get("CLUSTER_REDIS_PORT", "56379"))))
            shared = base_environment(env, pg.url, red.url)
            subprocess.run([sys.executable, "-m", "core.bootstrap"], cwd=PROJECT_ROOT, env=shared, check=True)
            for index, (rasa_port, action_port) in enumerate(zip(rasa_ports, action_ports, strict=True)):
                own = {**shared, "ACTION_HOST": "127.0.0.1", "ACTION_PORT": str(action_port),
                       "RASA_HOST": "127.0.0.1", "RASA_PORT": str(rasa_port)}
                processes.append((f"actions-{index}", _start(
                    f"actions-{index}", [sys.executable, "-m", "core.action_server"], own, logs)))
                processes.append((f"rasa-{index}", _start(f"rasa-{index}", [
                    sys.executable, "-m", "core.serve_rasa", "--model", str(MODEL), "--endpoints", "endpoints.yml",
                    "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(rasa_port),
                    "--enable-api",  # core.serve_rasa adds the token from RASA_TOKEN
                    "--log-file", str(logs / f"rasa-{index}.rasa.log"),
                ], own, logs)))
            for port in (*action_ports, *rasa_ports):
                wait_for_port(port, 300)
            stack.enter_context(nginx(root / "nginx", balancer_port, rasa_ports))
            front = {**shared, "RASA_HOST": "127.0.0.1", "RASA_PORT": str(balancer_port), "WEB_PORT": str(web_port)}
            processes.append(("web", _start("web", [sys.executable, "-m", "channels.web"], front, logs)))
            processes.append(("console", _start("console", [sys.executable, "-m", "console"], front, logs)))
            if env.get("TELEGRAM_TOKEN", "").strip():
                processes.append(("telegram", _start(
                    "telegram", [sys.executable, "-m", "channels.telegram.polling"], front, logs)))
                processes.append(("notifier", _start(
                    "notifier", [sys.executable, "-m", "records.notifier"], front, logs)))
            wait_for_port(web_port, 60)
        except BaseException:
            for _name, process in reversed(processes):
                stop_process(process)
            raise
        rows = [
            ("PostgreSQL", f"{pg.url}  (data {root / 'postgres'})"),
            ("Redis", f"{red.url}  (lock store)"),
            *[(f"Rasa replica {i}", f"http://127.0.0.1:{port}") for i, port in enumerate(rasa_ports)],
            *[(f"Actions {i}", f"http://127.0.0.1:{port}/health") for i, port in enumerate(action_ports)],
            ("nginx (Rasa)", f"http://127.0.0.1:{balancer_port}/webhooks/rest/webhook"),
            ("Chat page / 채팅", f"http://localhost:{web_port}"),
            ("Staff console / 관리 콘솔", f"http://localhost:{env.get('CONSOLE_PORT', '8090')}"),
            ("Logs", str(logs)),
        ]
        print(banner(rows), flush=True)
        try:
            while not stopping:
                exited = [(name, process.returncode) for name, process in processes if process.poll() is not None]
                if exited:
                    print(f"stopping: {exited[0][0]} exited with {exited[0][1]} (see {logs})", file=sys.stderr)
                    break
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            for _name, process in reversed(processes):
                stop_process(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
