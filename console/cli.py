"""``python -m console users ...``: staff accounts from the command line.

    python -m console users add kim --role editor --agency mofa --password-stdin
    python -m console users list
    python -m console users disable kim
    python -m console users reset-password kim --password-stdin
    python -m console users unlock kim

Passwords are read from standard input only (never from the command line,
where other users could see them in the process list).
Exit codes: 0 done, 1 refused (the message says why), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys
from typing import List, TextIO

from console.accounts import AccountError, add_user, list_users, reset_password, set_disabled, unlock_user
from console.passwords import PasswordRuleError
from console.roles import Role
from core.db import create_schema, get_engine
from knowledge.importer import default_actor


def build_parser() -> argparse.ArgumentParser:
    """``users`` with add, list, disable, enable, reset-password and unlock."""
    parser = argparse.ArgumentParser(prog="python -m console", description="Staff console accounts.")
    top = parser.add_subparsers(dest="area", metavar="AREA", required=True)
    users = top.add_parser("users", help="manage staff accounts")
    commands = users.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add = commands.add_parser("add", help="create an account")
    add.add_argument("login")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--agency", help="agency id, for editor and clerk (e.g. mofa)")
    add.add_argument("--password-stdin", action="store_true", required=True,
                     help="read the password from standard input")
    commands.add_parser("list", help="list the accounts")
    for name, text in (("disable", "disable an account and end its sessions"), ("enable", "enable an account"),
                       ("unlock", "lift a sign-in lockout")):
        command = commands.add_parser(name, help=text)
        command.add_argument("login")
    reset = commands.add_parser("reset-password", help="set a new password, lift any lockout, end sessions")
    reset.add_argument("login")
    reset.add_argument("--password-stdin", action="store_true", required=True,
                       help="read the password from standard input")
    return parser


def _read_password(stdin: TextIO) -> str:
    return stdin.readline().rstrip("\r\n")


def main(argv: List[str] | None = None, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """Run one account command; returns the exit code."""
    args = build_parser().parse_args(argv)
    stdin, out = stdin or sys.stdin, out or sys.stdout
    engine = create_schema(get_engine())
    try:
        if args.command == "add":
            add_user(engine, args.login, args.role, _read_password(stdin), args.agency, actor=default_actor())
            print(f"account {args.login.lower()} created ({args.role}{' of ' + args.agency if args.agency else ''})",
                  file=out)
        elif args.command == "list":
            for user in list_users(engine):
                state = "disabled" if user.disabled else "active"
                print(f"{user.login:<20} {user.role:<9} {user.agency_id or '-':<10} {state}"
                      f"{' locked until ' + user.locked_until.isoformat() if user.locked_until else ''}", file=out)
        elif args.command in ("disable", "enable"):
            set_disabled(engine, args.login, args.command == "disable", actor=default_actor())
            print(f"account {args.login} {args.command}d", file=out)
        elif args.command == "reset-password":
            reset_password(engine, args.login, _read_password(stdin), actor=default_actor())
            print(f"password of {args.login} reset; its sessions have ended", file=out)
        elif args.command == "unlock":
            unlock_user(engine, args.login, actor=default_actor())
            print(f"account {args.login} unlocked", file=out)
    except (AccountError, PasswordRuleError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
