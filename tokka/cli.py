"""What every command line (`python -m corpus`, `pipelines`, `finetune`) does the same way: read the language,
run the chosen command, and print a known error as one message in the user's language (exit code 2)."""

from __future__ import annotations

import argparse
import sys

from tokka.errors import TokkaError
from tokka.settings import get_settings


def run(
    parser: argparse.ArgumentParser, argv: list[str] | None = None, plain_errors: tuple[type[Exception], ...] = ()
) -> int:
    """Parse `argv`, call `args.func(args)`, and turn errors into messages.

    :param plain_errors: further exception types whose text is shown as it is (e.g. `ValueError` for bad settings).
    :returns: the command's exit code, or 2 after an error.
    """
    args = parser.parse_args(argv)
    args.lang = args.lang or get_settings().language
    try:
        return args.func(args)
    except TokkaError as e:
        print(e.message(args.lang), file=sys.stderr)  # noqa: T201 - a command line's output
        return 2
    except plain_errors as e:
        print(str(e), file=sys.stderr)  # noqa: T201
        return 2
