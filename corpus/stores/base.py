"""One collection seen as a Haystack ``DocumentStore``, whatever backend holds it.

The embedded SQLite store and Elasticsearch implement the same backend methods (collections, sources, chunks,
BM25 over stored tokens, cosine search); this class turns one collection of either into the Haystack protocol plus
the few extras tokka's components use (source replacement, query tokens, the collection's embedding model).
"""

from __future__ import annotations

from typing import Any

from haystack import Document
from haystack.document_stores.types import DuplicatePolicy

from corpus.japanese.tokenizer import get_tokenizer
from corpus.stores.protocol import StoreBackend
from corpus.stores.records import NO_EMBEDDINGS, CollectionInfo, SourceRecord, validate_collection_name


class CollectionStore:
    """Base of the per-backend stores: subclasses say how to reach their backend (`_open_backend`)."""

    def __init__(self, collection: str = "default") -> None:
        self.collection = validate_collection_name(collection)
        self._backend: StoreBackend | None = None

    def _open_backend(self) -> StoreBackend:
        raise NotImplementedError

    @property
    def backend(self) -> StoreBackend:
        """The shared engine behind this store (opened lazily, on first use)."""
        if self._backend is None:
            self._backend = self._open_backend()
        return self._backend

    def info(self) -> CollectionInfo | None:
        """This collection's record (embedding model, counts), or None before the first write."""
        return self.backend.collection(self.collection)

    def embedding_model(self) -> str | None:
        """The collection's embedding model id (None when BM25-only or not created yet); no row counting."""
        found = self.backend.embedding_of(self.collection)
        return found[0] if found and found[0] != NO_EMBEDDINGS else None

    def count_documents(self) -> int:
        """Number of chunks in the collection."""
        return self.backend.count(self.collection)

    def filter_documents(self, filters: dict[str, Any] | None = None) -> list[Document]:
        """Chunks that match Haystack `filters`."""
        return self.backend.filter(self.collection, filters)

    def write_documents(
        self,
        documents: list[Document],
        policy: DuplicatePolicy = DuplicatePolicy.NONE,
        embedding_model: str | None = None,
    ) -> int:
        """Write documents.

        :param embedding_model: the model that made the embeddings; recorded on the collection's first embedded
            write and checked on later ones (mixing models is refused).
        :returns: the number of documents written.
        :raises DuplicateDocumentError: for an existing id with policy `NONE`/`FAIL`.
        :raises StoreError: for embeddings of another model or dimension.
        """
        if not isinstance(documents, list) or any(not isinstance(d, Document) for d in documents):
            msg = "Please provide a list of Documents."
            raise ValueError(msg)
        return self.backend.write(self.collection, documents, policy, embedding_model)

    def delete_documents(self, document_ids: list[str]) -> None:
        """Delete chunks by id."""
        self.backend.delete(self.collection, document_ids)

    def bm25_retrieval(
        self, query: str | list[str], top_k: int = 10, filters: dict[str, Any] | None = None
    ) -> list[Document]:
        """BM25 search; `query` is text (tokenised with the collection's tokenizer) or a token list."""
        tokens = self.query_tokens(query) if isinstance(query, str) else query
        return self.backend.bm25_search(self.collection, tokens, top_k, filters)

    def embedding_retrieval(
        self, query_embedding: list[float], top_k: int = 10, filters: dict[str, Any] | None = None
    ) -> list[Document]:
        """Cosine search over the collection's embeddings (empty when it has none)."""
        return self.backend.vector_search(self.collection, query_embedding, top_k, filters)

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """BM25's inverse document frequency of each token in this collection."""
        return self.backend.idf(self.collection, tokens)

    def query_tokens(self, query: str) -> list[str]:
        """The BM25 tokens a query produces in this collection."""
        return get_tokenizer(self.backend.tokenizer_name(self.collection)).tokenize(query)

    def replace_source(
        self,
        record: SourceRecord,
        documents: list[Document],
        embedding_model: str | None = None,
        tokenizer: str | None = None,
    ) -> int:
        """Atomically replace one source's chunks (see :meth:`EmbeddedBackend.replace_source`)."""
        return self.backend.replace_source(self.collection, record, documents, embedding_model, tokenizer)

    def remove_source(self, source: str) -> int:
        """Remove one source and its chunks; returns the number of chunks removed."""
        return self.backend.remove_source(self.collection, source)

    def sources(self) -> list[SourceRecord]:
        """The collection's sources."""
        return self.backend.sources(self.collection)

    def source(self, source: str) -> SourceRecord | None:
        """One source's record."""
        return self.backend.source(self.collection, source)
