"""``python -m channels.kakao <command>``: the operator commands (see :mod:`channels.kakao.admin`)."""

from channels.kakao.admin import main

if __name__ == "__main__":
    raise SystemExit(main())
