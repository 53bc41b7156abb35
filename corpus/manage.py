"""Collection management for the corpus tab: create, delete, uploads, remove a document, re-index, open a chunk.

Each function is a small, UI-free step over the store, so the tab stays thin and the CLI could use them too.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus import backfill
from corpus.embeddings import (
    DEFERRED_MODELS,
    EMBEDDED_META_FIELDS,
    MODEL_DIMS,
    choose_embedding_model,
    embed_texts,
    embedding_text,
)
from corpus.errors import StoreError
from corpus.stores import get_backend, open_store
from corpus.stores.records import NO_EMBEDDINGS, CollectionInfo, validate_collection_name
from tokka.paths import inside
from tokka.settings import get_settings

EMBEDDER_MODES = ("auto", "offline", "e5", "ollama", "none")


def backend() -> Any:
    """The configured store's engine (embedded or Elasticsearch)."""
    return get_backend()


def create_collection(name: str, embedder: str = "auto") -> CollectionInfo:
    """Create an empty collection with its embedding model chosen now (`auto`, `offline`, `ollama`, `none`).

    :raises StoreError: `err.invalid_name` or `err.collection_exists`.
    :raises EmbedderUnavailableError: for `ollama` when Ollama or the model is missing.
    """
    name = validate_collection_name((name or "").strip())
    if backend().collection(name) is not None:
        raise StoreError("err.collection_exists", collection=name)
    model = choose_embedding_model(embedder) or NO_EMBEDDINGS
    return backend().create_collection(name, embedding_model=model)


def delete_collection(name: str, confirmation: str) -> None:
    """Delete a collection, its chunks and its uploaded files, when `confirmation` repeats its name exactly.

    :raises StoreError: `err.confirm_delete` when the confirmation does not match; `err.collection_not_found`.
    """
    backend().require_collection(name)
    if (confirmation or "").strip() != name:
        raise StoreError("err.confirm_delete", collection=name)
    backend().delete_collection(name)
    shutil.rmtree(uploads_dir(name), ignore_errors=True)


def uploads_dir(collection: str) -> Path:
    """Where files uploaded through the UI are kept (so a re-upload replaces the same source).

    :raises StoreError: `err.invalid_name`; `PathError` if it would leave `data/uploads`.
    """
    return inside(get_settings().data_dir / "uploads", validate_collection_name(collection))


@dataclass
class StagedUpload:
    """An uploaded file copied into the collection's upload folder; the previous copy is kept until it is known
    whether the new one could be ingested."""

    target: Path
    backup: Path | None

    def keep(self) -> None:
        """The new file was ingested: drop the previous copy."""
        if self.backup is not None:
            self.backup.unlink(missing_ok=True)

    def drop(self) -> None:
        """The new file was refused: remove it and put the previous copy back."""
        self.target.unlink(missing_ok=True)
        if self.backup is not None:
            os.replace(self.backup, self.target)


def stage_upload(collection: str, temp_path: str | Path, name: str | None = None) -> StagedUpload:
    """Copy an uploaded file into the collection's upload folder under its own name (or `name`).

    :raises PathError: when the name would leave the folder.
    """
    source = Path(temp_path)
    folder = uploads_dir(collection)
    target = inside(folder, Path(name or source.name).name)
    folder.mkdir(parents=True, exist_ok=True)
    backup = None
    if target.exists():
        backup = inside(folder, f".{target.name}.previous")
        os.replace(target, backup)
    shutil.copyfile(source, target)
    return StagedUpload(target, backup)


def remove_document(collection: str, source: str) -> int:
    """Remove one document (and its uploaded copy, if it was uploaded). :returns: chunks removed.

    :raises StoreError: `err.source_not_found`.
    """
    removed = backend().remove_source(collection, source)
    if not removed and backend().source(collection, source) is None:
        raise StoreError("err.source_not_found", source=source, collection=collection)
    path = Path(source)
    if "://" not in source and path.parent == uploads_dir(collection):
        path.unlink(missing_ok=True)
    return removed


def chunk_details(collection: str, chunk_id: str) -> dict[str, Any]:
    """A chunk with its document's record and its neighbours (the chunks before and after it in the document).

    :raises StoreError: `err.chunk_not_found`.
    """
    chunk = backend().chunk(collection, chunk_id)
    if chunk is None:
        raise StoreError("err.chunk_not_found", chunk=chunk_id, collection=collection)
    source = str(chunk.meta.get("source", ""))
    siblings = backend().chunks_of(collection, source) or [chunk]
    index = next((i for i, d in enumerate(siblings) if d.id == chunk_id), 0)
    record = backend().source(collection, source)
    return {
        "chunk": chunk,
        "previous": siblings[index - 1] if index > 0 else None,
        "next": siblings[index + 1] if index + 1 < len(siblings) else None,
        "position": index + 1,
        "count": len(siblings),
        "source": record,
    }


def reindex_embeddings(
    collection: str, embedder: str = "auto", batch_size: int = 32, cancel: threading.Event | None = None
) -> Iterator[tuple[int, int]]:
    """Re-embed every chunk of a collection with a newly chosen model (or drop embeddings with `none`).

    Yields `(done, total)` chunks as it goes. The new embeddings are computed first and written in one transaction
    at the end, so a cancelled or failed run leaves the collection exactly as it was. A model embedded in the
    background (e5) is switched to at once instead: the old vectors are dropped, BM25 keeps working, and
    `corpus.backfill` fills the new ones with visible progress.
    """
    store = open_store(collection)
    store.backend.require_collection(collection)
    model = choose_embedding_model(embedder)
    if model in DEFERRED_MODELS and hasattr(store.backend, "defer_embeddings"):
        total = store.count_documents()
        store.backend.defer_embeddings(collection, model, MODEL_DIMS[model], reset=True)
        backfill.wake()
        yield total, total
        return
    docs = store.filter_documents()
    total = len(docs)
    vectors: list[list[float]] = []
    yield 0, total
    if model is not None:
        for start in range(0, total, batch_size):
            if cancel is not None and cancel.is_set():
                return
            batch = docs[start : start + batch_size]
            vectors.extend(
                embed_texts(
                    model,
                    [embedding_text(d.content, d.meta, list(EMBEDDED_META_FIELDS)) for d in batch],
                    None,
                    batch_size,
                )
            )
            yield min(start + batch_size, total), total
    if cancel is not None and cancel.is_set():
        return
    store.backend.replace_embeddings(
        collection, model, [d.id for d in docs], np.asarray(vectors, dtype=np.float32) if vectors else None
    )
    yield total, total
