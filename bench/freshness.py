"""How fresh the embedded store stays after writes, at scale. Prints figures; not a test.

    python -m bench.freshness --scale 100000
    python -m bench.freshness --scale 1000000 --queries 200

Builds a fresh temporary store of `--scale` chunks from a BEIR corpus (default: the JaQuAD paragraphs in
`../shared/eval/jsquad-jaquad-large`, tokenised once with Sudachi and replicated under new ids), each with a
synthetic unit 384-d vector (the size of e5's, the default offline embedder's) of low intrinsic dimension, as
embeddings are, so that approximate search's recall means something (`_unit_rows`); embedding a million chunks
would take hours. Synthetic vectors flatter the graph (recall@10 0.99 here, 0.90 on a million real ones with the
same parameters): `bench/ann.py` measures recall on real embeddings. Then prints:

- the first query after the build (a full rebuild) and steady-state BM25 / vector query p50;
- "first query after adding 1 document" and "… removing 1 document" (BM25 and vector legs, the change log applied);
- "open in a new process → first query" (a fresh interpreter importing the store and answering one BM25 query);
- past `corpus.stores.ann.ANN_MIN_ROWS` chunks: the approximate graph's build time, vector p50 through it, its
  recall@10 against the exact product, and hybrid p50 including a real e5 query embedding;
- the time a background merge takes, and this process's peak memory: resident in all, and anonymous (the heap, which
  must stay in RAM; the rest is memory-mapped cache files the kernel may drop and read again).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "eval" / "jsquad-jaquad-large"
DIM = 384


def _paragraphs(data: Path, limit: int) -> list[tuple[str, str]]:
    out = []
    with (data / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            out.append((record["id"], f"{record.get('title', '')}\n{record['text']}"))
            if len(out) >= limit:
                break
    return out


LATENT = 24  # intrinsic dimension of the synthetic vectors
_BASIS = np.linalg.qr(np.random.default_rng(42).standard_normal((DIM, LATENT)))[0].T.astype(np.float32)


def _unit_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    """Synthetic embeddings: points of a 24-dimensional Gaussian placed in 384 dimensions plus a little noise, then
    normalised — like real sentence embeddings, they have a low intrinsic dimension, so every point has a graded
    neighbourhood (uniformly random vectors have none, and no approximate index finds their "neighbours")."""
    rows = rng.standard_normal((n, LATENT)).astype(np.float32) @ _BASIS
    rows += 0.05 * rng.standard_normal((n, DIM)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def _fill(backend, collection: str, paragraphs: list[tuple[str, str]], tokens: list[str], scale: int) -> float:
    from haystack import Document

    from corpus.stores.records import TOKENS_META_KEY

    rng = np.random.default_rng(0)
    started = time.perf_counter()
    written = 0
    copy = 0
    while written < scale:
        batch = []
        take = min(len(paragraphs), scale - written)
        vectors = _unit_rows(rng, take)
        for (pid, text), token_string, vector in zip(paragraphs[:take], tokens[:take], vectors, strict=True):
            batch.append(
                Document(
                    id=f"c{copy}-{pid}",
                    content=text,
                    meta={"source": f"c{copy}-{pid}", TOKENS_META_KEY: token_string},
                    embedding=vector.tolist(),
                )
            )
        backend.write(collection, batch, embedding_model="random-384")
        written += take
        copy += 1
    return time.perf_counter() - started


class _PeakMemory:
    """This process's peak resident memory, split into anonymous (heap: what must stay in RAM) and all of it
    (including memory-mapped cache files, whose pages the kernel may drop and read again), sampled every 20 ms from
    `/proc/self/status` (Linux)."""

    def __init__(self) -> None:
        import threading

        self.anon = self.total = 0
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    @staticmethod
    def now() -> tuple[int, int]:
        """`(anonymous MB, resident MB)` now (0, 0 where /proc is missing)."""
        fields = {}
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("RssAnon", "VmRSS"):
                    fields[key] = int(value.split()[0]) // 1024
        except OSError:
            return 0, 0
        return fields.get("RssAnon", 0), fields.get("VmRSS", 0)

    def _sample(self) -> None:
        while True:
            anon, total = self.now()
            self.anon, self.total = max(self.anon, anon), max(self.total, total)
            time.sleep(0.02)

    def report(self, label: str) -> None:
        anon, total = self.now()
        print(
            f"memory {label}: peak {self.total:,} MB resident, of it {self.anon:,} MB anonymous "
            f"(now {total:,} / {anon:,} MB)"
        )


def _timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - started) * 1000, result


def _first_queries(backend, collection: str, query: list[str], vector: list[float], label: str) -> None:
    bm25_ms, _ = _timed(backend.bm25_search, collection, query, 10)
    vector_ms, _ = _timed(backend.vector_search, collection, vector, 10)
    index = backend.search_index(collection)
    print(
        f"first query after {label}: BM25 {bm25_ms:.1f} ms, then vector {vector_ms:.1f} ms "
        f"({len(index.segments)} segment(s), {index.live:,} live chunks)"
    )


def _open_in_new_process(store: Path, collection: str, query: list[str]) -> tuple[float, float]:
    """`(seconds importing the store's code, seconds from opening the store to the first query's answer)`."""
    code = (
        "import time; t = time.perf_counter()\n"
        "from corpus.stores.embedded import EmbeddedBackend\n"
        "u = time.perf_counter()\n"
        f"b = EmbeddedBackend.open({str(store)!r})\n"
        f"b.bm25_search({collection!r}, {query!r}, 10)\n"
        "print(u - t, time.perf_counter() - u)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO, env=os.environ.copy()
    )
    imports, open_to_query = (float(x) for x in result.stdout.strip().splitlines()[-1].split())
    return imports, open_to_query


def _approximate(backend, queries: list[list[str]], query_vectors: np.ndarray, paragraphs: list) -> None:
    from corpus.embeddings import E5_MODEL, embed_texts
    from corpus.search import run_legs

    index = backend.search_index("c")
    started = time.perf_counter()
    backend.wait_for_ann()
    print(f"approximate graph built in the background: ready {time.perf_counter() - started:.0f}s after the query")
    exact = index.main.vectors
    recall, dense = 0.0, []
    for vector in query_vectors:
        ms, found = _timed(backend.vector_search, "c", vector.tolist(), 10)
        dense.append(ms)
        truth = set(index.rowids[exact.search(vector, 10)[0]].tolist())  # the exact product over the same rows
        got = set(_rowids(backend, found))
        recall += len(truth & got) / 10
    print(
        f"vector p50 through the graph {np.percentile(dense, 50):.2f} ms, "
        f"recall@10 against exact {recall / len(query_vectors):.3f}"
    )
    texts = [text[:40] for _, text in paragraphs[: len(queries)]]
    embed_texts(E5_MODEL, texts[:1], query=True)  # load the model once
    timings: dict[str, list[float]] = {"searched": [], "bm25 from the start": [], "one after the other": []}
    parts = []
    for tokens, text in zip(queries, texts, strict=True):
        started = time.perf_counter()
        vector = embed_texts(E5_MODEL, [text], query=True)[0]
        embedded = time.perf_counter()
        backend.bm25_search("c", tokens, 20)
        lexical = time.perf_counter()
        backend.vector_search("c", vector, 20)
        ended = time.perf_counter()
        timings["one after the other"].append((ended - started) * 1000)
        parts.append(((embedded - started) * 1000, (lexical - embedded) * 1000, (ended - lexical) * 1000))
        # The same query as the retrievers run it (corpus.search.run_legs): embedded alone, as e5 runs in this
        # process, then BM25 on a worker beside the vector leg; and with BM25 from the start, as for Ollama.
        for name, local in (("searched", True), ("bm25 from the start", False)):
            started = time.perf_counter()
            run_legs(
                lambda tokens=tokens: backend.bm25_search("c", tokens, 20),
                lambda vector: backend.vector_search("c", vector, 20),
                None,
                _E5Query(text, local),
            )
            timings[name].append((time.perf_counter() - started) * 1000)
    embed_ms, bm25_ms, vector_ms = np.percentile(np.array(parts), 50, axis=0)
    p50 = {name: np.percentile(values, 50) for name, values in timings.items()}
    print(
        f"hybrid p50 with a real e5 query embedding, as searched (embed, then BM25 beside the vector leg): "
        f"{p50['searched']:.1f} ms; BM25 from the start beside embed + vector: {p50['bm25 from the start']:.1f} ms; "
        f"one after the other: {p50['one after the other']:.1f} ms "
        f"(p50 of each: embed {embed_ms:.1f}, BM25 {bm25_ms:.1f}, vector {vector_ms:.1f} ms)"
    )


class _E5Query:
    """What `corpus.search.QueryEmbedder` is for an e5 collection (`local`), for a store without that record."""

    def __init__(self, text: str, local: bool) -> None:
        self.text, self.local = text, local

    def __call__(self) -> tuple[list[float], str]:
        from corpus.embeddings import E5_MODEL, embed_texts

        return embed_texts(E5_MODEL, [self.text], query=True)[0], ""


def _rowids(backend, docs) -> list[int]:
    ids = [d.id for d in docs]
    marks = ",".join("?" * len(ids))
    rows = backend._conn.execute(f"SELECT rowid FROM chunks WHERE id IN ({marks})", ids).fetchall()
    return [r[0] for r in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with corpus.jsonl")
    parser.add_argument("--scale", type=int, default=100_000, help="chunks in the store")
    parser.add_argument("--queries", type=int, default=300, help="queries for the steady-state p50")
    parser.add_argument("--paragraphs", type=int, default=5_000, help="distinct paragraphs to replicate")
    parser.add_argument("--keep", type=Path, default=None, help="build the store in this new folder and keep it")
    args = parser.parse_args(argv)

    from haystack import Document

    from corpus.japanese.tokenizer import get_tokenizer
    from corpus.stores import ann, embedded
    from corpus.stores.embedded import EmbeddedBackend, SourceRecord

    embedded.ANN_THREADS = os.cpu_count() or 1  # nothing else runs here: build the graph on every core

    memory = _PeakMemory()
    tokenizer = get_tokenizer("sudachi")
    paragraphs = _paragraphs(args.data, args.paragraphs)
    started = time.perf_counter()
    tokens = [tokenizer.tokens_string(text) for _, text in paragraphs]
    print(f"tokenised {len(paragraphs):,} paragraphs in {time.perf_counter() - started:.1f}s")
    queries = [t.split()[:6] for t in tokens[: args.queries]]
    rng = np.random.default_rng(1)
    query_vectors = _unit_rows(rng, len(queries))

    if args.keep is not None:
        args.keep.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="tokka-fresh-") as scratch:
        tmp = str(args.keep or scratch)
        os.environ["TOKKA_DATA_DIR"] = tmp
        store = Path(tmp) / "tokka.sqlite3"
        backend = EmbeddedBackend.open(store)
        seconds = _fill(backend, "c", paragraphs, tokens, args.scale)
        print(f"wrote {args.scale:,} chunks in {seconds:.0f}s")
        build_ms, _ = _timed(backend.search_index, "c")
        print(f"first query after the bulk write (a full build, cached to disk): {build_ms / 1000:.2f}s")
        memory.report("after the bulk write and the build")

        bm25 = [_timed(backend.bm25_search, "c", q, 10)[0] for q in queries]
        dense = [_timed(backend.vector_search, "c", v.tolist(), 10)[0] for v in query_vectors]
        print(f"steady state: BM25 p50 {np.percentile(bm25, 50):.2f} ms, vector p50 {np.percentile(dense, 50):.2f} ms")
        if args.scale >= ann.ANN_MIN_ROWS:
            _approximate(backend, queries, query_vectors, paragraphs)

        text = "工房のレーザーカッターでは塩化ビニルを加工できません。有毒な塩素ガスが出るためです。"
        new = Document(id="fresh-0", content=text, meta={"source": "fresh"}, embedding=_unit_rows(rng, 1)[0].tolist())
        backend.replace_source("c", SourceRecord("fresh"), [new], embedding_model="random-384")
        probe = tokenizer.tokenize("レーザーカッター 塩化ビニル")
        _first_queries(backend, "c", probe, new.embedding, "adding 1 document")
        found = [d.id for d in backend.bm25_search("c", probe, 1)]
        print(f"  the new document is found first: {found == ['fresh-0']}")

        backend.remove_source("c", f"c0-{paragraphs[0][0]}")
        _first_queries(backend, "c", queries[0], query_vectors[0].tolist(), "removing 1 document")
        backend.remove_source("c", "fresh")
        _first_queries(backend, "c", probe, new.embedding, "removing the added document")

        merge_ms, _ = _timed(backend.merge, "c")
        print(f"a merge (what runs in the background once the extra segments grow): {merge_ms / 1000:.2f}s")
        memory.report("after the graph, the queries and a merge")
        EmbeddedBackend.close_all()
        for attempt in range(2):
            imports, open_to_query = _open_in_new_process(store, "c", queries[0])
            print(
                f"open in a new process → first BM25 query (try {attempt + 1}): {open_to_query:.2f}s "
                f"(after {imports:.2f}s importing Haystack and the store, which a running app has done already)"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:,.0f} MB (kernel's high-water mark)")
    memory.report("at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
