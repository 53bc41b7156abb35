"""The last indexing step: replace each source's chunks in the store in one transaction."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from corpus import backfill
from corpus.files import extraction_note
from corpus.stores import open_store
from corpus.stores.embedded import SourceRecord


@component
class SourceWriter:
    """Write chunks source by source: each source's old chunks are replaced atomically by its new ones.

    A crash mid-way leaves every source either fully old or fully new. The source record keeps the file's content
    hash and the indexing pipeline's hash, so re-adding an unchanged file with unchanged settings is a no-op.

    ### Usage example
    ```python
    SourceWriter(collection="samples").run(documents=chunks, content_hashes={"/abs/案内.md": "ab12…"})
    ```

    :param collection: the collection written to (created on first write).
    """

    def __init__(self, collection: str) -> None:
        self.collection = collection

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, collection=self.collection)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceWriter:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(written=int, sources=list[str], methods=dict[str, str])
    def run(
        self,
        documents: list[Document],
        content_hashes: dict[str, str] | None = None,
        pipeline_hash: str = "",
        embedding_meta: dict[str, Any] | None = None,
        tokenizer: str | None = None,
    ) -> dict[str, Any]:
        """Replace the chunks of every source present in `documents`.

        Sources that produced no chunks (their conversion failed) are left untouched.

        :param documents: chunks with `meta["source"]`.
        :param content_hashes: source → hash of its bytes, recorded for no-op re-adds.
        :param pipeline_hash: hash of the indexing pipeline, recorded so a settings change re-indexes.
        :param embedding_meta: the embedder's `meta` (its `model` is recorded on the collection).
        :param tokenizer: the BM25 tokenizer's name (recorded on the collection, never mixed).
        :returns: `written` (chunks), `sources` (the sources replaced) and `methods` (source → how its text was
            obtained, see `corpus.files.extraction_note`).
        :raises StoreError: when the model or tokenizer differs from the collection's.
        """
        hashes = content_hashes or {}
        by_source: dict[str, list[Document]] = defaultdict(list)
        for doc in documents:
            by_source[str(doc.meta.get("source", ""))].append(doc)
        store = open_store(self.collection)
        model = (embedding_meta or {}).get("model")
        written = 0
        for source in sorted(by_source):
            chunks = by_source[source]
            first = chunks[0].meta
            record = SourceRecord(
                source=source,
                title=str(first.get("title", "")),
                type=str(first.get("type", "")),
                modified=first.get("modified"),
                content_hash=hashes.get(source, ""),
                pipeline_hash=pipeline_hash,
                chars=int(first.get("chars", 0) or 0),
            )
            written += store.replace_source(record, chunks, embedding_model=model, tokenizer=tokenizer)
        if written and (embedding_meta or {}).get("deferred"):
            backfill.wake()  # their vectors are filled in the background (progressive embedding)
        methods = {source: extraction_note(chunks[0].meta) for source, chunks in by_source.items()}
        return {"written": written, "sources": sorted(by_source), "methods": methods}
