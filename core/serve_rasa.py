"""``rasa run`` with the HTTP API token taken from the environment.

Rasa 3.6 reads its API token only from ``--auth-token``, so a token on the
command line is visible to every user of the machine in ``ps`` and
``/proc/*/cmdline``. ``python -m core.serve_rasa ARGS...`` runs ``rasa run
ARGS...`` in this process and adds ``--auth-token`` from ``RASA_TOKEN`` inside
it, where no other process can read it. Refuses an ``--auth-token`` given on
its own command line.

Before Rasa starts, the tracker and lock tables are created in this one
process: Rasa's Sanic workers (``SANIC_WORKERS``) each open the stores after
the fork, and two creating the same table at once left one worker dead.
"""

from __future__ import annotations

import os
import sys
from typing import List, Mapping, Optional

TOKEN_FLAG = "--auth-token"  # noqa: S105 - the flag's name, not a token


def rasa_argv(args: List[str], env: Mapping[str, str]) -> List[str]:
    """The argv for Rasa's CLI: ``rasa run ARGS`` plus the token from ``env``."""
    if any(arg == TOKEN_FLAG or arg.startswith(TOKEN_FLAG + "=") for arg in args):
        raise SystemExit(f"core.serve_rasa: do not pass {TOKEN_FLAG}; set RASA_TOKEN in the environment")
    argv = ["rasa", "run", *args]
    token = env.get("RASA_TOKEN", "").strip()
    if token:
        argv += [TOKEN_FLAG, token]
    return argv


def prepare_storage() -> None:
    """Create the tables the tracker store and the SQL lock store use, once,
    before Rasa forks its workers (see the module docstring)."""
    from core.lock_store import prepare_lock_table
    from core.tracker_store import prepare_tracker_tables

    prepare_tracker_tables()
    prepare_lock_table()


def main(args: Optional[List[str]] = None) -> None:
    """Run Rasa's server with ``args`` (``rasa run`` flags) and the token from RASA_TOKEN."""
    sys.argv = rasa_argv(list(sys.argv[1:] if args is None else args), os.environ)
    prepare_storage()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
