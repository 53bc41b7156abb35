"""Entry point for `python -m corpus`. The commands add files through the indexing pipelines, so they are
implemented one layer up, in `pipelines.corpus_cli` (an entry point may start any layer; library code may not)."""

import logging
import sys

if __name__ == "__main__":
    from pipelines.corpus_cli import main

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(main())
