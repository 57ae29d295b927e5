"""``python -m records``: the staff command line (see :mod:`records.cli`)."""

import sys

from records.cli import main

if __name__ == "__main__":
    sys.exit(main())
