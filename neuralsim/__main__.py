"""``python -m neuralsim``: the command line (see :mod:`neuralsim.classroom.cli`)."""
import sys

from neuralsim.classroom.cli import main

if __name__ == "__main__":
    sys.exit(main())
