"""Records shared by every backend: collections, sources, names, and the keys tokka stores next to the text."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.errors import StoreError
from tokka.paths import COLLECTION_NAME, check_name

NO_EMBEDDINGS = "none"  # recorded when a collection was chosen to be BM25-only (NULL means "not chosen yet")
TOKENS_META_KEY = "bm25_tokens"  # set by the tokenise step; stored in its own column or field, never returned


@dataclass(frozen=True)
class CollectionInfo:
    """A collection and its counts."""

    name: str
    embedding_model: str | None
    embedding_dim: int | None
    tokenizer: str
    created: float
    updated: float
    generation: int
    documents: int = 0
    chunks: int = 0

    @property
    def has_embeddings(self) -> bool:
        """True when the collection uses an embedding model (not BM25-only, not undecided)."""
        return self.embedding_model not in (None, NO_EMBEDDINGS)


@dataclass(frozen=True)
class SourceRecord:
    """One ingested file or page."""

    source: str
    title: str = ""
    type: str = ""
    modified: float | None = None
    content_hash: str = ""
    pipeline_hash: str = ""
    chars: int = 0
    chunks: int = 0
    added: float | None = None
    updated: float | None = None


def validate_collection_name(name: str) -> str:
    """Return `name` if it can be a collection name (see `tokka.paths.COLLECTION_NAME`).

    :raises StoreError: `err.invalid_name`.
    """
    return check_name(name, COLLECTION_NAME, "err.invalid_name", StoreError)
