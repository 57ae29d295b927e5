"""Start the whole assistant in the foreground with honcho (``make run``).

Works out the environment every process needs (ports, a fresh Rasa API token
when none is set, the action endpoint), prints the URLs a person can use, and
hands over to honcho, which runs the Procfile processes and stops all of them
on Ctrl-C. Telegram polling starts only when TELEGRAM_TOKEN is set; the web
gateway only once it exists. The KakaoTalk skill needs no process of its own:
it is a Rasa channel, listed in the banner when KAKAO_SKILL_SECRET is set.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import sys
from pathlib import Path
from typing import Dict, List, Mapping

from core.settings import DEFAULT_KAKAO_SKILL_HEADER, PROJECT_ROOT, get_settings


def process_environment(env: Mapping[str, str]) -> Dict[str, str]:
    """The environment for the Procfile: ``env`` plus every default made explicit."""
    settings = get_settings(env)
    result = dict(env)
    result.update(
        RASA_HOST=settings.rasa_host,
        RASA_PORT=str(settings.rasa_port),
        ACTION_HOST=settings.action_host,
        ACTION_PORT=str(settings.action_port),
        WEB_HOST=settings.web_host,
        WEB_PORT=str(settings.web_port),
        CONSOLE_HOST=settings.console_host,
        CONSOLE_PORT=str(settings.console_port),
        DATABASE_URL=settings.database_url,
        RASA_TOKEN=settings.rasa_token or secrets.token_urlsafe(24),
        SANIC_WORKERS=str(settings.rasa_workers),
        # Rasa's Telegram webhook and the local poller must share one secret.
        TELEGRAM_SECRET=settings.telegram_secret or secrets.token_urlsafe(32),
        RASA_TELEMETRY_ENABLED="false",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    return result


def processes(env: Mapping[str, str]) -> List[str]:
    """The Procfile entries to start."""
    names = ["actions", "rasa"]
    if importlib.util.find_spec("channels.web") is not None:
        names.append("web")
    if importlib.util.find_spec("console") is not None:
        names.append("console")  # the staff back office (loopback by default)
    names.append("purge")  # daily retention run (records.purge): conversations and records past their period
    if env.get("TELEGRAM_TOKEN", "").strip():
        names.append("telegram")
    kakao_push = env.get("KAKAO_REST_API_KEY", "").strip() and env.get("KAKAO_BOT_ID", "").strip()
    if env.get("TELEGRAM_TOKEN", "").strip() or kakao_push:
        names.append("notifier")  # proactive notices (records.notifier), only with a channel that can push
    return names


def banner(env: Mapping[str, str], names: List[str]) -> str:
    """What a person sees before the logs start."""
    lines = [
        "",
        "Citizen-service assistant / 정부 민원 안내 도우미",
        f"  REST channel : POST http://localhost:{env['RASA_PORT']}/webhooks/rest/webhook",
        f"                 curl -s localhost:{env['RASA_PORT']}/webhooks/rest/webhook"
        """ -d '{"sender":"me","message":"안녕하세요"}'""",
    ]
    if "web" in names:
        lines.append(f"  Chat page    : http://localhost:{env['WEB_PORT']}")
    if "console" in names:
        lines.append(f"  Staff console: http://localhost:{env['CONSOLE_PORT']}"
                     " (first account: python -m console users add NAME --role admin --password-stdin)")
    if "telegram" in names:
        lines.append("  Telegram     : polling with TELEGRAM_TOKEN")
    if env.get("KAKAO_SKILL_SECRET", "").strip():
        header = env.get("KAKAO_SKILL_HEADER", "").strip() or DEFAULT_KAKAO_SKILL_HEADER
        lines.append(
            f"  KakaoTalk    : POST http://localhost:{env['RASA_PORT']}/webhooks/kakao/webhook"
            f" (skill URL; header {header})"
        )
    if "notifier" in names:
        lines.append("  Notices      : records.notifier (python -m records notices shows the queue)")
    lines += ["  Stop         : Ctrl-C", ""]
    return "\n".join(lines)


def main() -> None:
    """Print the banner and replace this process with honcho."""
    (PROJECT_ROOT / "var" / "logs").mkdir(parents=True, exist_ok=True)
    env = process_environment(os.environ)
    names = processes(env)
    print(banner(env, names), flush=True)
    honcho = shutil.which("honcho", path=str(Path(sys.executable).parent)) or "honcho"
    os.chdir(PROJECT_ROOT)
    os.execvpe(honcho, [honcho, "start", "-f", "Procfile", *names], env)  # noqa: S606 - fixed argv


if __name__ == "__main__":
    main()
