"""`python -m corpus`: add, list, remove and search documents from the command line.

The commands drive ingestion (which runs the indexing pipelines), so they live in `pipelines`; `corpus/__main__.py`
is only the entry point that keeps the command name.

python -m corpus add PATH... --collection NAME     files and folders (recursive), with a progress bar
python -m corpus list [--collection NAME]          collections, or the sources of one collection
python -m corpus remove SOURCE [--collection NAME] a file path, URL or file name
python -m corpus search "質問" --collection NAME    ranked chunks with BM25, vector and fused scores
python -m corpus embed --collection NAME           fill the vectors an e5 collection still lacks, now
python -m corpus samples                           index the sample corpus (done automatically on first start)
python -m corpus demo                              index the samples if needed, then search them interactively
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

from corpus import backfill
from corpus.files import IngestResult, describe_extraction
from corpus.stores import get_backend, open_store
from pipelines.ingest import Ingestor
from tokka.cli import run
from tokka.locales import t
from tokka.settings import get_settings

_MARKS = {
    "added": "+",
    "updated": "~",
    "unchanged": "=",
    "failed": "x",
    "skipped": "-",
    "cancelled": "!",
    "duplicate": "d",
    "removed": "r",
}


def _when(timestamp: float | None) -> str:
    if not timestamp:
        return "-"
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def _short(source: str) -> str:
    return source if "://" in source else Path(source).name


def _score(meta: dict, label: str, leg: str) -> str:
    if f"{leg}_score" not in meta:
        return f"{label} -"
    return f"{label} {meta[f'{leg}_score']:.3f} (#{meta[f'{leg}_rank']})"


def _location(meta: dict) -> str:
    """`title > section > subsection`, without repeating a top heading that is the title itself."""
    title = str(meta.get("title") or "")
    parts = [p for p in str(meta.get("heading") or "").split(" > ") if p]
    if parts and parts[0] == title:
        parts = parts[1:]
    return " > ".join([title, *parts]) if title else " > ".join(parts)


def cmd_add(args: argparse.Namespace) -> int:
    """Ingest files and folders; print one line per file and a summary."""
    from tqdm import tqdm

    lang = args.lang
    ingestor = Ingestor(args.collection, Path(args.pipeline) if args.pipeline else None)
    bar = tqdm(total=0, desc=t("cli.progress", lang), unit="file", file=sys.stderr, disable=args.quiet)

    def progress(done: int, total: int, result: IngestResult) -> None:
        bar.total = total
        bar.update(1)
        line = f"{_MARKS[result.status]} {result.status:9} {_short(result.source)}"
        if result.status in ("added", "updated", "unchanged"):
            line += f" ({result.chunks} chunks)"
            if result.method:
                line += f" — {describe_extraction(result.method, lang)}"
        elif result.code:
            line += f": {result.reason(lang)}"
        bar.write(line, file=sys.stdout)
        sys.stdout.flush()

    def pages(path: Path, stage: str, page: int, total: int) -> None:
        bar.set_postfix_str(f"{path.name} {'OCR ' if stage == 'ocr' else ''}{page}/{total}", refresh=True)

    try:
        summary = ingestor.run(args.paths, progress=progress, pages=pages)
    except KeyboardInterrupt:
        bar.close()
        print(t("cli.interrupted", lang), file=sys.stderr)
        return 130
    bar.close()
    if not any(r.status != "skipped" for r in summary.results) and not summary.results:
        print(t("cli.no_files", lang, paths=" ".join(args.paths)))
        return 1
    counts = summary.counts
    print(t("cli.summary", lang, **counts))
    _say_pending_vectors(args.collection, lang)
    for result in summary.results:
        if result.status in ("failed", "skipped"):
            key = "cli.failed_item" if result.status == "failed" else "cli.skipped_item"
            print(t(key, lang, source=result.source, reason=result.reason(lang)))
    return 1 if counts["failed"] else 0


def _say_pending_vectors(collection: str, lang: str | None) -> None:
    pending = backfill.progress(collection)
    if pending is not None and pending[0] < pending[1]:
        print(t("cli.embedding_pending", lang, done=pending[0], total=pending[1], collection=collection))


def cmd_embed(args: argparse.Namespace) -> int:
    """Fill the vectors an e5 collection still lacks, now, with a progress bar (the app does it in the background)."""
    from tqdm import tqdm

    lang = args.lang
    open_store(args.collection).backend.require_collection(args.collection)
    start = backfill.progress(args.collection)
    if start is None or start[0] >= start[1]:
        print(t("cli.embedding_done", lang, collection=args.collection))
        return 0
    bar = tqdm(total=start[1], initial=start[0], desc=t("cli.embedding", lang), unit="chunk", file=sys.stderr)
    try:
        for done, _total in backfill.fill_now(args.collection):
            bar.update(done - bar.n)
    except KeyboardInterrupt:
        bar.close()
        print(t("cli.interrupted", lang), file=sys.stderr)
        return 130
    except RuntimeError as error:
        bar.close()
        print(str(error), file=sys.stderr)
        return 1
    bar.close()
    print(t("cli.embedding_done", lang, collection=args.collection))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """List collections, or the sources of one collection."""
    backend = get_backend()
    if args.collection:
        info = backend.require_collection(args.collection)
        print(
            f"{info.name}: {info.documents} documents, {info.chunks} chunks, "
            f"embedding={info.embedding_model if info.has_embeddings else t('cli.none', args.lang)}, "
            f"tokenizer={info.tokenizer}"
        )
        for record in backend.sources(args.collection):
            when = _when(record.updated)
            print(f"  {record.source}\t{record.type}\t{record.chars} chars\t{record.chunks} chunks\t{when}")
        return 0
    collections = backend.collections()
    if not collections:
        print(t("cli.no_collections", args.lang))
        return 0
    print(t("cli.collections_header", args.lang))
    for info in collections:
        model = f"{info.embedding_model} ({info.embedding_dim})" if info.has_embeddings else t("cli.none", args.lang)
        print(f"{info.name}\t{info.documents}\t{info.chunks}\t{model}\t{_when(info.updated)}")
    return 0


def _match_source(sources: list[str], wanted: str) -> str | None:
    if wanted in sources:
        return wanted
    resolved = str(Path(wanted).expanduser().resolve())
    if resolved in sources:
        return resolved
    by_name = [s for s in sources if _short(s) == wanted]
    return by_name[0] if len(by_name) == 1 else None


def cmd_remove(args: argparse.Namespace) -> int:
    """Remove a source from one collection (or from every collection that has it)."""
    backend = get_backend()
    names = [args.collection] if args.collection else [c.name for c in backend.collections()]
    if args.collection:
        backend.require_collection(args.collection)
    removed_any = False
    for name in names:
        source = _match_source([r.source for r in backend.sources(name)], args.source)
        if source is None:
            continue
        chunks = backend.remove_source(name, source)
        print(f"[{name}] " + t("cli.removed", args.lang, source=source, chunks=chunks))
        removed_any = True
    if not removed_any:
        print(t("err.source_not_found", args.lang, source=args.source, collection=args.collection or "*"))
        return 1
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Search a collection and print ranked chunks with their scores."""
    from corpus.search import search_collection

    found = search_collection(args.collection, args.query, args.top_k, args.mode)
    result = {"documents": found.documents, "query_tokens": found.query_tokens, "mode": found.mode}
    if args.json:
        rows = [{"id": d.id, "content": d.content, "meta": d.meta, "score": d.score} for d in result["documents"]]
        print(
            json.dumps(
                {"query_tokens": result["query_tokens"], "mode": result["mode"], "documents": rows},
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    print(t("cli.search_mode", args.lang, mode=result["mode"]))
    print(t("cli.query_tokens", args.lang, tokens=" / ".join(result["query_tokens"]) or t("cli.none", args.lang)))
    for line in found.notices:
        print(line)
    if not result["documents"]:
        print(t("cli.no_results", args.lang))
    for rank, doc in enumerate(result["documents"], start=1):
        meta = doc.meta
        bm25, vector = _score(meta, "BM25", "bm25"), _score(meta, "vector", "vector")
        print(f"\n{rank}. fused {doc.score:.4f} | {bm25} | {vector}")
        print(f"   {_short(str(meta.get('source', '')))} — {_location(meta)}")
        text = (doc.content or "").replace("\n", " ")
        print(f"   {text[: args.width]}{'…' if len(text) > args.width else ''}")
    return 0


def cmd_samples(args: argparse.Namespace) -> int:
    """Index the sample corpus into the `samples` collection (re-adding is a no-op)."""
    from corpus.sample_corpus import SAMPLE_COLLECTION, SAMPLES_DIR

    args.paths, args.collection, args.pipeline = [str(SAMPLES_DIR)], SAMPLE_COLLECTION, None
    code = cmd_add(args)
    print(t("cli.samples_indexed", args.lang, collection=SAMPLE_COLLECTION))
    return code


def cmd_demo(args: argparse.Namespace) -> int:
    """Index the samples on first start, then answer search questions typed at the prompt until an empty line."""
    from corpus.sample_corpus import SAMPLE_COLLECTION
    from pipelines.ingest import ensure_sample_collection

    if ensure_sample_collection():
        print(t("cli.samples_indexed", args.lang, collection=SAMPLE_COLLECTION))
    print(t("cli.demo_intro", args.lang, collection=SAMPLE_COLLECTION))
    while True:
        try:
            query = input(t("cli.demo_prompt", args.lang)).strip()
        except EOFError:
            print()
            return 0
        if not query:
            return 0
        search = argparse.Namespace(
            lang=args.lang, query=query, collection=SAMPLE_COLLECTION, top_k=3, mode="hybrid", width=160, json=False
        )
        cmd_search(search)
        print()


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl websites into a collection; one line per URL and a summary."""
    from corpus.web.crawler import Crawler

    crawler = Crawler(
        Ingestor(args.collection),
        depth=args.depth if args.depth is not None else (0 if args.sitemap else 2),
        max_pages=args.max_pages,
        same_site=not args.all_sites,
        include=args.include,
        exclude=args.exclude,
        use_sitemap=args.sitemap,
        delay=args.delay,
        prune=args.prune,
    )

    def progress(done: int, result) -> None:
        line = f"{_MARKS.get(result.status, '?')} {result.status:9} {result.url}"
        if result.status in ("added", "updated", "unchanged"):
            line += f" ({result.chunks} chunks) {result.title}"
        elif result.code:
            line += f": {result.reason(args.lang)}"
        print(line, flush=True)

    try:
        summary = crawler.run(args.urls, progress=progress)
    except KeyboardInterrupt:
        print(t("cli.interrupted", args.lang), file=sys.stderr)
        return 130
    counts = {
        s: summary.count(s) for s in ("added", "updated", "unchanged", "duplicate", "skipped", "removed", "failed")
    }
    print(t("cli.crawl_summary", args.lang, **counts))
    return 1 if counts["failed"] else 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Copy the embedded store's collections to Elasticsearch (chunks, tokens and embeddings as they are)."""
    from corpus.migrate import copy_collections
    from corpus.stores import EmbeddedBackend
    from corpus.stores.elastic import ElasticBackend

    settings = get_settings()
    if not settings.elasticsearch_url:
        print(t("cli.migrate_needs_url", args.lang), file=sys.stderr)
        return 2
    source = EmbeddedBackend.open(settings.store_path)

    def progress(collection: str, done: int, total: int) -> None:
        print(f"[{collection}] {done}/{total}", flush=True)

    copied = copy_collections(source, ElasticBackend.open(settings), args.collection or None, progress)
    for name, chunks in copied.items():
        print(t("cli.migrated", args.lang, collection=name, chunks=chunks, url=settings.elasticsearch_url))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and `--help`)."""
    parser = argparse.ArgumentParser(
        prog="python -m corpus", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lang", choices=["ja", "en"], default=None, help="message language (default: TOKKA_LANG)")
    sub = parser.add_subparsers(dest="command", required=True)

    add = sub.add_parser("add", help="add files and folders to a collection")
    add.add_argument("paths", nargs="+", help="files or folders (folders are read recursively)")
    add.add_argument("--collection", "-c", required=True, help="collection name (created if new)")
    add.add_argument("--pipeline", help="an indexing YAML to use instead of pipelines/indexing/<collection>.yaml")
    add.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    add.set_defaults(func=cmd_add)

    embed = sub.add_parser("embed", help="fill the vectors an e5 collection still lacks, now (the app does it itself)")
    embed.add_argument("--collection", "-c", required=True)
    embed.set_defaults(func=cmd_embed)

    lst = sub.add_parser("list", help="list collections, or the documents of one collection")
    lst.add_argument("--collection", "-c", help="list this collection's documents")
    lst.set_defaults(func=cmd_list)

    rm = sub.add_parser("remove", help="remove a document (file path, URL or file name) and its chunks")
    rm.add_argument("source")
    rm.add_argument("--collection", "-c", help="only from this collection (default: every collection)")
    rm.set_defaults(func=cmd_remove)

    search = sub.add_parser("search", help="search a collection")
    search.add_argument("query")
    search.add_argument("--collection", "-c", required=True)
    search.add_argument("--top-k", "-k", type=int, default=5)
    search.add_argument("--mode", choices=["hybrid", "bm25", "vector"], default="hybrid")
    search.add_argument("--width", type=int, default=160, help="characters of each chunk to show")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.set_defaults(func=cmd_search)

    crawl = sub.add_parser("crawl", help="add web pages (same site by default) to a collection")
    crawl.add_argument("urls", nargs="+", help="start URLs (or sitemap URLs with --sitemap)")
    crawl.add_argument("--collection", "-c", required=True)
    crawl.add_argument(
        "--depth", type=int, default=None, help="links to follow from the start pages (default 2; 0 with --sitemap)"
    )
    crawl.add_argument("--max-pages", type=int, default=100)
    crawl.add_argument("--sitemap", action="store_true", help="take the pages from the site's sitemap")
    crawl.add_argument(
        "--include", action="append", default=[], metavar="REGEX", help="only URLs matching (repeatable)"
    )
    crawl.add_argument(
        "--exclude", action="append", default=[], metavar="REGEX", help="skip URLs matching (repeatable)"
    )
    crawl.add_argument("--all-sites", action="store_true", help="also follow links to other sites")
    crawl.add_argument("--delay", type=float, default=None, help="seconds between requests (default TOKKA_CRAWL_DELAY)")
    crawl.add_argument("--prune", action="store_true", help="remove pages of the site that are gone")
    crawl.set_defaults(func=cmd_crawl)

    migrate = sub.add_parser("migrate", help="copy the embedded store's collections to Elasticsearch")
    migrate.add_argument("--to", choices=["elasticsearch"], required=True)
    migrate.add_argument("--collection", "-c", action="append", default=[], help="only these (repeatable)")
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="index the samples if needed, then search them interactively")
    demo.set_defaults(func=cmd_demo)

    samples = sub.add_parser("samples", help="index the sample corpus into the 'samples' collection")
    samples.add_argument("--quiet", "-q", action="store_true")
    samples.set_defaults(func=cmd_samples)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    return run(build_parser(), argv)
