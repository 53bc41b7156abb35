"""Retrievers over a collection: BM25, embedding, and hybrid (both legs fused with weighted RRF on the client).

Each takes a `collection` name instead of a document store, so an assistant YAML names *what* it searches and the
configured backend (embedded or Elasticsearch) decides *how*. Every returned Document carries its scores in meta
(`bm25_score`, `bm25_rank`, `vector_score`, `vector_rank`, `fused_score`) so the UI can show why it was found.

Fusion is done here, not by the server: Elasticsearch's RRF needs a paid licence, and doing it in one place makes
both backends rank alike.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from corpus.stores import open_store
from tokka.locales import t


def _check_top_k(top_k: int) -> int:
    if not isinstance(top_k, int) or top_k <= 0:
        msg = f"top_k must be a positive integer, got {top_k!r}"
        raise ValueError(msg)
    return top_k


@component
class JapaneseBM25Retriever:
    """BM25 over the collection's stored Japanese tokens.

    ### Usage example
    ```python
    JapaneseBM25Retriever(collection="samples", top_k=5).run(query="3Dプリンターの予約")
    ```

    :param collection: the collection to search.
    :param top_k: how many chunks to return.
    :param filters: Haystack metadata filters applied to every query (e.g. one source or type).
    """

    def __init__(self, collection: str, top_k: int = 10, filters: dict[str, Any] | None = None) -> None:
        self.collection = collection
        self.top_k = _check_top_k(top_k)
        self.filters = filters

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, collection=self.collection, top_k=self.top_k, filters=self.filters)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JapaneseBM25Retriever:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document], query_tokens=list[str])
    def run(self, query: str, top_k: int | None = None, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """:returns: `documents` (score = BM25) and `query_tokens` (what the query was analysed into)."""
        store = open_store(self.collection)
        tokens = store.query_tokens(query)
        docs = store.bm25_retrieval(tokens, top_k or self.top_k, filters or self.filters)
        out = [
            replace(d, meta={**d.meta, "bm25_score": d.score, "bm25_rank": rank})
            for rank, d in enumerate(docs, start=1)
        ]
        return {"documents": out, "query_tokens": tokens}


@component
class CollectionEmbeddingRetriever:
    """Cosine similarity over the collection's embeddings; returns nothing when there is no query embedding.

    ### Usage example
    ```python
    CollectionEmbeddingRetriever(collection="samples").run(query_embedding=[...])
    ```

    :param collection: the collection to search.
    :param top_k: how many chunks to return.
    :param filters: Haystack metadata filters applied to every query.
    """

    def __init__(self, collection: str, top_k: int = 10, filters: dict[str, Any] | None = None) -> None:
        self.collection = collection
        self.top_k = _check_top_k(top_k)
        self.filters = filters

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, collection=self.collection, top_k=self.top_k, filters=self.filters)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CollectionEmbeddingRetriever:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document])
    def run(
        self,
        query_embedding: list[float] | None = None,
        top_k: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """:returns: `documents` (score = cosine similarity)."""
        if query_embedding is None:
            return {"documents": []}
        docs = open_store(self.collection).embedding_retrieval(
            query_embedding, top_k or self.top_k, filters or self.filters
        )
        out = [
            replace(d, meta={**d.meta, "vector_score": d.score, "vector_rank": rank})
            for rank, d in enumerate(docs, start=1)
        ]
        return {"documents": out}


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


@component
class HybridRetriever:
    """BM25 ∥ vector retrieval fused with weighted reciprocal rank fusion.

    When the query embedding is missing (the collection has no embeddings, or its embedding model is unreachable)
    it returns BM25 results alone and says so in `mode` and `notice`.

    ### Usage example
    ```python
    HybridRetriever(collection="samples", top_k=5).run(query="工房は何時まで？", query_embedding=vector)
    ```

    :param collection: the collection to search.
    :param top_k: how many fused chunks to return.
    :param bm25_top_k: candidates taken from the BM25 leg.
    :param vector_top_k: candidates taken from the vector leg.
    :param bm25_weight: weight of the BM25 leg in the fusion.
    :param vector_weight: weight of the vector leg. The default favours BM25 because the offline embedder is weak
        on Japanese (measured on jsquad-dev, see README); raise it (e.g. 1.0 with rrf_k 60) for a strong model such
        as bge-m3.
    :param rrf_k: the RRF constant. The classic 60 flattens rank differences so much that a 0.1-weighted weak leg
        reorders BM25's confident first places (jsquad-dev MRR@10 0.925 → 0.907); with 2, BM25's top ranks stand
        and the vector leg breaks near-ties and backfills (0.925, R@20 0.983 → 0.985).
    :param filters: Haystack metadata filters applied to both legs.
    """

    def __init__(
        self,
        collection: str,
        top_k: int = 5,
        bm25_top_k: int = 20,
        vector_top_k: int = 20,
        bm25_weight: float = 1.0,
        vector_weight: float = 0.2,
        rrf_k: int = 2,
        filters: dict[str, Any] | None = None,
    ) -> None:
        if bm25_weight < 0 or vector_weight < 0 or bm25_weight + vector_weight == 0:
            msg = f"weights must be >= 0 and not both 0; got bm25_weight={bm25_weight}, vector_weight={vector_weight}"
            raise ValueError(msg)
        self.collection = collection
        self.top_k = _check_top_k(top_k)
        self.bm25_top_k = _check_top_k(bm25_top_k)
        self.vector_top_k = _check_top_k(vector_top_k)
        self.bm25_weight = bm25_weight
        self.vector_weight = vector_weight
        self.rrf_k = rrf_k
        self.filters = filters

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(
            self,
            collection=self.collection,
            top_k=self.top_k,
            bm25_top_k=self.bm25_top_k,
            vector_top_k=self.vector_top_k,
            bm25_weight=self.bm25_weight,
            vector_weight=self.vector_weight,
            rrf_k=self.rrf_k,
            filters=self.filters,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HybridRetriever:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document], query_tokens=list[str], mode=str, notice=str)
    def run(
        self,
        query: str,
        query_embedding: list[float] | None = None,
        top_k: int | None = None,
        filters: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Retrieve and fuse.

        :returns: `documents` (score = fused), `query_tokens`, `mode` (`hybrid` or `bm25`) and `notice`
            (why it fell back to BM25, or "").
        """
        filters = filters or self.filters
        bm25 = JapaneseBM25Retriever(self.collection, self.bm25_top_k).run(query=query, filters=filters)
        legs = [(bm25["documents"], self.bm25_weight)]
        mode, notice = "bm25", ""
        if query_embedding is not None and self.vector_weight > 0:
            dense = CollectionEmbeddingRetriever(self.collection, self.vector_top_k).run(
                query_embedding=query_embedding, filters=filters
            )
            legs.append((dense["documents"], self.vector_weight))
            mode = "hybrid"
        elif query_embedding is None:
            notice = t("notice.bm25_only", collection=self.collection)
        documents = reciprocal_rank_fusion(legs, top_k or self.top_k, self.rrf_k)
        return {"documents": documents, "query_tokens": bm25["query_tokens"], "mode": mode, "notice": notice}
