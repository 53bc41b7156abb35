"""Entry point for `python -m corpus` (see `corpus.cli`)."""

import logging
import sys

from corpus.cli import main

logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
sys.exit(main())
