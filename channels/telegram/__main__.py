"""``python -m channels.telegram <command>``: the operator commands (see :mod:`channels.telegram.admin`)."""

from channels.telegram.admin import main

if __name__ == "__main__":
    raise SystemExit(main())
