"""`python -m apps`: start the tokka app (all tabs in one Gradio server).

    python -m apps                                  http://127.0.0.1:7860, Japanese UI
    python -m apps --lang en --port 8080
    python -m apps --host 0.0.0.0 --auth staff:secret         reachable from the LAN, with a login
    python -m apps --share --auth-file users.txt --admin sato  a temporary public link (always with a login)

`--share` without `--auth`/`--auth-file` is refused: a public link would let anyone read the organisation's
documents and use its models.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from tokka.locales import t
from tokka.settings import get_settings

logger = logging.getLogger(__name__)


def parse_credentials(pairs: list[str], auth_file: str | None, lang: str) -> list[tuple[str, str]]:
    """`USER:PASS` items (and lines of an auth file; `#` comments allowed) as (user, password) pairs.

    :raises ValueError: with a localised message for a malformed item or an unreadable file.
    """
    items = list(pairs)
    if auth_file:
        try:
            lines = Path(auth_file).read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise ValueError(t("ui.launch.auth_file_unreadable", lang, path=auth_file, detail=e.strerror)) from e
        items += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    credentials = []
    for item in items:
        user, sep, password = item.partition(":")
        if not sep or not user.strip() or not password:
            raise ValueError(t("ui.launch.bad_auth", lang, item=item.split(":")[0] + ":…"))
        credentials.append((user.strip(), password))
    return credentials


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
    admins = frozenset([*args.admin, *(a.strip() for a in os.environ.get("TOKKA_ADMINS", "").split(",") if a.strip())])
    if credentials and not admins:
        print(t("ui.launch.no_admin", lang), file=sys.stderr)
    demo = prepare(lang, with_samples=not args.no_samples, auth_enabled=bool(credentials), admins=admins)
    print(t("ui.launch.starting", lang, url=f"http://{args.host}:{args.port}"), flush=True)
    demo.queue(default_concurrency_limit=8).launch(
        server_name=args.host,
        server_port=args.port,
        share=args.share,
        auth=credentials or None,
        auth_message=t("ui.launch.auth_message", lang) if credentials else None,
        show_error=True,
        quiet=True,
    )
    return 0


def prepare(  # noqa: ANN201 - gr.Blocks (imported lazily)
    lang: str, with_samples: bool = True, auth_enabled: bool = False, admins: frozenset[str] = frozenset()
):
    """Index the samples on first start and build the app (used by `main` and by tests)."""
    from apps.app import build_app
    from apps.context import AppContext

    if with_samples:
        from pipelines.ingest import ensure_sample_collection

        if ensure_sample_collection():
            print(t("cli.samples_indexed", lang, collection="samples"), flush=True)
    return build_app(AppContext(lang=lang, auth_enabled=auth_enabled, admins=admins))
