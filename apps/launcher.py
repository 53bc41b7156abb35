"""`python -m apps`: start the tokka app (all tabs in one Gradio server).

    python -m apps                                  http://127.0.0.1:7860, Japanese UI
    python -m apps --lang en --port 8080
    python -m apps --host 0.0.0.0 --auth staff:secret         reachable from the LAN, with a login
    python -m apps --share --auth-file users.txt --admin sato  a temporary public link (always with a login)

`--share` without `--auth`/`--auth-file` is refused: a public link would let anyone read the organisation's
documents and use its models. For the same reason `--host` other than 127.0.0.1 / ::1 / localhost needs logins:
without them there is one local user with every right, which only makes sense on the machine itself.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from apps.app import build_app, launch_options
from apps.context import AppContext
from corpus import backfill
from pipelines.ingest import ensure_sample_collection
from tokka.locales import t
from tokka.settings import get_settings

logger = logging.getLogger(__name__)


def parse_credentials(pairs: list[str], auth_file: str | None, lang: str) -> list[tuple[str, str]]:
    """`USER:PASS` items (and lines of an auth file; `#` comments allowed) as (user, password) pairs.

    :raises ValueError: with a localised message for a malformed item or an unreadable file.
    """
    items = [(t("ui.launch.auth_option", lang, n=n), item) for n, item in enumerate(pairs, start=1)]
    if auth_file:
        try:
            lines = Path(auth_file).read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise ValueError(t("ui.launch.auth_file_unreadable", lang, path=auth_file, detail=e.strerror)) from e
        items += [
            (t("ui.launch.auth_line", lang, file=Path(auth_file).name, n=n), line.strip())
            for n, line in enumerate(lines, start=1)
            if line.strip() and not line.lstrip().startswith("#")
        ]
    credentials = []
    for where, item in items:
        user, sep, password = item.partition(":")
        if not sep or not user.strip() or not password:
            # Only where the bad entry is: a line without a colon may be a password on its own.
            raise ValueError(t("ui.launch.bad_auth", lang, where=where))
        credentials.append((user.strip(), password))
    return credentials


LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


def build_parser() -> argparse.ArgumentParser:
    """The launcher's arguments."""
    parser = argparse.ArgumentParser(
        prog="python -m apps", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the LAN)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--share", action="store_true", help="temporary public link (requires --auth or --auth-file)")
    parser.add_argument("--auth", action="append", default=[], metavar="USER:PASS", help="a login (repeatable)")
    parser.add_argument(
        "--auth-file",
        default=os.environ.get("TOKKA_AUTH_FILE") or None,
        help="a file with one USER:PASS per line (default: TOKKA_AUTH_FILE)",
    )
    parser.add_argument(
        "--admin",
        action="append",
        default=[],
        metavar="USER",
        help="a login that may edit assistants (repeatable; also TOKKA_ADMINS)",
    )
    parser.add_argument("--lang", choices=["ja", "en"], default=None, help="UI language (default: TOKKA_LANG or ja)")
    parser.add_argument("--no-samples", action="store_true", help="do not index the sample corpus on first start")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, prepare the data, and serve until interrupted."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    lang = args.lang or get_settings().language
    try:
        credentials = parse_credentials(args.auth, args.auth_file, lang)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    if args.share and not credentials:
        print(t("ui.launch.share_needs_auth", lang), file=sys.stderr)
        return 2
    if args.host not in LOOPBACK_HOSTS and not credentials:
        print(t("ui.launch.host_needs_auth", lang, host=args.host), file=sys.stderr)
        return 2
    admins = frozenset([*args.admin, *(a.strip() for a in os.environ.get("TOKKA_ADMINS", "").split(",") if a.strip())])
    if credentials and not admins:
        print(t("ui.launch.no_admin", lang), file=sys.stderr)
    demo, ctx = prepare(lang, with_samples=not args.no_samples, auth_enabled=bool(credentials), admins=admins)
    print(t("ui.launch.starting", lang, url=f"http://{args.host}:{args.port}"), flush=True)
    demo.queue(default_concurrency_limit=8).launch(
        server_name=args.host,
        server_port=args.port,
        share=args.share,
        auth=credentials or None,
        auth_message=t("ui.launch.auth_message", lang) if credentials else None,
        quiet=True,
        **launch_options(ctx),
    )
    return 0


def prepare(
    lang: str, with_samples: bool = True, auth_enabled: bool = False, admins: frozenset[str] = frozenset()
) -> tuple[Any, AppContext]:
    """Index the samples on first start and build the app (used by `main` and by tests).

    :returns: `(demo, ctx)`: the `gr.Blocks` and its context (for `launch_options`).
    """
    if with_samples and ensure_sample_collection():
        print(t("cli.samples_indexed", lang, collection="samples"), flush=True)
    backfill.wake()  # vectors still missing (e5 collections, progressive embedding) are filled in the background
    ctx = AppContext(lang=lang, auth_enabled=auth_enabled, admins=admins)
    return build_app(ctx), ctx
