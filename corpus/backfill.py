"""Progressive embedding: chunks of a collection with a slow embedding model (e5, `corpus.embeddings.DEFERRED_MODELS`)
are written without vectors — searchable by BM25 the moment they are added — and this module fills the vectors in
the background.

One daemon thread per process goes round the collections that wait for vectors, a small batch of chunks at a time
(`BATCH`), on its own model instance (so a question's embedding never waits behind it) and one CPU thread (the other
core stays free for questions). Each batch is one short write transaction; the store's change log turns it into a
small index segment, so hybrid search uses the vectors that exist at every moment and never sees a half-written
state. A chunk replaced or removed meanwhile is skipped (`EmbeddedBackend.fill_embeddings` matches by id, which
comes from the text). The work survives a restart: what is still without a vector is found again by the store's
partial index (`chunks_unembedded`) when the app starts.

Progress per collection is `(embedded, total)` from the store (shown as 「意味検索の準備 63%」).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from corpus.embeddings import DEFERRED_MODELS, EMBEDDED_META_FIELDS, embed_texts, embedding_text
from corpus.stores import get_backend

logger = logging.getLogger(__name__)

BATCH = 8  # chunks per embedding call and write (~2 s of e5 on one core)
RESCAN_SECONDS = 60.0  # an idle filler looks again this often (a CLI in another process may have added chunks)


def _backend() -> Any | None:
    backend = get_backend()
    return backend if hasattr(backend, "unembedded") else None


def progress(collection: str, backend: Any | None = None) -> tuple[int, int] | None:
    """`(chunks with a vector, all chunks)` for a collection embedded in the background; None for other ones.

    :param backend: the store to look in (default: the configured one).
    """
    backend = backend if backend is not None and hasattr(backend, "unembedded") else _backend()
    if backend is None:
        return None
    model = (backend.embedding_of(collection) or (None, None))[0]
    if model not in DEFERRED_MODELS:
        return None
    return backend.embedding_progress(collection)


class Backfill:
    """The background filler of one process (see the module docstring)."""

    def __init__(self, backend: Any | None = None) -> None:
        self._store = backend  # None: the configured store, looked up at every pass
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self.errors: dict[str, str] = {}  # collection → the last error (shown; retried at the next wake)

    def wake(self) -> None:
        """Start (or nudge) the filler: call after writing chunks without vectors, and when the app starts."""
        with self._lock:
            self._idle.clear()
            self._wake.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="tokka-backfill", daemon=True)
                self._thread.start()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until nothing is left to embed (tests, the CLI). :returns: whether it became idle in time."""
        return self._idle.wait(timeout)

    def _loop(self) -> None:
        while True:  # a daemon thread: it ends with the process
            self._wake.clear()
            try:
                worked = self.run_once()
            except Exception:  # a broken store must not kill the thread silently; it is retried later
                logger.exception("Background embedding failed")
                worked = False
            if not worked:
                with self._lock:  # a wake() since this pass started means more work: go round again
                    if self._wake.is_set():
                        continue
                    self._idle.set()
                self._wake.wait(RESCAN_SECONDS)

    def run_once(self, only: str | None = None) -> bool:
        """One batch for every collection that waits for vectors (or for `only`), in the calling thread.

        :returns: whether any chunk was embedded.
        """
        backend = self._store if self._store is not None else _backend()
        if backend is None:
            return False
        worked = False
        for info in backend.collections():
            model = info.embedding_model
            if model not in DEFERRED_MODELS or info.name in self.errors or only not in (None, info.name):
                continue
            docs = backend.unembedded(info.name, BATCH)
            if not docs:
                continue
            texts = [embedding_text(d.content, d.meta, list(EMBEDDED_META_FIELDS)) for d in docs]
            try:
                vectors = embed_texts(model, texts, batch_size=BATCH, background=True)
            except Exception as error:
                self.errors[info.name] = str(error)[:300]
                logger.warning("Background embedding of %s failed: %s", info.name, error)
                continue
            filled = backend.fill_embeddings(info.name, model, [d.id for d in docs], np.asarray(vectors, np.float32))
            worked = worked or filled > 0
        return worked


_filler = Backfill()


def fill_now(collection: str, backend: Any | None = None) -> Iterator[tuple[int, int]]:
    """Embed what a collection still lacks in the calling thread (the CLI, a migration), yielding
    `(embedded, total)` per batch.

    :param backend: the store (default: the configured one).
    :raises RuntimeError: when the model fails (with its message).
    """
    filler = Backfill(backend)
    done = progress(collection, backend)
    while done is not None and done[0] < done[1]:
        worked = filler.run_once(only=collection)
        if collection in filler.errors:
            raise RuntimeError(filler.errors[collection])
        done = progress(collection, backend)
        if done is not None:
            yield done
        if not worked:
            break


def wake() -> None:
    """Start or nudge this process's filler (see :class:`Backfill`)."""
    _filler.errors.clear()
    _filler.wake()


def wait_idle(timeout: float | None = None) -> bool:
    """Wait until this process's filler has nothing left to embed."""
    return _filler.wait_idle(timeout)


def errors() -> dict[str, str]:
    """Collections whose background embedding failed, with the error."""
    return dict(_filler.errors)
