"""Retrievers over a collection as Haystack components: BM25, embedding, and hybrid (see `corpus.search`).

Each takes a `collection` name instead of a document store, so an assistant YAML names *what* it searches and the
configured backend (embedded or Elasticsearch) decides *how*.
"""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from corpus.search import (
    HybridSettings,
    QueryEmbedder,
    bm25_search,
    check_top_k,
    hybrid_search,
    vector_search,
)


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
    :param spelling_variants: also search the other spellings of the question's katakana words.
    """

    def __init__(
        self,
        collection: str,
        top_k: int = 10,
        filters: dict[str, Any] | None = None,
        spelling_variants: bool = True,
    ) -> None:
        self.collection = collection
        self.top_k = check_top_k(top_k)
        self.filters = filters
        self.spelling_variants = spelling_variants

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(
            self,
            collection=self.collection,
            top_k=self.top_k,
            filters=self.filters,
            spelling_variants=self.spelling_variants,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JapaneseBM25Retriever:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document], query_tokens=list[str])
    def run(self, query: str, top_k: int | None = None, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """:returns: `documents` (score = BM25) and `query_tokens` (what the query was analysed into)."""
        docs, tokens = bm25_search(
            self.collection, query, top_k or self.top_k, filters or self.filters, self.spelling_variants
        )
        return {"documents": docs, "query_tokens": tokens}


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
        self.top_k = check_top_k(top_k)
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
        docs = vector_search(self.collection, query_embedding, top_k or self.top_k, filters or self.filters)
        return {"documents": docs}


@component
class HybridRetriever:
    """BM25 ∥ vector retrieval fused with weighted reciprocal rank fusion.

    When the query embedding is missing (the collection has no embeddings, or its embedding model is unreachable)
    it returns BM25 results alone and says so in `mode` and `notice`.

    The BM25 leg runs on a worker thread beside the vector leg. With `embed_query=True` it embeds the question
    itself, with the collection's model (no `CollectionTextEmbedder` before it): a local model (e5, USE) embeds it
    first, alone on the cores, and an Ollama model is waited for with BM25 already running (`corpus.search.run_legs`;
    docs/retrieval.md §Overlapping the legs). A `query_embedding` given to `run` is used as it is.

    ### Usage example
    ```python
    HybridRetriever(collection="samples", top_k=5).run(query="工房は何時まで？", query_embedding=vector)
    HybridRetriever(collection="samples", top_k=5, embed_query=True).run(query="工房は何時まで？")
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
    :param fusion: `auto` (rank fusion for a collection embedded with USE, score fusion for e5 and Ollama models),
        `rrf` or `scores` (see `corpus.search.HybridSettings`).
    :param vector_share: the vector leg's share (0–1) when fusing by scores.
    :param filters: Haystack metadata filters applied to both legs.
    :param spelling_variants: the BM25 leg also searches the other spellings of the question's katakana words
        (サーバ / サーバー, バイオリン / ヴァイオリン; `corpus.japanese.variants`).
    :param embed_query: embed the question here, with the collection's model (no `CollectionTextEmbedder` before).
    :param ollama_url: overrides `OLLAMA_URL` for `embed_query` (collections embedded with an Ollama model).
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
        fusion: str = "auto",
        vector_share: float = 0.35,
        spelling_variants: bool = True,
        embed_query: bool = False,
        ollama_url: str | None = None,
    ) -> None:
        HybridSettings(bm25_top_k, vector_top_k, bm25_weight, vector_weight, rrf_k, fusion, vector_share)  # checks
        self.collection = collection
        self.top_k = check_top_k(top_k)
        self.bm25_top_k = bm25_top_k
        self.vector_top_k = vector_top_k
        self.bm25_weight = bm25_weight
        self.vector_weight = vector_weight
        self.rrf_k = rrf_k
        self.fusion = fusion
        self.vector_share = vector_share
        self.filters = filters
        self.spelling_variants = spelling_variants
        self.embed_query = embed_query
        self.ollama_url = ollama_url

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
            fusion=self.fusion,
            vector_share=self.vector_share,
            filters=self.filters,
            spelling_variants=self.spelling_variants,
            embed_query=self.embed_query,
            ollama_url=self.ollama_url,
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
        settings = HybridSettings(
            self.bm25_top_k,
            self.vector_top_k,
            self.bm25_weight,
            self.vector_weight,
            self.rrf_k,
            self.fusion,
            self.vector_share,
            self.spelling_variants,
        )
        embed = QueryEmbedder(self.collection, query, self.ollama_url) if self.embed_query else None
        found = hybrid_search(
            self.collection, query, query_embedding, top_k or self.top_k, settings, filters or self.filters, embed
        )
        notice = found.notices[0] if found.notices else ""
        return {"documents": found.documents, "query_tokens": found.query_tokens, "mode": found.mode, "notice": notice}
