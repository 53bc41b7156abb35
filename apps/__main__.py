"""Entry point for `python -m apps` (see `apps.launcher`)."""

import sys

from apps.launcher import main

if __name__ == "__main__":
    sys.exit(main())
