"""`python -m pipelines`: list, validate and run assistants from the command line.

python -m pipelines list                          every assistant, its generator, model and status
python -m pipelines validate [FILE...]            check files (default: all); exit 1 with the messages on errors
python -m pipelines run ASSISTANT "質問"           print the answer (streamed), the sources and the timings
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corpus.errors import CorpusError
from pipelines.registry import AssistantRegistry
from pipelines.validation import validate_file
from tokka.locales import t
from tokka.settings import get_settings


def cmd_list(args: argparse.Namespace) -> int:
    """One line per assistant, then its issues."""
    registry = AssistantRegistry()
    for assistant in registry.assistants():
        state = t("cli.ok", args.lang) if assistant.ok else t("cli.broken", args.lang)
        print(
            f"{assistant.id}\t{assistant.name}\t{assistant.generator or '-'}:{assistant.model or '-'}\t"
            f"{assistant.collection or '-'}\t{state}"
        )
        for message in assistant.messages(args.lang):
            print(f"    {message}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate files; errors and missing collections/models make the exit code 1 (warnings do not)."""
    files = [Path(f) for f in args.files] or sorted(AssistantRegistry().directory.glob("*.yaml"))
    failed = False
    for path in files:
        issues = validate_file(path)
        errors = [i for i in issues if i.severity in ("error", "missing")]
        failed = failed or bool(errors)
        print(f"{path}: {t('cli.ok', args.lang) if not errors else t('cli.broken', args.lang)}")
        for issue in issues:
            print(f"  {issue.message(args.lang, path.name)}")
    return 1 if failed else 0


def cmd_run(args: argparse.Namespace) -> int:
    """Ask one question; stream the answer, then print sources and timings."""
    from pipelines.runner import AssistantRunner

    runner = AssistantRunner()
    result = runner.ask(
        args.assistant, args.question, on_token=lambda piece: print(piece, end="", flush=True), lang=args.lang
    )
    print()
    if result.error:
        print(result.error, file=sys.stderr)
    if result.notice:
        print(result.notice)
    print(f"\n{t('cli.sources', args.lang)} ({result.mode}, {' / '.join(result.query_tokens)})")
    for source in result.sources:
        mark = "*" if source["cited"] else " "
        name = source["source"] if "://" in source["source"] else Path(source["source"]).name
        print(f" {mark}[{source['number']}] {name} — {source['title']}  fused={source['fused_score']:.3f}")
    timings = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    print(f"\n{t('cli.timings', args.lang)}: {timings}")
    return 1 if result.error else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m pipelines", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lang", choices=["ja", "en"], default=None)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list assistants").set_defaults(func=cmd_list)
    validate = sub.add_parser("validate", help="check assistant YAML files")
    validate.add_argument("files", nargs="*")
    validate.set_defaults(func=cmd_validate)
    run = sub.add_parser("run", help="ask an assistant a question")
    run.add_argument("assistant", help="the file name without .yaml, e.g. school_guide")
    run.add_argument("question")
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = build_parser().parse_args(argv)
    args.lang = args.lang or get_settings().language
    try:
        return args.func(args)
    except CorpusError as e:
        print(e.message(args.lang), file=sys.stderr)
        return 2
