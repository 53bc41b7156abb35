"""Approximate vector search on real embeddings, at scale. Prints figures; not a test.

    python -m bench.ann --texts /path/to/a/folder/of/text/files --rows 1000000 --cache /tmp/ann-cache

`bench.freshness` measures the graph at a million chunks on synthetic vectors, because embedding a million real
chunks with e5 (the default offline embedder, ~1.2k characters a second per core) would take about 11 hours on 2
cores. This bench measures the same graph on **real** embeddings: the faster offline embedder (USE, `--embedder
offline`, ~20k characters a second per core) over real text, or e5 on fewer chunks (`--embedder e5`). It

- reads every `.txt` / `.md` file under `--texts`, in path order, decoded as the loaders decode text files
  (`corpus/encoding.py`: UTF-8, Shift_JIS, EUC-JP, …); Aozora Bunko's header, ruby and annotations are removed
  when present (the bench was first run on the Aozora Bunko texts, public domain);
- cuts each with the store's chunker (`corpus/japanese/chunker.py`, `--chunk-size` characters) into chunks;
- embeds the first `--rows` chunks in `--processes` worker processes (one thread each), caching the vectors in
  `--cache` so a second run only searches;
- with `--prefix N`, indexes only the first N of those cached chunks, with the same queries: run with several N to
  see how recall falls as the index grows (docs/retrieval.md §Approximate search);
- holds out `--queries` chunks of the files after those, as passage-like queries, and embeds `--questions` questions
  of a BEIR set (default `jsquad-dev`) as question-like ones — both never in the index;
- builds `corpus.stores.ann.ApproximateIndex` exactly as the store does (same library, storage type, M,
  efConstruction; `--dtype`, `--connectivity`, `--expansion-add` try others) and prints its build time, then for
  each query-time `--ef` (the store's among them) the query p50 through the graph — candidates re-scored against the
  float rows, as the store does — and recall@10 against the exact product (the exact product's time at 1M is
  `bench.freshness`'s).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

if TYPE_CHECKING:
    from corpus.stores.ann import ApproximateIndex

REPO = Path(__file__).resolve().parents[1]
DEFAULT_QUESTIONS = REPO.parent / "shared" / "eval" / "jsquad-dev"
BATCH = 256  # texts a worker embeds per call

# Aozora Bunko plain-text markup: 《ruby》, ｜ (start of a ruby base), ［＃annotations］, 〔accent notes〕 kept.
_AOZORA_MARKUP = re.compile(r"《[^》]*》|｜|［＃[^］]*］")
_AOZORA_RULE = "-" * 20
_AOZORA_FOOTER = re.compile(r"^底本[:：]", re.M)


def _clean(text: str) -> str:
    """The body of a text file; Aozora Bunko's notation header, footer and markup removed when present."""
    parts = text.split(_AOZORA_RULE)
    if len(parts) >= 3 and "【テキスト中に現れる記号について】" in parts[1]:
        text = parts[-1].lstrip("-\r\n")
    footer = _AOZORA_FOOTER.search(text)
    if footer:
        text = text[: footer.start()]
    return _AOZORA_MARKUP.sub("", text).replace("\r\n", "\n")


def _chunks(folder: Path, chunk_size: int) -> Iterator[tuple[int, str]]:
    """`(file number, chunk text)` for every file under `folder`, in path order."""
    from corpus.encoding import decode_text
    from corpus.errors import LoadError
    from corpus.japanese.chunker import chunk_text

    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in {".txt", ".md"} and p.is_file())
    for number, path in enumerate(files):
        try:
            text, _encoding = decode_text(path.read_bytes())
        except LoadError:
            continue
        for chunk in chunk_text(_clean(text), chunk_size=chunk_size, overlap=0):
            content = chunk.content.strip()
            if len(content) >= 20:  # headings and stray lines are not passages
                yield number, content


def _embed(args: tuple[str, list[str]]) -> np.ndarray:
    """Worker: embed one batch (the model is loaded once per process, on first use)."""
    from corpus.embeddings import embed_texts

    model, texts = args
    return np.asarray(embed_texts(model, texts, batch_size=len(texts)), dtype=np.float32)


def _embed_all(model: str, texts: list[str], out: np.ndarray, processes: int, label: str) -> None:
    """Embed `texts` into `out` (rows normalised), printing progress every ~5 %."""
    batches = [(model, texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
    started, done, report = time.perf_counter(), 0, max(1, len(batches) // 20)
    with ProcessPoolExecutor(processes) as pool:
        for number, vectors in enumerate(pool.map(_embed, batches, chunksize=1)):
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            out[done : done + len(vectors)] = vectors
            done += len(vectors)
            if number % report == 0 or done == len(texts):
                elapsed = time.perf_counter() - started
                print(f"  {label}: {done:,} / {len(texts):,} embedded in {elapsed:,.0f} s", flush=True)


def _exact_top(matrix: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """The exact top-k rows of `matrix` for each query (a pass over the matrix in blocks)."""
    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), k), dtype=np.int64)
    step = 100_000
    for start in range(0, matrix.shape[0], step):
        scores = queries @ np.asarray(matrix[start : start + step], dtype=np.float32).T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        merged_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, axis=1)], axis=1)
        merged_rows = np.concatenate([best_rows, top + start], axis=1)
        keep = np.argsort(-merged_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(merged_scores, keep, axis=1)
        best_rows = np.take_along_axis(merged_rows, keep, axis=1)
    return best_rows


def _recall(index: ApproximateIndex, matrix: np.ndarray, truth: np.ndarray, queries: np.ndarray) -> tuple[float, float]:
    """`(recall@k against the exact top-k rows in `truth`, p50 ms through the graph)` over `queries`."""
    from corpus.stores.ann import OVERSAMPLE

    k = truth.shape[1]
    hits, graph_ms = 0, []
    for query, exact in zip(queries, truth, strict=True):
        started = time.perf_counter()
        rows, _scores = index.search(query, k * OVERSAMPLE, matrix)
        graph_ms.append((time.perf_counter() - started) * 1000)
        hits += len(set(rows[:k].tolist()) & set(exact.tolist()))  # as the store asks: oversampled, best first
    return hits / truth.size, float(np.median(graph_ms))


def _prepare(args: argparse.Namespace, model: str, stem: str, vectors_path: Path, queries_path: Path) -> None:
    """Cut the texts into chunks, embed the indexed ones and the queries, and cache both in `--cache`."""
    started = time.perf_counter()
    texts: list[str] = []
    held: list[str] = []
    last_file = -1
    for number, content in _chunks(args.texts, args.chunk_size):
        if len(texts) < args.rows:
            texts.append(content)
            last_file = number
        elif number != last_file:  # held-out queries come from files none of whose chunks are indexed
            held.append(content)
            if len(held) >= args.queries * 20:
                break
    if len(texts) < args.rows:
        msg = f"only {len(texts):,} chunks under {args.texts}; ask for fewer --rows"
        raise SystemExit(msg)
    rng = np.random.default_rng(0)
    held = [held[i] for i in sorted(rng.choice(len(held), min(args.queries, len(held)), replace=False))]
    questions = [
        json.loads(line)["text"]
        for line, _ in zip(
            (args.questions_data / "queries.jsonl").open(encoding="utf-8"), range(args.questions), strict=False
        )
    ]
    lengths = np.array([len(t) for t in texts])
    print(
        f"{len(texts):,} chunks from {last_file + 1:,} files in {time.perf_counter() - started:.0f} s: "
        f"{lengths.sum():,} characters, {lengths.mean():.0f} per chunk (p10 {np.percentile(lengths, 10):.0f}, "
        f"p90 {np.percentile(lengths, 90):.0f}); {len(held)} held-out chunks, {len(questions)} questions"
    )
    probe = _embed((model, ["試験"]))
    out = np.lib.format.open_memmap(
        vectors_path.with_suffix(".partial.npy"), mode="w+", dtype=np.float16, shape=(len(texts), probe.shape[1])
    )
    _embed_all(model, texts, out, args.processes, "chunks")
    out.flush()
    del out
    queries_out = np.zeros((len(held) + len(questions), probe.shape[1]), dtype=np.float32)
    _embed_all(model, held + questions, queries_out, args.processes, "queries")
    np.save(queries_path, queries_out)
    np.save(args.cache / f"{stem}-split.npy", np.array([len(held), len(questions)]))
    vectors_path.with_suffix(".partial.npy").rename(vectors_path)


def main() -> None:
    from corpus.embeddings import E5_MODEL, OFFLINE_MODEL
    from corpus.stores import ann

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=Path, required=True, help="a folder of text files (read recursively)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=120, help="characters per chunk (the chunker's target)")
    parser.add_argument("--embedder", choices=["offline", "e5"], default="offline")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--queries", type=int, default=1000, help="held-out chunks used as queries")
    parser.add_argument("--questions", type=int, default=500, help="BEIR questions used as queries")
    parser.add_argument("--questions-data", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--cache", type=Path, required=True, help="folder for the vectors (reused when present)")
    parser.add_argument("--threads", type=int, default=0, help="graph build threads (0: all cores)")
    parser.add_argument("--ef", default="64,128,256,512", help="query-time ef values to measure")
    parser.add_argument("--rebuild", action="store_true", help="build the graph even when the cache has one")
    parser.add_argument(
        "--prefix",
        type=int,
        default=0,
        help="index only the first N of the cached --rows chunks, with the same queries (how recall grows with size)",
    )
    parser.add_argument("--connectivity", type=int, default=ann.CONNECTIVITY, help="HNSW M (default: the store's)")
    parser.add_argument(
        "--dtype",
        choices=["i8", "f16", "f32"],
        default=ann.DTYPE,
        help="the graph's vector copy (default: the store's)",
    )
    parser.add_argument(
        "--expansion-add", type=int, default=ann.EXPANSION_ADD, help="efConstruction (default: the store's)"
    )
    args = parser.parse_args()
    model = OFFLINE_MODEL if args.embedder == "offline" else E5_MODEL
    args.cache.mkdir(parents=True, exist_ok=True)
    stem = f"{args.embedder}-{args.rows}-{args.chunk_size}"
    vectors_path, queries_path = args.cache / f"{stem}.npy", args.cache / f"{stem}-queries.npy"

    if not (vectors_path.is_file() and queries_path.is_file()):
        _prepare(args, model, stem, vectors_path, queries_path)

    matrix = np.load(vectors_path, mmap_mode="r")
    queries = np.load(queries_path)
    held_count, _question_count = np.load(args.cache / f"{stem}-split.npy").tolist()
    if 0 < args.prefix < matrix.shape[0]:
        matrix = matrix[: args.prefix]  # the held-out queries come from later files: none of them is indexed
        stem = f"{stem}-first{args.prefix}"  # names this graph in the cache
    print(f"{matrix.shape[0]:,} real {args.embedder} vectors of {matrix.shape[1]} dimensions (float16 in the cache)")

    # The build reads the module's parameters: set them for this run. The cache keeps a graph per parameter pair,
    # named by it (not by "the store's", which changes between versions).
    stores_graph = (args.connectivity, args.expansion_add, args.dtype) == (
        ann.CONNECTIVITY,
        ann.EXPANSION_ADD,
        ann.DTYPE,
    )
    ann.CONNECTIVITY, ann.EXPANSION_ADD, ann.DTYPE = args.connectivity, args.expansion_add, args.dtype
    # (graphs of earlier runs were float16 and named without the type)
    suffix = "" if args.dtype == "f16" else f"-{args.dtype}"
    graph_folder = args.cache / f"{stem}-m{args.connectivity}-efc{args.expansion_add}{suffix}"
    graph_folder.mkdir(exist_ok=True)
    if args.rebuild or not (graph_folder / ann.FILE_NAME).is_file():
        started = time.perf_counter()
        index = ann.ApproximateIndex.build(matrix, np.ones(matrix.shape[0], dtype=bool), threads=args.threads or None)
        build_s = time.perf_counter() - started
        index.save(graph_folder)
        del index
        built = f"built in {build_s / 60:.1f} min"
    else:
        built = "built by an earlier run (--rebuild to time a build)"
    size_mb = (graph_folder / ann.FILE_NAME).stat().st_size / 1e6
    print(
        f"graph (usearch, {ann.DTYPE}, M {ann.CONNECTIVITY}, efConstruction {ann.EXPANSION_ADD}): {built}, "
        f"{size_mb:,.0f} MB on disk"
    )
    mapped = ann.ApproximateIndex.load(graph_folder)  # as a new process uses it: memory-mapped, ef set
    assert mapped is not None
    stored = (mapped._index.connectivity, str(mapped._index.dtype).rsplit(".", 1)[-1].lower())
    if stored != (args.connectivity, args.dtype):  # M and the type are stored in the file: a cache from elsewhere
        msg = f"{graph_folder} holds a graph with M {stored[0]}, {stored[1]}; use --rebuild"
        raise SystemExit(msg)
    sets = [("held-out chunks", queries[:held_count]), ("questions", queries[held_count:])]
    truths = [_exact_top(matrix, part, 10) if len(part) else None for _label, part in sets]
    for ef in sorted({int(value) for value in args.ef.split(",")} | {ann.EXPANSION_SEARCH}):
        mapped._index.expansion_search = ef  # the knob the store sets once, swept here
        shipped = " (the store's)" if stores_graph and ef == ann.EXPANSION_SEARCH else ""
        for (label, part), truth in zip(sets, truths, strict=True):
            if truth is not None:
                recall, graph_ms = _recall(mapped, matrix, truth, part)
                print(
                    f"ef {ef}{shipped}, {label} ({len(part)}): recall@10 against exact {recall:.3f}, "
                    f"p50 {graph_ms:.1f} ms"
                )


if __name__ == "__main__":
    main()
