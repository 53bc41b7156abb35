"""Try retrieval on a collection without an assistant: what the CLI `search` command and the corpus tab show."""

from __future__ import annotations

from dataclasses import dataclass, field

from haystack import Document

from corpus.stores import open_store
from pipelines.components.embedders import CollectionTextEmbedder
from pipelines.components.retrievers import HybridRetriever

MODES = ("hybrid", "bm25", "vector")


@dataclass
class SearchResult:
    """Ranked chunks with their scores, the query's tokens, the mode used and any notice."""

    documents: list[Document] = field(default_factory=list)
    query_tokens: list[str] = field(default_factory=list)
    mode: str = ""
    notices: list[str] = field(default_factory=list)


def search_collection(collection: str, query: str, top_k: int = 5, mode: str = "hybrid") -> SearchResult:
    """Search with the collection's own embedding model and the default hybrid settings.

    :param mode: `hybrid`, `bm25` (keywords only) or `vector` (meaning only).
    :raises StoreError: `err.collection_not_found`.
    :raises ValueError: for an unknown mode.
    """
    if mode not in MODES:
        msg = f"mode must be one of {MODES}, got {mode!r}"
        raise ValueError(msg)
    open_store(collection).backend.require_collection(collection)
    embedding, notices = None, []
    if mode != "bm25":
        embedded = CollectionTextEmbedder(collection=collection).run(text=query)
        embedding = embedded["embedding"]
        if embedded["meta"].get("notice"):
            notices.append(embedded["meta"]["notice"])
    retriever = HybridRetriever(collection=collection, top_k=top_k)
    if mode == "bm25":
        retriever.vector_weight = 0.0
    elif mode == "vector":
        retriever.bm25_weight, retriever.vector_weight = 0.0, 1.0
    out = retriever.run(query=query, query_embedding=embedding)
    if out["notice"] and out["notice"] not in notices:
        notices.append(out["notice"])
    documents = out["documents"]
    if mode == "vector":  # the BM25 leg ran with weight 0: keep only what the vector leg found
        documents = [d for d in documents if "vector_score" in d.meta]
    return SearchResult(documents, out["query_tokens"], out["mode"] if mode != "vector" else "vector", notices)
