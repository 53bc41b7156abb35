"""Copy collections between backends (embedded → Elasticsearch) without re-tokenising or re-embedding.

Each collection keeps its embedding model id and dimension and its tokenizer; each source is copied with its record
(content hash, pipeline hash), so re-adding an unchanged file on the new backend is still a no-op. Vectors an e5
collection still waits for (progressive embedding) are filled first: Elasticsearch has no background filler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corpus import backfill


def copy_collections(
    source: Any,
    target: Any,
    names: list[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Copy collections (all, or `names`) from `source` to `target`.

    :param progress: called with `(collection, sources done, sources in the collection)`.
    :returns: chunks copied per collection.
    :raises StoreError: when a named collection does not exist, or the target refuses a write.
    """
    infos = [source.require_collection(n) for n in names] if names else source.collections()
    copied: dict[str, int] = {}
    for info in infos:
        for _ in backfill.fill_now(info.name, source):
            pass
        target.create_collection(
            info.name, embedding_model=info.embedding_model, embedding_dim=info.embedding_dim, tokenizer=info.tokenizer
        )
        model = info.embedding_model if info.has_embeddings else None
        records = source.sources(info.name)
        total = 0
        for done, record in enumerate(records, start=1):
            docs = source.export_source(info.name, record.source)
            total += target.replace_source(info.name, record, docs, embedding_model=model, tokenizer=info.tokenizer)
            if progress is not None:
                progress(info.name, done, len(records))
        loose = source.export_source(info.name, None)  # chunks written without a source (through the protocol)
        if loose:
            from haystack.document_stores.types import DuplicatePolicy

            total += target.write(info.name, loose, DuplicatePolicy.OVERWRITE, embedding_model=model)
        copied[info.name] = total
    return copied
