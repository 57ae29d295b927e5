"""``python -m applications``: the staff command line (see applications.cli)."""

from applications.cli import main

if __name__ == "__main__":
    main()
