"""Document stores: the embedded SQLite store (default) and, when `ELASTICSEARCH_URL` is set, Elasticsearch.

Code outside this package asks :func:`open_store` for a collection's store and never names a backend, so the
same assistant YAML runs on either.
"""

from __future__ import annotations

from corpus.stores.embedded import CollectionInfo, EmbeddedBackend, EmbeddedDocumentStore, SourceRecord
from tokka.settings import get_settings

__all__ = ["CollectionInfo", "EmbeddedBackend", "EmbeddedDocumentStore", "SourceRecord", "open_store"]


def open_store(collection: str) -> EmbeddedDocumentStore:
    """The configured store for `collection`.

    :raises NotImplementedError: when `ELASTICSEARCH_URL` is set; the Elasticsearch backend is tracked separately
        and the embedded store must not silently stand in for it.
    """
    settings = get_settings()
    if settings.backend == "elasticsearch":
        msg = (
            "ELASTICSEARCH_URL is set, but this version of tokka only has the embedded store. "
            "Unset ELASTICSEARCH_URL to use the embedded store."
        )
        raise NotImplementedError(msg)
    return EmbeddedDocumentStore(collection=collection)
