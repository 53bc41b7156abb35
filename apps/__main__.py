"""Entry point for `python -m apps` (see `apps.launcher`)."""

import sys

from apps.launcher import main

sys.exit(main())
