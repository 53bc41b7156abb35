"""The embedded store: one SQLite file is the durable record; search structures are built from it in memory.

- **Durable record** (`tokka.sqlite3` in the data directory, WAL mode): collections (each with its embedding model
  id and dimension), sources (one row per ingested file or page, with a content hash for no-op re-adds), and
  chunks (text, metadata as JSON, the stored BM25 token string, the embedding as a float32 blob). Every change
  to a source happens in one transaction, so a crash leaves either the old chunks or the new ones, never a mix.
- **Change log** (table `changes`, filled by SQLite triggers, so no write path can forget it): one row per chunk
  added or removed, numbered in commit order. It is written in the same transaction as the chunks.
- **Search structures** per collection: a :class:`~corpus.stores.segments.SearchIndex` (BM25 + vectors in
  segments with tombstones). Each collection has a *generation* number that every write bumps; when it changed
  (also when another process wrote), the next query reads the log since its index's position and applies only
  those changes: a new small segment for added chunks, tombstones for removed ones — milliseconds, not a rebuild.
  When the extra segments grow past a share of the main one, a background thread rebuilds one main segment from
  a snapshot of the database, caches it under `index/` next to the database (so a large store opens without
  rebuilding) and prunes the log up to it. The cache is derived data: deleting it is always safe.

:class:`EmbeddedDocumentStore` is the Haystack ``DocumentStore`` for one collection; :class:`EmbeddedBackend`
is the shared per-file engine that also serves the corpus CLI (collections, sources, search).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document
from haystack.dataclasses import ByteStream, SparseEmbedding
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy
from haystack.utils.filters import document_matches_filter

from corpus.errors import StoreError
from corpus.japanese.tokenizer import get_tokenizer
from corpus.stores import ann
from corpus.stores.base import CollectionStore
from corpus.stores.bm25 import BM25Index
from corpus.stores.protocol import SharedBackend, takes_deferred_model
from corpus.stores.records import (
    NO_EMBEDDINGS,
    TOKENS_META_KEY,
    CollectionInfo,
    SourceRecord,
    validate_collection_name,
)
from corpus.stores.segments import SearchIndex
from corpus.stores.vectors import VectorIndex

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 3
SCHEMA = """
CREATE TABLE IF NOT EXISTS collections (
    name            TEXT PRIMARY KEY,
    embedding_model TEXT,
    embedding_dim   INTEGER,
    tokenizer       TEXT NOT NULL DEFAULT 'sudachi',
    created         REAL NOT NULL,
    updated         REAL NOT NULL,
    generation      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sources (
    collection    TEXT NOT NULL REFERENCES collections(name) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    title         TEXT,
    type          TEXT,
    modified      REAL,
    content_hash  TEXT,
    pipeline_hash TEXT,
    chars         INTEGER,
    chunks        INTEGER,
    added         REAL,
    updated       REAL,
    PRIMARY KEY (collection, source)
);
CREATE TABLE IF NOT EXISTS chunks (
    rowid      INTEGER PRIMARY KEY,
    collection TEXT NOT NULL REFERENCES collections(name) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    source     TEXT,
    content    TEXT,
    meta       TEXT NOT NULL DEFAULT '{}',
    extra      TEXT,
    tokens     TEXT NOT NULL DEFAULT '',
    embedding  BLOB,
    UNIQUE (collection, id)
);
CREATE INDEX IF NOT EXISTS chunks_by_source ON chunks (collection, source);
"""
# Version 2: the change log that lets search structures follow writes without a rebuild (see the module docstring).
# `log_floor` is the highest log position that may have been pruned: an index older than it cannot catch up from
# the log and is reloaded or rebuilt instead.
CHANGE_LOG = """
ALTER TABLE collections ADD COLUMN log_floor INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    chunk      INTEGER NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('+', '-'))
);
CREATE INDEX IF NOT EXISTS changes_by_collection ON changes (collection, seq);
CREATE TRIGGER IF NOT EXISTS chunk_added AFTER INSERT ON chunks BEGIN
    INSERT INTO changes (collection, chunk, op) VALUES (NEW.collection, NEW.rowid, '+');
END;
CREATE TRIGGER IF NOT EXISTS chunk_removed AFTER DELETE ON chunks BEGIN
    INSERT INTO changes (collection, chunk, op) VALUES (OLD.collection, OLD.rowid, '-');
END;
CREATE TRIGGER IF NOT EXISTS chunk_changed AFTER UPDATE OF tokens, embedding, collection ON chunks BEGIN
    INSERT INTO changes (collection, chunk, op) VALUES (OLD.collection, OLD.rowid, '-');
    INSERT INTO changes (collection, chunk, op) VALUES (NEW.collection, NEW.rowid, '+');
END;
"""
# Version 3: chunks still waiting for their embedding (progressive embedding, `corpus/backfill.py`) found without a
# scan: a partial index holds only rows whose embedding is NULL.
PENDING_INDEX = """
CREATE INDEX IF NOT EXISTS chunks_unembedded ON chunks (collection) WHERE embedding IS NULL;
"""
# A batch of logged changes larger than this share of the index is applied by rebuilding (cheaper than a segment
# as large as the index); so is any change to an index smaller than REBUILD_BELOW chunks (a rebuild takes
# milliseconds there).
REBUILD_SHARE = 0.5
# Threads for building an approximate-search graph: all cores but one, so questions keep a core meanwhile.
ANN_THREADS = max(1, (os.cpu_count() or 2) - 1)
REBUILD_BELOW = 2_000


class EmbeddedBackend(SharedBackend):
    """The engine behind one SQLite file, shared by every store object in the process (see :meth:`open`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, timeout=60, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            self._migrate()
        self._indexes: dict[str, SearchIndex] = {}
        self._merges: dict[str, threading.Thread] = {}
        self._ann_builds: dict[str, threading.Thread] = {}
        self._ann_failed: set[tuple[str, int]] = set()  # (collection, main segment) whose graph failed: stay exact

    def _migrate(self) -> None:
        """Create the schema, or bring an older file up to this version (in one transaction)."""
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version >= SCHEMA_VERSION:
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have done it
            if version == 0:
                _execute_script(self._conn, SCHEMA)
            if version < 2:
                _execute_script(self._conn, CHANGE_LOG)
            if version < 3:
                _execute_script(self._conn, PENDING_INDEX)
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @classmethod
    def open(cls, path: Path | str) -> EmbeddedBackend:
        """The backend for `path`, created on first use."""
        resolved = Path(path).expanduser().resolve()
        return cls._shared(resolved, lambda: cls(resolved))

    def close(self) -> None:
        """Wait for background merges, then close the database connection."""
        self.wait_for_merges()
        with self._lock:
            self._conn.close()

    @property
    def index_dir(self) -> Path:
        """Where derived search structures are cached."""
        return self.path.parent / "index"

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (`BEGIN IMMEDIATE` … `COMMIT`, rolled back on any error)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # ---- collections -------------------------------------------------------------------------------------------
    def collection(self, name: str) -> CollectionInfo | None:
        """The collection called `name` (with counts), or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT name, embedding_model, embedding_dim, tokenizer, created, updated, generation "
                "FROM collections WHERE name = ?",
                (name,),
            ).fetchone()
            if row is None:
                return None
            docs = self._conn.execute("SELECT COUNT(*) FROM sources WHERE collection = ?", (name,)).fetchone()[0]
            chunks = self._conn.execute("SELECT COUNT(*) FROM chunks WHERE collection = ?", (name,)).fetchone()[0]
        return CollectionInfo(*row, documents=docs, chunks=chunks)

    def embedding_of(self, name: str) -> tuple[str | None, int | None] | None:
        """`(embedding model, dimension)` of a collection without counting its rows (cheap, for every query)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT embedding_model, embedding_dim FROM collections WHERE name = ?", (name,)
            ).fetchone()
        return (row[0], row[1]) if row else None

    def collections(self) -> list[CollectionInfo]:
        """All collections, by name."""
        with self._lock:
            names = [r[0] for r in self._conn.execute("SELECT name FROM collections ORDER BY name")]
        return [info for info in (self.collection(n) for n in names) if info is not None]

    def require_collection(self, name: str) -> CollectionInfo:
        """Like :meth:`collection` but raises `err.collection_not_found` (listing the existing ones)."""
        info = self.collection(name)
        if info is None:
            available = ", ".join(c.name for c in self.collections()) or "-"
            raise StoreError("err.collection_not_found", collection=name, available=available)
        return info

    def create_collection(
        self,
        name: str,
        embedding_model: str | None = None,
        embedding_dim: int | None = None,
        tokenizer: str = "sudachi",
    ) -> CollectionInfo:
        """Create a collection (no-op if it exists). The embedding model is fixed by the first embedded write."""
        validate_collection_name(name)
        get_tokenizer(tokenizer)  # validates the name
        now = time.time()
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO collections (name, embedding_model, embedding_dim, tokenizer, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (name, embedding_model, embedding_dim, tokenizer, now, now),
            )
        return self.require_collection(name)

    def delete_collection(self, name: str) -> None:
        """Delete a collection with all its sources and chunks."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM chunks WHERE collection = ?", (name,))
            conn.execute("DELETE FROM sources WHERE collection = ?", (name,))
            conn.execute("DELETE FROM collections WHERE name = ?", (name,))
            conn.execute("DELETE FROM changes WHERE collection = ?", (name,))
        self._indexes.pop(name, None)
        shutil.rmtree(self._cache_dir(name), ignore_errors=True)

    # ---- sources -----------------------------------------------------------------------------------------------
    def sources(self, collection: str) -> list[SourceRecord]:
        """Every source of a collection, by name."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT source, title, type, modified, content_hash, pipeline_hash, chars, chunks, added, updated "
                "FROM sources WHERE collection = ? ORDER BY source",
                (collection,),
            ).fetchall()
        return [SourceRecord(*row) for row in rows]

    def source(self, collection: str, source: str) -> SourceRecord | None:
        """One source record, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT source, title, type, modified, content_hash, pipeline_hash, chars, chunks, added, updated "
                "FROM sources WHERE collection = ? AND source = ?",
                (collection, source),
            ).fetchone()
        return SourceRecord(*row) if row else None

    def replace_source(
        self,
        collection: str,
        record: SourceRecord,
        documents: list[Document],
        embedding_model: str | None = None,
        tokenizer: str | None = None,
    ) -> int:
        """Atomically replace all chunks of `record.source` with `documents` and update its record.

        :param tokenizer: the BM25 tokenizer that made the documents' tokens; recorded on an empty collection and
            checked against a non-empty one.
        :returns: the number of chunks written.
        :raises StoreError: when the embeddings or tokenizer do not match the collection's.
        """
        now = time.time()
        with self.transaction() as conn:
            self._ensure_collection(conn, collection)
            self._check_embeddings(conn, collection, documents, embedding_model)
            if tokenizer is not None:
                self._check_tokenizer(conn, collection, record.source, tokenizer)
            conn.execute("DELETE FROM chunks WHERE collection = ? AND source = ?", (collection, record.source))
            # Another source may have produced identical chunk ids (the same text under another name): replace them.
            conn.executemany(
                "DELETE FROM chunks WHERE collection = ? AND id = ?", [(collection, d.id) for d in documents]
            )
            conn.executemany(
                "INSERT INTO chunks (collection, id, source, content, meta, extra, tokens, embedding) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [self._row(collection, d, source=record.source) for d in documents],
            )
            previous = conn.execute(
                "SELECT added FROM sources WHERE collection = ? AND source = ?", (collection, record.source)
            ).fetchone()
            conn.execute(
                "INSERT OR REPLACE INTO sources (collection, source, title, type, modified, content_hash, "
                "pipeline_hash, chars, chunks, added, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    collection,
                    record.source,
                    record.title,
                    record.type,
                    record.modified,
                    record.content_hash,
                    record.pipeline_hash,
                    record.chars,
                    len(documents),
                    previous[0] if previous else now,
                    now,
                ),
            )
            self._bump(conn, collection)
        return len(documents)

    def remove_source(self, collection: str, source: str) -> int:
        """Remove a source and its chunks. :returns: the number of chunks removed (0 if it was not there)."""
        with self.transaction() as conn:
            removed = conn.execute(
                "DELETE FROM chunks WHERE collection = ? AND source = ?", (collection, source)
            ).rowcount
            gone = conn.execute(
                "DELETE FROM sources WHERE collection = ? AND source = ?", (collection, source)
            ).rowcount
            if removed or gone:
                self._bump(conn, collection)
        return removed

    def replace_embeddings(
        self, collection: str, model: str | None, ids: list[str], vectors: np.ndarray | None
    ) -> None:
        """Set a collection's embedding model and every chunk's embedding in one transaction (re-indexing).

        :param vectors: one row per id, or None to drop all embeddings (BM25 only).
        """
        with self.transaction() as conn:
            if vectors is None:
                conn.execute("UPDATE chunks SET embedding = NULL WHERE collection = ?", (collection,))
                dim, model = None, NO_EMBEDDINGS
            else:
                dim = int(vectors.shape[1])
                conn.executemany(
                    "UPDATE chunks SET embedding = ? WHERE collection = ? AND id = ?",
                    [(vectors[i].astype(np.float32).tobytes(), collection, i_d) for i, i_d in enumerate(ids)],
                )
            conn.execute(
                "UPDATE collections SET embedding_model = ?, embedding_dim = ? WHERE name = ?", (model, dim, collection)
            )
            self._bump(conn, collection)

    # ---- progressive embedding (see corpus/backfill.py) ------------------------------------------------------------
    def defer_embeddings(self, collection: str, model: str, dim: int, reset: bool = False) -> None:
        """Record `model` on a collection whose chunks will be written now and embedded later.

        :param reset: switch an existing collection to `model`: every embedding is dropped (BM25 keeps working)
            and the background filler embeds the chunks again.
        :raises StoreError: when the collection already uses another model (or none) and `reset` is False.
        """
        with self.transaction() as conn:
            self._ensure_collection(conn, collection)
            if reset:
                conn.execute(
                    "UPDATE chunks SET embedding = NULL WHERE collection = ? AND embedding IS NOT NULL", (collection,)
                )
                conn.execute(
                    "UPDATE collections SET embedding_model = NULL, embedding_dim = NULL WHERE name = ?", (collection,)
                )
            current = conn.execute(
                "SELECT embedding_model, embedding_dim FROM collections WHERE name = ?", (collection,)
            ).fetchone()
            if takes_deferred_model(collection, current, model, dim):
                conn.execute(
                    "UPDATE collections SET embedding_model = ?, embedding_dim = ? WHERE name = ?",
                    (model, dim, collection),
                )
                self._bump(conn, collection)

    def unembedded(self, collection: str, limit: int) -> list[Document]:
        """Up to `limit` chunks of an embedded collection that have no embedding yet (oldest first)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, content, meta, extra FROM chunks INDEXED BY chunks_unembedded "
                "WHERE collection = ? AND embedding IS NULL ORDER BY rowid LIMIT ?",
                (collection, limit),
            ).fetchall()
        return [_document(i, content, meta, extra, None) for i, content, meta, extra in rows]

    def embedding_progress(self, collection: str) -> tuple[int, int]:
        """`(chunks with an embedding, all chunks)` of a collection."""
        with self._lock:
            pending = self._conn.execute(
                "SELECT COUNT(*) FROM chunks INDEXED BY chunks_unembedded WHERE collection = ? AND embedding IS NULL",
                (collection,),
            ).fetchone()[0]
            total = self._conn.execute("SELECT COUNT(*) FROM chunks WHERE collection = ?", (collection,)).fetchone()[0]
        return total - pending, total

    def fill_embeddings(self, collection: str, model: str, ids: list[str], vectors: np.ndarray) -> int:
        """Set the embeddings of chunks that are still without one, if the collection still uses `model`.

        A chunk replaced or removed meanwhile is left alone (matched by id, which comes from the text), so a
        vector never lands on other text. :returns: the number of chunks filled.
        """
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT embedding_model, embedding_dim FROM collections WHERE name = ?", (collection,)
            ).fetchone()
            if row is None or row[0] != model or row[1] != int(vectors.shape[1]):
                return 0
            cursor = conn.executemany(
                "UPDATE chunks SET embedding = ? WHERE collection = ? AND id = ? AND embedding IS NULL",
                [(np.asarray(v, dtype=np.float32).tobytes(), collection, i) for i, v in zip(ids, vectors, strict=True)],
            )
            filled = cursor.rowcount
            if filled:
                self._bump(conn, collection)
        return filled

    def export_source(self, collection: str, source: str | None) -> list[Document]:
        """A source's chunks as written (tokens in `meta["bm25_tokens"]`, embeddings included) for copying them to
        another backend without re-tokenising or re-embedding. `source=None` gives chunks written without one."""
        condition = "source IS NULL" if source is None else "source = ?"
        with self._lock:
            rows = self._conn.execute(
                f"SELECT id, content, meta, extra, embedding, tokens FROM chunks WHERE collection = ? AND {condition} "  # noqa: S608
                "ORDER BY rowid",
                (collection,) if source is None else (collection, source),
            ).fetchall()
        out = []
        for *fields, tokens in rows:
            doc = _document(*fields)
            out.append(
                Document(
                    id=doc.id,
                    content=doc.content,
                    meta={**doc.meta, TOKENS_META_KEY: tokens},
                    embedding=doc.embedding,
                    blob=doc.blob,
                )
            )
        return out

    def chunk(self, collection: str, chunk_id: str) -> Document | None:
        """One chunk by id (without its embedding)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT id, content, meta, extra FROM chunks WHERE collection = ? AND id = ?", (collection, chunk_id)
            ).fetchone()
        return _document(*row, None) if row else None

    def chunks_of(self, collection: str, source: str) -> list[Document]:
        """The chunks of one source in document order (without embeddings)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, content, meta, extra FROM chunks WHERE collection = ? AND source = ? ORDER BY rowid",
                (collection, source),
            ).fetchall()
        docs = [_document(*row, None) for row in rows]
        return sorted(docs, key=lambda d: d.meta.get("chunk_index", 0))

    # ---- Haystack protocol operations (per collection) -----------------------------------------------------------
    def count(self, collection: str) -> int:
        """Number of chunks in a collection."""
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM chunks WHERE collection = ?", (collection,)).fetchone()[0]

    def iter_documents(self, collection: str, with_embedding: bool = True) -> Iterator[Document]:
        """Every chunk of a collection as a Document, in insertion order."""
        columns = "id, content, meta, extra, " + ("embedding" if with_embedding else "NULL")
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {columns} FROM chunks WHERE collection = ? ORDER BY rowid",  # noqa: S608 - fixed columns
                (collection,),
            ).fetchall()
        for row in rows:
            yield _document(*row)

    def filter(self, collection: str, filters: dict[str, Any] | None) -> list[Document]:
        """Chunks matching a Haystack filter (all chunks when `filters` is empty)."""
        docs = self.iter_documents(collection)
        if not filters:
            return list(docs)
        return [d for d in docs if document_matches_filter(filters=filters, document=d)]

    def write(
        self,
        collection: str,
        documents: list[Document],
        policy: DuplicatePolicy = DuplicatePolicy.NONE,
        embedding_model: str | None = None,
    ) -> int:
        """Write documents with a duplicate policy (`NONE` behaves as `FAIL`). :returns: the number written."""
        if policy == DuplicatePolicy.NONE:
            policy = DuplicatePolicy.FAIL
        written = 0
        with self.transaction() as conn:
            self._ensure_collection(conn, collection)
            self._check_embeddings(conn, collection, documents, embedding_model)
            seen: set[str] = set()
            for doc in documents:
                exists = (
                    doc.id in seen
                    or conn.execute(
                        "SELECT 1 FROM chunks WHERE collection = ? AND id = ?", (collection, doc.id)
                    ).fetchone()
                )
                if exists:
                    if policy == DuplicatePolicy.FAIL:
                        msg = f"ID '{doc.id}' already exists in collection '{collection}'."
                        raise DuplicateDocumentError(msg)
                    if policy == DuplicatePolicy.SKIP:
                        continue
                    conn.execute("DELETE FROM chunks WHERE collection = ? AND id = ?", (collection, doc.id))
                conn.execute(
                    "INSERT INTO chunks (collection, id, source, content, meta, extra, tokens, embedding) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    self._row(collection, doc),
                )
                seen.add(doc.id)
                written += 1
            if written:
                self._bump(conn, collection)
        return written

    def delete(self, collection: str, ids: list[str]) -> None:
        """Delete chunks by id (unknown ids are ignored)."""
        with self.transaction() as conn:
            deleted = sum(
                conn.execute("DELETE FROM chunks WHERE collection = ? AND id = ?", (collection, i)).rowcount
                for i in ids
            )
            if deleted:
                self._bump(conn, collection)

    # ---- search --------------------------------------------------------------------------------------------------
    def bm25_search(
        self, collection: str, query_tokens: list[str], top_k: int, filters: dict[str, Any] | None = None
    ) -> list[Document]:
        """BM25 over the stored tokens. Scores are raw BM25 (higher is better)."""
        index = self.search_index(collection)
        if index is None or index.live == 0:
            return []
        positions, scores = index.bm25_search(query_tokens, top_k, self._mask(collection, index, filters))
        return self._fetch(index, positions, scores)

    def idf(self, collection: str, tokens: list[str]) -> dict[str, float]:
        """BM25's inverse document frequency of each token (a token no chunk has gets the highest value)."""
        index = self.search_index(collection)
        if index is None or index.live == 0:
            return {}
        return index.idf(tokens)

    def vector_search(
        self, collection: str, embedding: list[float], top_k: int, filters: dict[str, Any] | None = None
    ) -> list[Document]:
        """Exact cosine search. :raises StoreError: when the dimension differs from the collection's."""
        index = self.search_index(collection)
        if index is None or index.dim is None:
            return []
        if len(embedding) != index.dim:
            info = self.require_collection(collection)
            raise StoreError(
                "err.embedding_mismatch",
                collection=collection,
                expected=f"{info.embedding_model} ({index.dim})",
                got=f"{len(embedding)}",
            )
        positions, scores = index.vector_search(embedding, top_k, self._mask(collection, index, filters))
        return self._fetch(index, positions, scores)

    def search_index(self, collection: str) -> SearchIndex | None:
        """The collection's current search structures: the cached ones, brought up to date from the change log
        (milliseconds), or loaded from the cache on disk, or rebuilt. May start a merge in the background."""
        with self._lock:
            snapshot = not self._conn.in_transaction
            if snapshot:
                self._conn.execute("BEGIN")  # one consistent view of the log and the rows (WAL snapshot)
            try:
                row = self._conn.execute(
                    "SELECT generation, embedding_dim, log_floor FROM collections WHERE name = ?", (collection,)
                ).fetchone()
                if row is None:
                    return None
                generation, dim, floor = row
                cached = self._indexes.get(collection)
                if cached is not None and cached.generation == generation:
                    return cached
                index, rebuilt = self._bring_up_to_date(collection, cached, generation, dim, floor)
            finally:
                if snapshot:
                    self._conn.execute("COMMIT")
            self._indexes[collection] = index
        if rebuilt:
            self._store_merged(collection, index)
        elif index.needs_merge:
            self._start_merge(collection)
        self._start_ann(collection, index)
        return index

    def wait_for_ann(self, timeout: float | None = None) -> None:
        """Wait until no approximate-search graph is being built (for tests and benchmarks)."""
        with self._lock:
            threads = list(self._ann_builds.values())
        for thread in threads:
            thread.join(timeout)

    def _start_ann(self, collection: str, index: SearchIndex) -> None:
        """Build the main segment's graph in the background once it is large enough (search stays exact until)."""
        vectors = index.main.vectors
        if vectors is None or vectors.ann is not None or index.main.size < ann.ANN_MIN_ROWS:
            return
        with self._lock:
            if collection in self._ann_builds or (collection, index.base_seq) in self._ann_failed:
                return
            thread = threading.Thread(
                target=self._build_ann,
                args=(collection, vectors, index.base_seq),
                name=f"tokka-ann-{collection}",
                daemon=True,
            )
            self._ann_builds[collection] = thread
        thread.start()

    def _build_ann(self, collection: str, vectors: VectorIndex, base_seq: int) -> None:
        try:
            started = time.perf_counter()
            graph = ann.ApproximateIndex.build(vectors.matrix, vectors.valid, threads=ANN_THREADS)
            vectors.ann = graph  # every snapshot sharing this main segment uses it from now on
            folder = self._cache_dir(collection) / f"s{base_seq}"
            if folder.is_dir():
                graph.save(folder)
                vectors.ann = ann.ApproximateIndex.load(folder) or graph  # mapped: the built copy is freed
                if (folder / "vectors.npy").is_file():
                    # The build read every vector through the old mapping, leaving ~1.5 GB per million chunks
                    # resident; queries now go through the graph, so a fresh mapping starts with none of it.
                    vectors.matrix = np.load(folder / "vectors.npy", mmap_mode="r")
            logger.info("Built the approximate index of %s in %.0f s", collection, time.perf_counter() - started)
        except Exception:  # search stays exact for this main segment; the next merge tries again
            logger.exception("Building the approximate index of %s failed", collection)
            with self._lock:
                self._ann_failed.add((collection, base_seq))
        finally:
            with self._lock:
                self._ann_builds.pop(collection, None)

    def wait_for_merges(self, timeout: float | None = None) -> None:
        """Wait until no background merge runs (for tests, benchmarks and closing)."""
        with self._lock:
            threads = list(self._merges.values())
        for thread in threads:
            thread.join(timeout)

    def merge(self, collection: str) -> SearchIndex | None:
        """Rebuild the collection's index as one main segment now (what the background merge does)."""
        index = self._build_from_snapshot(collection, self._lock, self._conn)
        if index is not None:
            self._install(collection, index)
            self._store_merged(collection, index)
        return index

    # ---- internals -----------------------------------------------------------------------------------------------
    def _ensure_collection(self, conn: sqlite3.Connection, name: str) -> None:
        validate_collection_name(name)
        now = time.time()
        conn.execute("INSERT OR IGNORE INTO collections (name, created, updated) VALUES (?, ?, ?)", (name, now, now))

    def _bump(self, conn: sqlite3.Connection, collection: str) -> None:
        conn.execute(
            "UPDATE collections SET generation = generation + 1, updated = ? WHERE name = ?", (time.time(), collection)
        )

    def _check_embeddings(
        self, conn: sqlite3.Connection, collection: str, documents: list[Document], model: str | None
    ) -> None:
        dims = {len(d.embedding) for d in documents if d.embedding is not None}
        if not dims:
            return
        current_model, current_dim = conn.execute(
            "SELECT embedding_model, embedding_dim FROM collections WHERE name = ?", (collection,)
        ).fetchone()
        dim = dims.pop()
        if current_model == NO_EMBEDDINGS:
            raise StoreError(
                "err.embedding_mismatch", collection=collection, expected=NO_EMBEDDINGS, got=f"{model or '?'} ({dim})"
            )
        if dims or (current_dim is not None and current_dim != dim):
            raise StoreError(
                "err.embedding_mismatch",
                collection=collection,
                expected=f"{current_model} ({current_dim})",
                got=f"{model or '?'} ({dim})",
            )
        if current_model and model and current_model != model:
            raise StoreError(
                "err.embedding_mismatch",
                collection=collection,
                expected=f"{current_model} ({current_dim})",
                got=f"{model} ({dim})",
            )
        if current_dim is None or (current_model is None and model):
            conn.execute(
                "UPDATE collections SET embedding_model = ?, embedding_dim = ? WHERE name = ?",
                (model or current_model, dim, collection),
            )

    def _check_tokenizer(self, conn: sqlite3.Connection, collection: str, source: str, tokenizer: str) -> None:
        current = conn.execute("SELECT tokenizer FROM collections WHERE name = ?", (collection,)).fetchone()[0]
        if current == tokenizer:
            return
        others = conn.execute(
            "SELECT COUNT(*) FROM chunks WHERE collection = ? AND (source IS NULL OR source != ?)", (collection, source)
        ).fetchone()[0]
        if others:
            raise StoreError("err.tokenizer_mismatch", collection=collection, expected=current, got=tokenizer)
        conn.execute("UPDATE collections SET tokenizer = ? WHERE name = ?", (tokenizer, collection))

    def _row(self, collection: str, doc: Document, source: str | None = None) -> tuple[Any, ...]:
        meta = dict(doc.meta)
        tokens = meta.pop(TOKENS_META_KEY, None)
        if tokens is None:
            tokens = get_tokenizer(self._tokenizer_name(collection)).tokens_string(doc.content or "")
        extra: dict[str, Any] = {}
        if doc.blob is not None:
            extra["blob"] = doc.blob.to_dict()
        if doc.sparse_embedding is not None:
            extra["sparse_embedding"] = doc.sparse_embedding.to_dict()
        embedding = np.asarray(doc.embedding, dtype=np.float32).tobytes() if doc.embedding is not None else None
        return (
            collection,
            doc.id,
            source if source is not None else meta.get("source"),
            doc.content,
            json.dumps(meta, ensure_ascii=False, default=str),
            json.dumps(extra, ensure_ascii=False) if extra else None,
            tokens,
            embedding,
        )

    def _tokenizer_name(self, collection: str) -> str:
        row = self._conn.execute("SELECT tokenizer FROM collections WHERE name = ?", (collection,)).fetchone()
        return row[0] if row else "sudachi"

    def tokenizer_name(self, collection: str) -> str:
        """The BM25 tokenizer a collection was made with (`sudachi` for a new one)."""
        with self._lock:
            return self._tokenizer_name(collection)

    def _cache_dir(self, collection: str) -> Path:
        digest = hashlib.sha1(collection.encode("utf-8")).hexdigest()[:12]  # noqa: S324 - a file name, not security
        return self.index_dir / digest

    def _bring_up_to_date(
        self, collection: str, cached: SearchIndex | None, generation: int, dim: int | None, floor: int
    ) -> tuple[SearchIndex, bool]:
        """`(index at the current state, whether it was rebuilt)`; runs inside the caller's read snapshot."""
        head = self._log_head(self._conn)
        usable = cached is not None and floor <= cached.seq <= head and cached.dim == dim
        if not usable:
            cached = self._load_cached_index(collection)
            usable = cached is not None and floor <= cached.seq <= head and cached.dim == dim
        if usable and cached is not None:
            changes = self._conn.execute(
                "SELECT chunk, op FROM changes WHERE collection = ? AND seq > ? ORDER BY seq", (collection, cached.seq)
            ).fetchall()
            if cached.size >= REBUILD_BELOW and len(changes) <= REBUILD_SHARE * cached.size:
                return self._apply(collection, cached, generation, head, changes), False
            if not changes:
                return SearchIndex(generation, head, cached.segments, cached.alive, cached.dim, cached.base_seq), False
        return self._build_index(self._conn, collection, generation, head, dim), True

    def _apply(
        self, collection: str, index: SearchIndex, generation: int, head: int, changes: list[tuple[int, str]]
    ) -> SearchIndex:
        """`index` with the logged changes applied: tombstones for removed chunks, one segment for added ones."""
        started = time.perf_counter()
        removed: set[int] = set()
        added: dict[int, None] = {}  # in log order; a chunk added then removed in the same batch is dropped
        for chunk, op in changes:
            if op == "+":
                added[chunk] = None
            elif chunk in added:
                del added[chunk]
            else:
                removed.add(chunk)
        rowids, tokens, matrix = self._read_rows(collection, list(added), index.dim)
        updated = index.updated(
            generation, head, np.fromiter(removed, dtype=np.int64, count=len(removed)), rowids, tokens, matrix
        )
        logger.debug(
            "Applied %d changes to the index of %s in %.1f ms",
            len(changes),
            collection,
            (time.perf_counter() - started) * 1000,
        )
        return updated

    def _read_rows(
        self, collection: str, rowids: list[int], dim: int | None
    ) -> tuple[np.ndarray, list[str], np.ndarray | None]:
        """Tokens and embeddings of the given chunks (in the caller's snapshot)."""
        found: list[int] = []
        tokens: list[str] = []
        blobs: list[bytes | None] = []
        for start in range(0, len(rowids), 500):
            part = rowids[start : start + 500]
            marks = ",".join("?" * len(part))
            for rowid, token_string, blob in self._conn.execute(
                f"SELECT rowid, tokens, embedding FROM chunks WHERE collection = ? AND rowid IN ({marks})",  # noqa: S608
                [collection, *part],
            ):
                found.append(rowid)
                tokens.append(token_string)
                blobs.append(blob)
        matrix = None
        if dim is not None:
            matrix = np.zeros((len(found), dim), dtype=np.float32)
            for i, blob in enumerate(blobs):
                if blob is not None and len(blob) == 4 * dim:
                    matrix[i] = np.frombuffer(blob, dtype=np.float32)
        return np.asarray(found, dtype=np.int64), tokens, matrix

    @staticmethod
    def _log_head(conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'changes'").fetchone()
        return int(row[0]) if row else 0

    def _load_cached_index(self, collection: str) -> SearchIndex | None:
        """The newest index cached on disk for the collection, or None."""
        base = self._cache_dir(collection)
        try:
            folders = sorted(
                (int(f.name[1:]), f) for f in base.iterdir() if f.name.startswith("s") and f.name[1:].isdigit()
            )
        except OSError:
            return None
        for _, folder in reversed(folders):
            try:
                return SearchIndex.load(folder)
            except (OSError, ValueError, KeyError) as e:
                logger.info("Ignoring the index cache %s: %s", folder, e)
        return None

    def _build_index(
        self, conn: sqlite3.Connection, collection: str, generation: int, head: int, dim: int | None
    ) -> SearchIndex:
        """One main segment from every chunk (inside the caller's snapshot on `conn`)."""
        started = time.perf_counter()
        count = conn.execute("SELECT COUNT(*) FROM chunks WHERE collection = ?", (collection,)).fetchone()[0]
        rowids = np.zeros(count, dtype=np.int64)
        matrix = np.zeros((count, dim), dtype=np.float32) if dim else None
        filled = 0

        def tokens() -> Iterator[str]:
            # One pass in rowid order: the table itself is in that order (NOT INDEXED: no sort of a million rows),
            # and each row's tokens are handed to the BM25 build and dropped, never all held at once.
            nonlocal filled
            cursor = conn.execute(
                f"SELECT rowid, tokens, {'embedding' if dim else 'NULL'} FROM chunks NOT INDEXED "  # noqa: S608
                "WHERE collection = ? ORDER BY rowid",
                (collection,),
            )
            for rowid, token_string, blob in cursor:
                if filled == count:  # the snapshot cannot grow; a guard, not a path
                    break
                rowids[filled] = rowid
                if matrix is not None and blob is not None and len(blob) == 4 * dim:
                    matrix[filled] = np.frombuffer(blob, dtype=np.float32)
                filled += 1
                yield token_string

        bm25 = BM25Index.build(tokens())
        index = SearchIndex.from_parts(
            generation, head, rowids[:filled], bm25, matrix[:filled] if matrix is not None else None
        )
        logger.info("Built search index for %s (%d chunks) in %.2fs", collection, filled, time.perf_counter() - started)
        return index

    def _shed_mapped_pages(self, collection: str) -> None:
        """Map the index in use afresh from its cache folder, so the pages of it this process holds resident — all
        its vectors after an exact search over them (a filtered query) or the graph's build — leave its resident set
        before a build adds its own arrays (at 1M chunks ~1.5 GB of vectors and ~0.9 GB of graph). They stay in the
        page cache; queries fault back in only what they touch. Queries running meanwhile finish on the old
        mapping."""
        with self._lock:
            index = self._indexes.get(collection)
        if index is None:
            return
        folder = self._cache_dir(collection) / f"s{index.base_seq}"
        if not isinstance(index.main.bm25.data, np.memmap) or not (folder / "index.json").is_file():
            return  # the main segment is not read from that folder (a fresh build still in memory)
        try:
            index.use_saved(folder)
            vectors = index.main.vectors
            if vectors is not None and vectors.ann is not None:
                vectors.ann = ann.ApproximateIndex.load(folder) or vectors.ann
        except (OSError, ValueError) as e:  # the old mappings stay in use
            logger.info("Could not map the index of %s afresh: %s", collection, e)

    def _build_from_snapshot(
        self, collection: str, lock: threading.RLock | None, conn: sqlite3.Connection
    ) -> SearchIndex | None:
        """A full build on `conn` in its own read snapshot (`lock` held around it when the connection is shared)."""
        self._shed_mapped_pages(collection)
        with lock if lock is not None else _NO_LOCK:
            conn.execute("BEGIN")
            try:
                row = conn.execute(
                    "SELECT generation, embedding_dim FROM collections WHERE name = ?", (collection,)
                ).fetchone()
                if row is None:
                    return None
                return self._build_index(conn, collection, row[0], self._log_head(conn), row[1])
            finally:
                conn.execute("COMMIT")

    def _start_merge(self, collection: str) -> None:
        with self._lock:
            if collection in self._merges:
                return
            thread = threading.Thread(
                target=self._merge_in_background, args=(collection,), name=f"tokka-merge-{collection}", daemon=True
            )
            self._merges[collection] = thread
        thread.start()

    def _merge_in_background(self, collection: str) -> None:
        """Rebuild on a connection of its own, so queries go on against the current index meanwhile."""
        try:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            try:
                index = self._build_from_snapshot(collection, None, conn)
            finally:
                conn.close()
            if index is not None:
                self._install(collection, index)
                self._store_merged(collection, index)
        except Exception:  # a failed merge leaves the segments in use; the next one tries again
            logger.exception("Background merge of the index of %s failed", collection)
        finally:
            with self._lock:
                self._merges.pop(collection, None)

    def _install(self, collection: str, index: SearchIndex) -> None:
        """Use a merged index unless the one in use already has a newer main segment. If writes came after the
        merge's snapshot, the next query applies them from the log."""
        with self._lock:
            current = self._indexes.get(collection)
            if current is None or current.base_seq < index.seq:
                self._indexes[collection] = index

    def _store_merged(self, collection: str, index: SearchIndex) -> None:
        """Cache a merged index on disk, then prune the change log up to it (other processes load the cache)."""
        if not self._save_cached_index(collection, index):
            return
        try:
            with self.transaction() as conn:
                conn.execute("DELETE FROM changes WHERE collection = ? AND seq <= ?", (collection, index.seq))
                conn.execute(
                    "UPDATE collections SET log_floor = MAX(log_floor, ?) WHERE name = ?", (index.seq, collection)
                )
        except sqlite3.Error as e:  # pruning is housekeeping: the log is only longer
            logger.warning("Could not prune the change log of %s: %s", collection, e)

    def _save_cached_index(self, collection: str, index: SearchIndex) -> bool:
        base = self._cache_dir(collection)
        final = base / f"s{index.seq}"
        if final.exists():  # saved by another process from the same state: the same arrays, if it reads
            try:
                SearchIndex.load(final)
                index.use_saved(final)
                return True
            except (OSError, ValueError, KeyError) as e:  # an older format or a damaged folder: written again
                logger.info("Replacing the index cache %s: %s", final, e)
        tmp = base / f".tmp-s{index.seq}-{os.getpid()}-{threading.get_ident()}"
        try:
            for stale in base.glob(".tmp-*") if base.is_dir() else ():  # left by a process that died while saving
                if time.time() - stale.stat().st_mtime > 3600:
                    shutil.rmtree(stale, ignore_errors=True)
            shutil.rmtree(tmp, ignore_errors=True)
            index.save(tmp)
            if final.exists():  # unreadable (above): replaced, or every new process would rebuild
                shutil.rmtree(final, ignore_errors=True)
            tmp.rename(final)  # atomic: a reader sees a whole cache folder or none
            index.use_saved(final)  # the build's arrays are freed; the same values are read from the files
            for old in base.iterdir():  # older caches (and those of the format before segments, named g…)
                older = old.name.startswith("g") or (old.name[1:].isdigit() and int(old.name[1:]) < index.seq)
                if old.name != final.name and older:
                    shutil.rmtree(old, ignore_errors=True)
        except OSError as e:
            logger.warning("Could not cache the search index for %s: %s", collection, e)
            shutil.rmtree(tmp, ignore_errors=True)
            return False
        return True

    def _mask(self, collection: str, index: SearchIndex, filters: dict[str, Any] | None) -> np.ndarray | None:
        if not filters:
            return None
        position = {int(r): i for i, r in enumerate(index.rowids)}
        mask = np.zeros(len(index.rowids), dtype=bool)
        with self._lock:
            rows = self._conn.execute(
                "SELECT rowid, id, content, meta, extra FROM chunks WHERE collection = ?", (collection,)
            ).fetchall()
        for rowid, *fields in rows:
            if rowid in position and document_matches_filter(filters=filters, document=_document(*fields, None)):
                mask[position[rowid]] = True
        return mask

    def _fetch(self, index: SearchIndex, positions: np.ndarray, scores: np.ndarray) -> list[Document]:
        if positions.size == 0:
            return []
        wanted = [int(index.rowids[p]) for p in positions]
        with self._lock:
            marks = ",".join("?" * len(wanted))
            rows = {
                r[0]: r[1:]
                for r in self._conn.execute(
                    f"SELECT rowid, id, content, meta, extra FROM chunks WHERE rowid IN ({marks})",  # noqa: S608
                    wanted,
                )
            }
        # A concurrent delete may have removed a row since the index was built: skip it.
        return [
            _document(*rows[rowid], None, float(score))
            for rowid, score in zip(wanted, scores, strict=True)
            if rowid in rows
        ]


_NO_LOCK = nullcontext()


def _execute_script(conn: sqlite3.Connection, script: str) -> None:
    """Run SQL statements one by one inside the current transaction (`executescript` would commit first)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def _document(
    doc_id: str, content: str | None, meta: str, extra: str | None, embedding: bytes | None, score: float | None = None
) -> Document:
    extras = json.loads(extra) if extra else {}
    return Document(
        id=doc_id,
        content=content,
        meta=json.loads(meta),
        score=score,
        blob=ByteStream.from_dict(extras["blob"]) if "blob" in extras else None,
        sparse_embedding=SparseEmbedding.from_dict(extras["sparse_embedding"])
        if "sparse_embedding" in extras
        else None,
        embedding=np.frombuffer(embedding, dtype=np.float32).tolist() if embedding is not None else None,
    )


class EmbeddedDocumentStore(CollectionStore):
    """Haystack ``DocumentStore`` over one collection of the embedded SQLite store.

    ### Usage example
    ```python
    store = EmbeddedDocumentStore(collection="samples")      # file: $TOKKA_DATA_DIR/tokka.sqlite3
    store.write_documents([Document(content="工房は午後4時から開いています。")])
    store.bm25_retrieval("工房 何時", top_k=3)
    ```

    :param collection: the collection (created on first write).
    :param path: the SQLite file; `None` means the configured data directory.
    """

    def __init__(self, collection: str = "default", path: str | None = None) -> None:
        super().__init__(collection)
        self.path = path

    def _open_backend(self) -> EmbeddedBackend:
        if self.path is None:
            from tokka.settings import get_settings

            return EmbeddedBackend.open(get_settings().store_path)
        return EmbeddedBackend.open(self.path)

    def to_dict(self) -> dict[str, Any]:
        """Serialise (collection and path only)."""
        return {
            "type": f"{type(self).__module__}.{type(self).__name__}",
            "init_parameters": {"collection": self.collection, "path": self.path},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EmbeddedDocumentStore:
        """Deserialise."""
        return cls(**data.get("init_parameters", {}))
