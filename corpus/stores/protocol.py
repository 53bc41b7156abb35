"""The contract every store backend keeps: what `CollectionStore`, search, ingestion, migration and the app may call.

The embedded SQLite store (`corpus.stores.embedded.EmbeddedBackend`) and Elasticsearch
(`corpus.stores.elastic.ElasticBackend`) both implement it; `tests/corpus/stores/test_protocol.py` checks that each
has every method with the same parameters. A third backend implements this and nothing else.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

import numpy as np
from haystack import Document
from haystack.document_stores.types import DuplicatePolicy

from corpus.errors import StoreError
from corpus.stores.records import CollectionInfo, SourceRecord

B = TypeVar("B", bound="SharedBackend")


@runtime_checkable
class StoreBackend(Protocol):
    """Collections, their sources and chunks, and search over them."""

    # ---- collections
    def collection(self, name: str) -> CollectionInfo | None:
        """The collection with its counts, or None."""

    def collections(self) -> list[CollectionInfo]:
        """Every collection, by name."""

    def require_collection(self, name: str) -> CollectionInfo:
        """Like `collection`, but raises `StoreError("err.collection_not_found")`."""

    def embedding_of(self, name: str) -> tuple[str | None, int | None] | None:
        """`(embedding model, dimension)` without counting rows; None when the collection does not exist."""

    def tokenizer_name(self, collection: str) -> str:
        """The BM25 tokenizer the collection was made with."""

    def create_collection(
        self,
        name: str,
        embedding_model: str | None = None,
        embedding_dim: int | None = None,
        tokenizer: str = "sudachi",
    ) -> CollectionInfo:
        """Create a collection (no-op if it exists)."""

    def delete_collection(self, name: str) -> None:
        """Delete a collection with its sources and chunks."""

    # ---- sources
    def sources(self, collection: str) -> list[SourceRecord]:
        """Every source of a collection."""

    def source(self, collection: str, source: str) -> SourceRecord | None:
        """One source's record."""

    def replace_source(
        self,
        collection: str,
        record: SourceRecord,
        documents: list[Document],
        embedding_model: str | None = None,
        tokenizer: str | None = None,
    ) -> int:
        """Replace one source's chunks and record (atomically where the backend can)."""

    def remove_source(self, collection: str, source: str) -> int:
        """Remove a source and its chunks; the number of chunks removed."""

    def export_source(self, collection: str, source: str | None) -> list[Document]:
        """A source's chunks as written (tokens and embeddings included), for copying to another backend."""

    def chunk(self, collection: str, chunk_id: str) -> Document | None:
        """One chunk by id."""

    def chunks_of(self, collection: str, source: str) -> list[Document]:
        """A source's chunks in document order."""

    # ---- the Haystack DocumentStore operations
    def count(self, collection: str) -> int:
        """Chunks in a collection."""

    def iter_documents(self, collection: str, with_embedding: bool = True) -> Iterator[Document]:
        """Every chunk (without their vectors when `with_embedding` is False: faster)."""

    def filter(self, collection: str, filters: dict[str, Any] | None) -> list[Document]:
        """Chunks that match a Haystack filter."""

    def write(
        self,
        collection: str,
        documents: list[Document],
        policy: DuplicatePolicy = DuplicatePolicy.NONE,
        embedding_model: str | None = None,
    ) -> int:
        """Write chunks; the number written."""

    def delete(self, collection: str, ids: list[str]) -> None:
        """Delete chunks by id."""

    def replace_embeddings(
        self, collection: str, model: str | None, ids: list[str], vectors: np.ndarray | None
    ) -> None:
        """Set the collection's embedding model and every chunk's vector (re-indexing)."""

    # ---- progressive embedding (corpus/backfill.py)
    def defer_embeddings(self, collection: str, model: str, dim: int, reset: bool = False) -> None:
        """Record the model of a collection whose chunks are written now and embedded in the background."""

    def unembedded(self, collection: str, limit: int) -> list[Document]:
        """Up to `limit` chunks without a vector yet."""

    def embedding_progress(self, collection: str) -> tuple[int, int]:
        """`(chunks with a vector, all chunks)`."""

    def fill_embeddings(self, collection: str, model: str, ids: list[str], vectors: np.ndarray) -> int:
        """Set the vectors of chunks still without one, if the collection still uses `model`; the number set."""

    # ---- search
    def bm25_search(
        self, collection: str, query_tokens: list[str], top_k: int, filters: dict[str, Any] | None = None
    ) -> list[Document]:
        """BM25 over the stored tokens; scores are raw BM25."""

    def vector_search(
        self, collection: str, embedding: list[float], top_k: int, filters: dict[str, Any] | None = None
    ) -> list[Document]:
        """Cosine similarity over the embeddings."""

    def idf(self, collection: str, tokens: list[str]) -> dict[str, float]:
        """BM25's inverse document frequency of each token."""

    def close(self) -> None:
        """Release connections and files."""


def takes_deferred_model(collection: str, current: tuple[str | None, int | None], model: str, dim: int) -> bool:
    """The rule both backends' `defer_embeddings` follow: whether a collection whose `(model, dimension)` is
    `current` is to record `model` (`dim`) — yes when it has no model yet, or this model without a dimension; no
    when it has exactly these already.

    :raises StoreError: `err.embedding_mismatch` for another model or dimension (or none: BM25 only).
    """
    current_model, current_dim = current
    if current_model is None or (current_model == model and current_dim is None):
        return True
    if (current_model, current_dim) != (model, dim):
        raise StoreError(
            "err.embedding_mismatch",
            collection=collection,
            expected=f"{current_model} ({current_dim})",
            got=f"{model} ({dim})",
        )
    return False


class SharedBackend:
    """One backend object per key (a database file, a server URL) in a process, shared by every store object.

    Subclasses call :meth:`_shared` from their own `open()` and implement `close()`.
    """

    _instances: ClassVar[dict[Any, SharedBackend]]
    _instances_lock: ClassVar[threading.Lock]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._instances = {}
        cls._instances_lock = threading.Lock()

    @classmethod
    def _shared(cls: type[B], key: Any, make: Callable[[], B]) -> B:
        with cls._instances_lock:
            backend = cls._instances.get(key)
            if backend is None:
                backend = make()
                cls._instances[key] = backend
            return backend  # type: ignore[return-value]

    @classmethod
    def close_all(cls) -> None:
        """Close every open backend of this kind (tests use this between data directories)."""
        with cls._instances_lock:
            for backend in cls._instances.values():
                backend.close()
            cls._instances.clear()

    def close(self) -> None:
        """Release connections and files."""
        raise NotImplementedError
