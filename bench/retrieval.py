"""Retrieval benchmark on a BEIR-layout folder (e.g. `../shared/eval/jsquad-dev`). Prints figures; not a test.

    python -m bench.retrieval --data ../shared/eval/jsquad-dev --run out/dev-hybrid.tsv --mode hybrid
    python -m bench.retrieval --data ../shared/eval/jsquad-jaquad-large --run out/large.tsv --query-prefix a
    python -m bench.retrieval --data ../shared/eval/jsquad-jaquad-large --run out/100k.tsv --mode hybrid \
        --query-prefix a --scale 100000 --compare-inmemory

It indexes `corpus.jsonl` (title + text, one source per paragraph) into a fresh temporary store with the same
components the indexing pipeline uses (normalise → split → tokenise → embed → write), runs `queries.jsonl`, writes a
run file for `evaluate.py`, and prints: ingestion chars/s (without the embedder), index size, store open time, query
latency p50/p95, and the metrics from `evaluate.py`. `--scale N` replicates the corpus with new ids until it holds N
chunks (for speed at scale; the copies are distractors that share text, so use quality figures from runs without it).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

EVALUATE = Path(__file__).resolve().parents[2] / "shared" / "eval" / "evaluate.py"


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, type=Path, help="folder with corpus.jsonl, queries.jsonl, qrels.tsv")
    parser.add_argument("--run", required=True, type=Path, help="run file to write (TSV: qid docid rank score)")
    parser.add_argument("--mode", choices=["bm25", "dense", "hybrid"], default="bm25")
    parser.add_argument("--embedder", choices=["offline", "e5"], default="offline", help="USE or multilingual-e5-small")
    parser.add_argument("--query-prefix", default="", help="only queries whose id starts with this")
    parser.add_argument("--tokenizer", default="sudachi", choices=["sudachi", "char-bigram", "sudachi+bigram"])
    parser.add_argument("--bm25-weight", type=float, default=1.0)
    parser.add_argument("--vector-weight", type=float, default=None, help="default: the HybridRetriever default")
    parser.add_argument("--rrf-k", type=int, default=None, help="default: the HybridRetriever default")
    parser.add_argument("--fusion", choices=["auto", "rrf", "scores"], default="auto")
    parser.add_argument("--vector-share", type=float, default=None, help="default: the HybridRetriever default")
    parser.add_argument("--candidates", type=int, default=20, help="top-k of each leg")
    parser.add_argument("--chunk-size", type=int, default=400)
    parser.add_argument(
        "--no-spelling-variants", action="store_true", help="search the question's katakana words as spelt only"
    )
    parser.add_argument(
        "--respell",
        action="store_true",
        help="only questions with a katakana word outside Sudachi's dictionary that has another spelling, asked with "
        "that spelling (the first of corpus.japanese.variants.word_variants), as a user who spells it otherwise",
    )
    parser.add_argument("--scale", type=int, default=0, help="replicate the corpus to this many chunks")
    parser.add_argument("--compare-inmemory", action="store_true", help="also time Haystack's InMemoryDocumentStore")
    parser.add_argument("--inmemory-queries", type=int, default=50)
    parser.add_argument("--max-queries", type=int, default=0)
    parser.add_argument(
        "--backend",
        choices=["embedded", "elasticsearch"],
        default="embedded",
        help="elasticsearch uses ELASTICSEARCH_URL (a temporary collection, deleted afterwards)",
    )
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="tokka-bench-"))
    os.environ["TOKKA_DATA_DIR"] = str(workdir)
    os.environ["TOKKA_EMBEDDER"] = args.embedder if args.mode != "bm25" else "none"
    from corpus.stores import get_backend
    from tokka.settings import get_settings

    elastic = args.backend == "elasticsearch"
    if elastic and not os.environ.get("ELASTICSEARCH_URL"):
        parser.error("--backend elasticsearch needs ELASTICSEARCH_URL")
    if not elastic:
        os.environ.pop("ELASTICSEARCH_URL", None)
    get_settings.cache_clear()
    collection = f"bench-{os.getpid()}" if elastic else "bench"
    corpus = read_jsonl(args.data / "corpus.jsonl")
    queries = [q for q in read_jsonl(args.data / "queries.jsonl") if q["id"].startswith(args.query_prefix)]
    if args.respell:
        queries = _respelled(queries)
        print(f"respelled questions: {len(queries)}")
    if args.max_queries:
        queries = queries[: args.max_queries]
    backend = get_backend()
    backend.create_collection(collection, tokenizer=args.tokenizer)  # fails here, with a message, when unreachable
    try:
        return _run(args, backend, collection, corpus, queries, workdir)
    finally:
        if elastic:
            backend.delete_collection(collection)
        shutil.rmtree(workdir, ignore_errors=True)  # the store: hundreds of MB at 100k chunks


def _run(args, backend, collection: str, corpus: list[dict], queries: list[dict], workdir: Path) -> int:  # noqa: C901
    from haystack import Document

    from corpus.stores.embedded import EmbeddedBackend, SourceRecord
    from pipelines.components.embedders import CollectionDocumentEmbedder, CollectionTextEmbedder
    from pipelines.components.normalizer import JapaneseNormalizer
    from pipelines.components.retrievers import HybridRetriever
    from pipelines.components.splitter import JapaneseSentenceSplitter
    from pipelines.components.tokenizer import BM25Tokenizer

    embedded = isinstance(backend, EmbeddedBackend)

    # ---- ingestion without the embedder (normalise → split → tokenise → write, one transaction per source) ----
    normalizer = JapaneseNormalizer()
    splitter = JapaneseSentenceSplitter(chunk_size=args.chunk_size, overlap=min(80, args.chunk_size // 5))
    tokenizer = BM25Tokenizer(tokenizer=args.tokenizer)
    total_chars = sum(len(r["title"]) + 1 + len(r["text"]) for r in corpus)
    started = time.perf_counter()
    all_chunks: list[Document] = []
    for record in corpus:
        doc = Document(content=record["text"], meta={"source": record["id"], "title": record["title"]})
        chunks = tokenizer.run(splitter.run(normalizer.run([doc])["documents"])["documents"])["documents"]
        all_chunks.extend(chunks)
    tokenised = time.perf_counter()
    if args.mode == "bm25":
        for record, chunks in _by_source(all_chunks):
            backend.replace_source(collection, SourceRecord(source=record), chunks, tokenizer=args.tokenizer)
    ingest_seconds = time.perf_counter() - started
    print(f"corpus: {len(corpus)} paragraphs, {total_chars:,} chars → {len(all_chunks)} chunks")
    print(
        f"ingestion (no embedder): {total_chars / ingest_seconds:,.0f} chars/s "
        f"(normalise+split+tokenise {tokenised - started:.1f}s, total {ingest_seconds:.1f}s"
        f"{'' if args.mode == 'bm25' else ', writes timed below with embeddings'})"
    )

    if args.mode != "bm25":
        started = time.perf_counter()
        # embedded here, before writing (not by the background filler), so every query sees every vector
        embedded = CollectionDocumentEmbedder(collection=collection, embedder=args.embedder, background=False).run(
            documents=all_chunks
        )
        embed_seconds = time.perf_counter() - started
        print(
            f"embedding ({embedded['meta']['model']}): {total_chars / embed_seconds:,.0f} chars/s, {embed_seconds:.0f}s"
        )
        started = time.perf_counter()
        for record, chunks in _by_source(embedded["documents"]):
            backend.replace_source(
                collection,
                SourceRecord(source=record),
                chunks,
                embedding_model=embedded["meta"]["model"],
                tokenizer=args.tokenizer,
            )
        print(f"writes with embeddings: {time.perf_counter() - started:.1f}s")
        all_chunks = embedded.pop("documents")
    embedded_model = embedded["meta"]["model"] if args.mode != "bm25" else None

    if args.scale and args.scale > len(all_chunks):
        started = time.perf_counter()
        copies = 0
        while backend.count(collection) < args.scale:
            copies += 1
            batch = []
            for doc in all_chunks[: args.scale - backend.count(collection)]:
                meta = {**doc.meta, "source": f"copy{copies}-{doc.meta['source']}"}
                batch.append(
                    Document(id=f"copy{copies}-{doc.id}", content=doc.content, meta=meta, embedding=doc.embedding)
                )
            model = embedded_model if args.mode != "bm25" else None
            backend.write(collection, batch, embedding_model=model)
        print(
            f"scaled to {backend.count(collection):,} chunks ({copies} copies) in {time.perf_counter() - started:.1f}s"
        )

    del all_chunks  # queries are timed in a steady state, not beside millions of Python floats
    gc.collect()
    if embedded:
        started = time.perf_counter()
        backend.search_index(collection)
        print(f"index build (first query after ingestion): {time.perf_counter() - started:.2f}s")
        size = (workdir / "tokka.sqlite3").stat().st_size
        print(f"store size: SQLite {size / 2**20:.1f} MB + index cache {folder_size(workdir / 'index') / 2**20:.1f} MB")
        EmbeddedBackend.close_all()
        open_seconds = _time_open_in_new_process(workdir, collection)
        print(f"store open in a new process (to first query ready): {open_seconds:.2f}s")
        backend = EmbeddedBackend.open(backend.path)
        backend.search_index(collection)

    # ---- queries ----
    vector_weight = args.vector_weight
    if args.mode == "bm25":
        weights = (1.0, 0.0)
    elif args.mode == "dense":
        weights = (0.0, 1.0)
    else:
        default = HybridRetriever(collection=collection).vector_weight
        weights = (args.bm25_weight, default if vector_weight is None else vector_weight)
    retriever = HybridRetriever(
        collection=collection,
        top_k=args.candidates,
        bm25_top_k=args.candidates,
        vector_top_k=args.candidates,
        bm25_weight=max(weights[0], 0.0),
        vector_weight=weights[1],
        fusion=args.fusion,
        **({"rrf_k": args.rrf_k} if args.rrf_k else {}),
        **({"vector_share": args.vector_share} if args.vector_share is not None else {}),
        spelling_variants=not args.no_spelling_variants,
    )
    text_embedder = CollectionTextEmbedder(collection=collection)
    latencies: list[float] = []
    args.run.parent.mkdir(parents=True, exist_ok=True)
    with args.run.open("w", encoding="utf-8") as out:
        for query in queries:
            started = time.perf_counter()
            embedding = text_embedder.run(text=query["text"])["embedding"] if args.mode != "bm25" else None
            if args.mode == "dense":
                from pipelines.components.retrievers import CollectionEmbeddingRetriever

                docs = CollectionEmbeddingRetriever(collection=collection, top_k=args.candidates).run(
                    query_embedding=embedding
                )["documents"]
            else:
                docs = retriever.run(query=query["text"], query_embedding=embedding)["documents"]
            latencies.append(time.perf_counter() - started)
            ranked: list[tuple[str, float]] = []
            for doc in docs:  # chunks → their paragraph ids, best chunk first
                source = str(doc.meta["source"])
                if source not in {s for s, _ in ranked}:
                    ranked.append((source, doc.score or 0.0))
            for rank, (source, score) in enumerate(ranked, start=1):
                out.write(f"{query['id']}\t{source}\t{rank}\t{score:.6f}\n")
    lat = np.asarray(latencies) * 1000
    print(
        f"queries: {len(queries)}, latency p50 {np.percentile(lat, 50):.2f} ms, p95 {np.percentile(lat, 95):.2f} ms"
        f" (mode {args.mode}, fusion {_fusion(collection, retriever)})"
    )

    if args.compare_inmemory and embedded:
        _compare_inmemory(backend, collection, queries[: args.inmemory_queries])

    if EVALUATE.is_file():
        command = [sys.executable, str(EVALUATE), "--qrels", str(args.data / "qrels.tsv"), "--run", str(args.run)]
        if args.query_prefix:
            command += ["--query-prefix", args.query_prefix]
        if args.respell or args.max_queries:  # the metrics of the questions asked, not of every one in the qrels
            asked = workdir / "asked.jsonl"
            asked.write_text("".join(json.dumps({"_id": q["id"]}) + "\n" for q in queries), encoding="utf-8")
            command += ["--queries", str(asked)]
        print(subprocess.run(command, capture_output=True, text=True, check=False).stdout)
    return 0


def _fusion(collection: str, retriever) -> str:
    from corpus.search import fusion_for

    if fusion_for(collection, retriever.fusion) == "scores":
        return f"scores, vector share {retriever.vector_share}"
    return f"rrf, weights bm25 {retriever.bm25_weight} / vector {retriever.vector_weight}, rrf_k {retriever.rrf_k}"


def _by_source(chunks: list) -> list[tuple[str, list]]:
    grouped: dict[str, list] = {}
    for doc in chunks:
        grouped.setdefault(str(doc.meta["source"]), []).append(doc)
    return list(grouped.items())


def _time_open_in_new_process(workdir: Path, collection: str) -> float:
    code = (
        "import time; t=time.perf_counter(); "
        "from corpus.stores.embedded import EmbeddedBackend; "
        f"b=EmbeddedBackend.open({str(workdir / 'tokka.sqlite3')!r}); b.search_index({collection!r}); "
        "print(time.perf_counter()-t)"
    )
    env = {**os.environ, "TOKKA_DATA_DIR": str(workdir)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return float(result.stdout.strip().splitlines()[-1])


def _respelled(queries: list[dict]) -> list[dict]:
    """The questions holding a katakana word Sudachi's dictionary does not have (a name, a product) that can be
    spelt another way, each such word spelt the first other way `word_variants` gives (ブラザヴィル → ブラザビル).
    Dictionary words are left alone: their normalised form joins the spellings already."""
    from sudachipy import Dictionary, SplitMode

    from corpus.japanese.variants import word_variants

    analyser = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    out = []
    for query in queries:
        morphemes = [(m.surface(), m.is_oov()) for m in analyser.tokenize(query["text"])]
        pieces = [surface for surface, _ in morphemes]
        spelt = [(word_variants(p) or [p])[0] if unknown else p for p, unknown in morphemes]
        if spelt != pieces:
            out.append({**query, "text": "".join(spelt)})
    return out


def _compare_inmemory(backend, collection: str, queries: list[dict]) -> None:
    """BM25 against BM25: Haystack's InMemoryDocumentStore over the same stored tokens (whitespace regex) and ours,
    on the same queries, top 20."""
    from haystack import Document
    from haystack.document_stores.in_memory import InMemoryDocumentStore

    from corpus.japanese.tokenizer import get_tokenizer

    rows = backend._conn.execute("SELECT id, tokens FROM chunks WHERE collection = ?", (collection,)).fetchall()
    store = InMemoryDocumentStore(bm25_tokenization_regex=r"\S+", bm25_algorithm="BM25Okapi", shared=False)
    started = time.perf_counter()
    store.write_documents([Document(id=i, content=tokens) for i, tokens in rows])
    print(f"InMemoryDocumentStore: wrote {len(rows):,} docs in {time.perf_counter() - started:.1f}s")
    tok = get_tokenizer(backend.collection(collection).tokenizer)
    latencies, ours = [], []
    for query in queries:
        started = time.perf_counter()
        store.bm25_retrieval(" ".join(tok.tokenize(query["text"])), top_k=20)
        latencies.append(time.perf_counter() - started)
        started = time.perf_counter()
        backend.bm25_search(collection, tok.tokenize(query["text"]), 20)
        ours.append(time.perf_counter() - started)
    p50 = float(np.percentile(np.asarray(latencies) * 1000, 50))
    our_p50_ms = float(np.percentile(np.asarray(ours) * 1000, 50))
    ratio = p50 / our_p50_ms
    print(
        f"BM25 p50 over {len(queries)} queries: InMemoryDocumentStore {p50:.1f} ms, tokka {our_p50_ms:.2f} ms "
        f"→ tokka is {ratio:.0f}× faster"
    )


if __name__ == "__main__":
    from tokka.errors import TokkaError

    try:
        sys.exit(main())
    except TokkaError as error:
        print(error.message("en"), file=sys.stderr)
        sys.exit(2)
