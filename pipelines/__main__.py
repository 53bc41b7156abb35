"""Entry point for `python -m pipelines` (see `pipelines.cli`)."""

import logging
import sys

from pipelines.cli import main

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(main())
