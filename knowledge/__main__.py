"""``python -m knowledge``: the staff command-line tool (see :mod:`knowledge.cli`)."""

import sys

from knowledge.cli import main

if __name__ == "__main__":
    sys.exit(main())
