"""Entry point for `python -m pipelines` (see `pipelines.cli`)."""

import logging
import sys

from pipelines.cli import main

logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
sys.exit(main())
