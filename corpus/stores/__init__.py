"""Document stores: the embedded SQLite store (default) and, when `ELASTICSEARCH_URL` is set, Elasticsearch.

Code outside this package asks :func:`get_backend` or :func:`open_store` and never names a backend, so the same
assistant YAML, CLI and UI run on either.
"""

from __future__ import annotations

from corpus.stores.base import CollectionStore
from corpus.stores.embedded import EmbeddedBackend, EmbeddedDocumentStore
from corpus.stores.protocol import StoreBackend
from corpus.stores.records import CollectionInfo, SourceRecord
from tokka.settings import get_settings

__all__ = [
    "CollectionInfo",
    "CollectionStore",
    "EmbeddedBackend",
    "EmbeddedDocumentStore",
    "SourceRecord",
    "StoreBackend",
    "get_backend",
    "open_store",
]


def get_backend() -> StoreBackend:
    """The configured backend: Elasticsearch when `ELASTICSEARCH_URL` is set, else the embedded SQLite file."""
    settings = get_settings()
    if settings.backend == "elasticsearch":
        from corpus.stores.elastic import ElasticBackend

        return ElasticBackend.open(settings)
    return EmbeddedBackend.open(settings.store_path)


def open_store(collection: str) -> CollectionStore:
    """The configured store for one collection (a Haystack ``DocumentStore``)."""
    if get_settings().backend == "elasticsearch":
        from corpus.stores.elastic import ElasticDocumentStore

        return ElasticDocumentStore(collection=collection)
    return EmbeddedDocumentStore(collection=collection)
