"""Search one collection: BM25 over the stored Japanese tokens, cosine over the embeddings, and both fused.

Fusion is done here, on the client, for both backends: Elasticsearch's server-side RRF needs a paid licence, and
doing it in one place makes the embedded store and Elasticsearch rank alike. Every returned Document carries its
scores in meta (`bm25_score`, `bm25_rank`, `vector_score`, `vector_rank`, `fused_score`) so the UI can show why it
was found. The Haystack retrievers in `pipelines.components.retrievers` call these functions.

The two legs of a hybrid search run at once: BM25 on a worker thread, the vector leg on the calling thread
(`lexical_beside`); the search index, SQLite and the graph library release the GIL for most of their work. A search
that embeds its own query (`hybrid_search(..., embed=QueryEmbedder(...))`) embeds it first when the model runs in
this process — its C engine takes every core, and BM25 beside it only slowed it down — and starts BM25 beside the
vector leg; with an Ollama model, whose embedding is mostly waiting, BM25 runs from the start
(docs/retrieval.md §Overlapping the legs). The embedding stays on the calling thread because the e5 engine's OpenMP
threads belong to the thread that calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, TypeVar

from haystack import Document

from corpus.embeddings import MODEL_DIMS, embed_query
from corpus.japanese.tokenizer import get_tokenizer, words_only
from corpus.japanese.variants import variant_tokens, word_variants
from corpus.stores import open_store
from tokka.locales import t

MODES = ("hybrid", "bm25", "vector")
FUSIONS = ("auto", "rrf", "scores")
# Collections embedded with these models fuse by rank under `fusion: auto` (their meaning leg is weak).
RANK_FUSION_MODELS = ("use-multilingual-v3",)
# Workers for BM25 legs run beside the rest of a search (one per concurrent search; more wait their turn).
LEXICAL_WORKERS = 4
_LEXICAL_POOL = ThreadPoolExecutor(max_workers=LEXICAL_WORKERS, thread_name_prefix="tokka-bm25")
_Lexical = TypeVar("_Lexical")
_Other = TypeVar("_Other")
# Tokenizers whose tokens are words, for which katakana spelling variants are searched (not `char-bigram`).
WORD_TOKENIZERS = ("sudachi", "sudachi+bigram")


def check_top_k(top_k: int) -> int:
    """`top_k` when it is a positive integer.

    :raises ValueError: otherwise.
    """
    if not isinstance(top_k, int) or top_k <= 0:
        msg = f"top_k must be a positive integer, got {top_k!r}"
        raise ValueError(msg)
    return top_k


def require_collection(collection: str) -> None:
    """Raise when the collection does not exist: a missing collection is an error, not an empty search.

    :raises StoreError: `err.collection_not_found` (listing the collections there are).
    """
    backend = open_store(collection).backend
    if backend.embedding_of(collection) is None:  # cheap: no row counting
        backend.require_collection(collection)


def bm25_search(
    collection: str,
    query: str,
    top_k: int,
    filters: dict[str, Any] | None = None,
    spelling_variants: bool = True,
) -> tuple[list[Document], list[str]]:
    """BM25 over the collection's stored tokens.

    :param spelling_variants: also search the other spellings of the query's katakana words (サーバ for サーバー,
        バイオリン for ヴァイオリン; `corpus.japanese.variants`) in collections tokenised into words.
    :returns: `(documents with bm25_score/bm25_rank, the query's tokens)` — the tokens without the variants.
    """
    store = open_store(collection)
    tokenizer = store.backend.tokenizer_name(collection)  # once: on Elasticsearch it is a request
    tokens = get_tokenizer(tokenizer).tokenize(query)
    searched = tokens
    if spelling_variants and tokenizer in WORD_TOKENIZERS:
        searched = tokens + variant_tokens(words_only(tokens), query)
    docs = store.bm25_retrieval(searched, top_k, filters)
    ranked = [
        replace(d, meta={**d.meta, "bm25_score": d.score, "bm25_rank": rank}) for rank, d in enumerate(docs, start=1)
    ]
    return ranked, tokens


def vector_search(
    collection: str, embedding: list[float] | None, top_k: int, filters: dict[str, Any] | None = None
) -> list[Document]:
    """Cosine similarity over the collection's embeddings (nothing without a query embedding)."""
    if embedding is None:
        return []
    docs = open_store(collection).embedding_retrieval(embedding, top_k, filters)
    return [
        replace(d, meta={**d.meta, "vector_score": d.score, "vector_rank": rank})
        for rank, d in enumerate(docs, start=1)
    ]


def reciprocal_rank_fusion(legs: list[tuple[list[Document], float]], top_k: int, k: int = 60) -> list[Document]:
    """Weighted RRF: score(d) = Σ weight / (k + rank), ranks from 1. Metadata of all legs is merged per id.

    Cormack et al. (2009) use k = 60 for runs of similar quality; a smaller k trusts each leg's top ranks more.
    """
    fused: dict[str, float] = {}
    first: dict[str, Document] = {}
    metas: dict[str, dict[str, Any]] = {}
    for docs, weight in legs:
        for rank, doc in enumerate(docs, start=1):
            fused[doc.id] = fused.get(doc.id, 0.0) + weight / (k + rank)
            first.setdefault(doc.id, doc)
            metas[doc.id] = {**metas.get(doc.id, {}), **doc.meta}
    ranked = sorted(fused, key=lambda i: (-fused[i], i))[:top_k]
    return [replace(first[i], score=fused[i], meta={**metas[i], "fused_score": fused[i]}) for i in ranked]


def score_fusion(legs: list[tuple[list[Document], float]], top_k: int) -> list[Document]:
    """Score-aware fusion: each leg's scores min-max normalised over its own candidates (best 1, worst 0; a chunk a
    leg did not return counts 0 there), then score(d) = Σ weight × normalised. Unlike RRF it keeps *how much*
    better a first place is: a BM25 leader far ahead stays first, a near-tie is settled by the meaning leg.
    """
    fused: dict[str, float] = {}
    first: dict[str, Document] = {}
    metas: dict[str, dict[str, Any]] = {}
    for docs, weight in legs:
        scores = [float(d.score or 0.0) for d in docs]
        low, high = (min(scores), max(scores)) if scores else (0.0, 0.0)
        for doc, score in zip(docs, scores, strict=True):
            normalised = (score - low) / (high - low) if high > low else 1.0
            fused[doc.id] = fused.get(doc.id, 0.0) + weight * normalised
            first.setdefault(doc.id, doc)
            metas[doc.id] = {**metas.get(doc.id, {}), **doc.meta}
    ranked = sorted(fused, key=lambda i: (-fused[i], i))[:top_k]
    return [replace(first[i], score=fused[i], meta={**metas[i], "fused_score": fused[i]}) for i in ranked]


@dataclass
class HybridSettings:
    """How the two legs are searched and fused (the defaults are measured on jsquad-dev, see `docs/retrieval.md`).

    :param bm25_top_k: candidates taken from the BM25 leg.
    :param vector_top_k: candidates taken from the vector leg.
    :param bm25_weight: weight of the BM25 leg in the fusion.
    :param vector_weight: weight of the vector leg.
    :param rrf_k: the RRF constant.
    :param fusion: `rrf` (ranks, with the weights and `rrf_k` above), `scores` (min-max normalised scores, the
        vector leg weighing `vector_share` and BM25 the rest) or `auto`: `rrf` for a collection embedded with the
        offline USE model (its meaning leg only breaks ties), `scores` for e5 and Ollama models (jsquad-dev MRR@10
        with e5: RRF 0.934, scores 0.939; with USE: RRF 0.933, scores at best 0.933 — docs/retrieval.md §Fusion).
    :param vector_share: the vector leg's share in `scores` fusion, from 0 to 1.
    :param spelling_variants: the BM25 leg also searches the other spellings of the query's katakana words.
    """

    bm25_top_k: int = 20
    vector_top_k: int = 20
    bm25_weight: float = 1.0
    vector_weight: float = 0.2
    rrf_k: int = 2
    fusion: str = "auto"
    vector_share: float = 0.35
    spelling_variants: bool = True

    def __post_init__(self) -> None:
        check_top_k(self.bm25_top_k)
        check_top_k(self.vector_top_k)
        if self.fusion not in FUSIONS:
            msg = f"fusion must be one of {FUSIONS}, got {self.fusion!r}"
            raise ValueError(msg)
        if not 0.0 <= self.vector_share <= 1.0:
            msg = f"vector_share must be between 0 and 1, got {self.vector_share}"
            raise ValueError(msg)
        if self.bm25_weight < 0 or self.vector_weight < 0 or self.bm25_weight + self.vector_weight == 0:
            msg = (
                "weights must be >= 0 and not both 0; "
                f"got bm25_weight={self.bm25_weight}, vector_weight={self.vector_weight}"
            )
            raise ValueError(msg)


@dataclass
class SearchResult:
    """Ranked chunks with their scores, the query's tokens, the mode used and any notice."""

    documents: list[Document] = field(default_factory=list)
    query_tokens: list[str] = field(default_factory=list)
    mode: str = ""
    notices: list[str] = field(default_factory=list)


def lexical_beside(lexical: Callable[[], _Lexical], work: Callable[[], _Other]) -> tuple[_Lexical, _Other]:
    """Run `lexical` (the BM25 leg) on a worker thread while `work` runs on this one; both results once both are
    done. An error of either is raised after both have finished (`work`'s first)."""
    future = _LEXICAL_POOL.submit(lexical)
    try:
        other = work()
    except BaseException:
        future.exception()  # wait: no leg outlives the search
        raise
    return future.result(), other


class QueryEmbedder:
    """The `embed` argument of `hybrid_search`: embeds `query` with the collection's model (Ollama at `url` where it
    is used) when called, returning `(embedding or None, notice)` (None with the reason when the model cannot be
    used; `corpus.embeddings`).

    `local` says whether the model runs in this process (USE, e5): its embedding then takes every core, and a BM25
    leg beside it would only slow it down, so the search starts BM25 once the embedding is done (beside the vector
    leg). An Ollama model is mostly waited for, so BM25 runs meanwhile.
    """

    def __init__(self, collection: str, query: str, url: str | None = None) -> None:
        self.collection, self.query, self.url = collection, query, url

    @cached_property
    def local(self) -> bool:
        """Whether the collection's model runs in this process (read when a search first needs to know)."""
        return open_store(self.collection).embedding_model() in MODEL_DIMS

    def __call__(self) -> tuple[list[float] | None, str]:
        embedding, notice, _ = embed_query(self.collection, self.query, self.url)
        return embedding, notice


def run_legs(
    lexical: Callable[[], _Lexical],
    vector: Callable[[list[float]], list[Document]],
    embedding: list[float] | None,
    embed: QueryEmbedder | None,
) -> tuple[_Lexical, list[float] | None, list[Document] | None, str]:
    """Run the BM25 leg and, when there is or can be an embedding, the vector leg; the two at once.

    :returns: `(BM25 result, embedding, vector documents or None without an embedding, embedding notice)`.
    """
    notice = ""
    if embedding is None and embed is not None and embed.local:
        embedding, notice = embed()  # on every core, alone; BM25 goes beside the vector leg below
    if embedding is not None:
        found, documents = lexical_beside(lexical, lambda: vector(embedding))
        return found, embedding, documents, notice
    if embed is None or embed.local:
        return lexical(), None, None, notice

    def embed_then_search() -> tuple[list[float] | None, list[Document] | None, str]:
        embedded, said = embed()
        return embedded, (vector(embedded) if embedded is not None else None), said

    found, (embedding, documents, notice) = lexical_beside(lexical, embed_then_search)
    return found, embedding, documents, notice


def hybrid_search(
    collection: str,
    query: str,
    embedding: list[float] | None,
    top_k: int,
    settings: HybridSettings | None = None,
    filters: dict[str, Any] | None = None,
    embed: QueryEmbedder | None = None,
) -> SearchResult:
    """BM25 ∥ vector, fused. Without a query embedding it returns BM25 results alone and says so.

    :param embed: embeds the query when `embedding` is None (`QueryEmbedder`). How the legs share the time: see
        `run_legs` and the module docstring.
    """
    settings = settings or HybridSettings()
    require_collection(collection)

    def lexical() -> tuple[list[Document], list[str]]:
        return bm25_search(collection, query, settings.bm25_top_k, filters, settings.spelling_variants)

    def vector(query_embedding: list[float]) -> list[Document]:
        return vector_search(collection, query_embedding, settings.vector_top_k, filters)

    notices: list[str] = []
    if settings.vector_weight > 0:
        (bm25, tokens), embedding, dense, notice = run_legs(lexical, vector, embedding, embed)
        notices += [notice] if notice else []
    else:
        (bm25, tokens), dense = lexical(), None
    legs = [(bm25, settings.bm25_weight)]
    mode = "bm25"
    if dense is not None:
        legs.append((dense, settings.vector_weight))
        mode = "hybrid"
    elif embedding is None:
        notices.append(t("notice.bm25_only", collection=collection))
    if mode == "hybrid" and fusion_for(collection, settings.fusion) == "scores":
        share = settings.vector_share
        fused = score_fusion([(legs[0][0], 1.0 - share), (legs[1][0], share)], top_k)
    else:
        fused = reciprocal_rank_fusion(legs, top_k, settings.rrf_k)
    return SearchResult(fused, tokens, mode, list(dict.fromkeys(notices)))


def fusion_for(collection: str, fusion: str) -> str:
    """`rrf` or `scores`: `fusion` itself, or for `auto` what suits the collection's embedding model."""
    if fusion != "auto":
        return fusion
    model = (open_store(collection).backend.embedding_of(collection) or (None, None))[0]
    return "rrf" if model is None or model in RANK_FUSION_MODELS else "scores"


def search_collection(collection: str, query: str, top_k: int = 5, mode: str = "hybrid") -> SearchResult:
    """Search with the collection's own embedding model and the default hybrid settings (CLI and corpus tab).

    :param mode: `hybrid`, `bm25` (keywords only) or `vector` (meaning only).
    :raises StoreError: `err.collection_not_found`.
    :raises ValueError: for an unknown mode.
    """
    if mode not in MODES:
        msg = f"mode must be one of {MODES}, got {mode!r}"
        raise ValueError(msg)
    require_collection(collection)
    if mode == "vector":
        embedding, notice = QueryEmbedder(collection, query)()
        found = SearchResult(vector_search(collection, embedding, top_k), [], "vector", [notice] if notice else [])
        found.query_tokens = open_store(collection).query_tokens(query)
        if embedding is None:
            found.notices.append(t("notice.bm25_only", collection=collection))
    elif mode == "bm25":
        found = hybrid_search(collection, query, None, top_k, HybridSettings(vector_weight=0.0))
        found.notices = []
    else:
        found = hybrid_search(collection, query, None, top_k, HybridSettings(), embed=QueryEmbedder(collection, query))
    found.notices = list(dict.fromkeys(found.notices))
    return found


def relevance(collection: str, query_tokens: list[str], documents: list[Document]) -> float:
    """How much of the question the best retrieved chunk covers, from 0 to 1: the question's tokens, weighted by
    their BM25 idf (rare words count more; a word no chunk has counts most), that appear in the chunk (its text,
    title and section). Rank-based fused scores say nothing about relevance; this does, on any corpus size.
    """
    distinct = list(dict.fromkeys(words_only(query_tokens)))  # a measure of words, whatever else BM25 indexed
    if not distinct or not documents:
        return 0.0
    store = open_store(collection)
    idf = store.idf(distinct)
    highest = max(idf.values(), default=1.0)
    weights = {token: idf.get(token, highest) or highest for token in distinct}
    total = sum(weights.values()) or 1.0
    tokenizer = get_tokenizer(store.backend.tokenizer_name(collection))
    spellings = {token: [token, *word_variants(token)] for token in distinct}  # a word is there in any spelling
    best = 0.0
    for doc in documents:
        text = "\n".join(str(doc.meta.get(f) or "") for f in ("title", "heading")) + "\n" + (doc.content or "")
        present = set(tokenizer.tokenize(text))
        covered = sum(w for token, w in weights.items() if any(s in present for s in spellings[token]))
        best = max(best, covered / total)
    return best
