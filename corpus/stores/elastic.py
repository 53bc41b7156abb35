"""The Elasticsearch backend: the same collections, sources and ranking as the embedded store, on a cluster.

- **Indices.** Each collection is one index, created by us before `elasticsearch-haystack`'s
  `ElasticsearchDocumentStore` first touches it (that store cannot set index *settings*; `docs/libraries.md`
  §4). The stored Sudachi token string goes into a whitespace-analysed `bm25_tokens` field scored with the
  embedded store's BM25 k1 and b (`corpus.stores.bm25.K1`, `B`), so both backends rank alike and no plugin is
  needed. The original text is stored, metadata are keywords, and `embedding` is a `dense_vector` with the
  collection's dimension and cosine similarity. Users whose image has the kuromoji and ICU plugins may add a
  `content_ja` field (`KUROMOJI=True`).
- **Registry.** Collection and source records live in two small keyword indices (`tokka-collections`,
  `tokka-sources`).
- **Queries.** BM25 is a `match` on `bm25_tokens` (no fuzziness: one edit would match 東京都 with 東京湾), kNN is
  ES's `knn` search; fusion stays on the client (server-side RRF needs a paid licence). Both bodies are built by the
  pure functions :func:`bm25_body` and :func:`knn_body`.
- **Consistency.** Elasticsearch has no multi-document transactions: replacing a source writes the new chunks,
  then deletes the old ones, then updates the source record. An interruption leaves the old record (old hash), so
  adding the file again repairs it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, AuthenticationException, AuthorizationException, Elasticsearch, NotFoundError
from elasticsearch.helpers import BulkIndexError, bulk, scan
from haystack import Document
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy

from corpus.errors import StoreError
from corpus.japanese.tokenizer import BIGRAM_WEIGHT, get_tokenizer, split_marked
from corpus.stores.base import CollectionStore
from corpus.stores.bm25 import K1, B
from corpus.stores.es_filters import to_query
from corpus.stores.protocol import SharedBackend, takes_deferred_model
from corpus.stores.records import (
    NO_EMBEDDINGS,
    TOKENS_META_KEY,
    CollectionInfo,
    SourceRecord,
    validate_collection_name,
)
from tokka.settings import Settings, get_settings

T = TypeVar("T")
PREFIX = "tokka"
BM25_SIMILARITY = {"type": "BM25", "k1": K1, "b": B}  # an index keeps the values it was created with
KUROMOJI = False  # set True (and rebuild the index) when every node has analysis-kuromoji and analysis-icu
_RESERVED = {"id", "content", "embedding", "blob", "score", "sparse_embedding"}


def chunk_index_name(collection: str) -> str:
    """Index names must be lower-case ASCII; collection names may be Japanese, so we hash them."""
    return f"{PREFIX}-chunks-{hashlib.sha1(collection.encode()).hexdigest()[:16]}"  # noqa: S324 - a name


def index_settings() -> dict[str, Any]:
    """Settings of a collection index: one shard, BM25 like the embedded store, optional Japanese analysis."""
    settings: dict[str, Any] = {"number_of_shards": 1, "similarity": {"tokka_bm25": BM25_SIMILARITY}}
    if KUROMOJI:
        settings["analysis"] = {
            "analyzer": {
                "tokka_ja": {
                    "type": "custom",
                    "tokenizer": "kuromoji_tokenizer",
                    "char_filter": ["icu_normalizer"],
                    "filter": ["kuromoji_baseform", "kuromoji_part_of_speech", "cjk_width", "ja_stop", "lowercase"],
                }
            }
        }
    return settings


def index_mappings(dim: int | None) -> dict[str, Any]:
    """Mappings: tokens (whitespace, BM25), text stored, metadata as keywords, vectors with the collection's dim."""
    properties: dict[str, Any] = {
        TOKENS_META_KEY: {"type": "text", "analyzer": "whitespace", "similarity": "tokka_bm25"},
        "content": {"type": "text", "index": False},
        "source": {"type": "keyword"},
        "title": {"type": "keyword"},
        "modified": {"type": "double"},
        "chunk_index": {"type": "integer"},
    }
    if KUROMOJI:
        properties["content"] = {"type": "text", "index": False, "copy_to": "content_ja"}
        properties["content_ja"] = {"type": "text", "analyzer": "tokka_ja"}
    if dim:
        properties["embedding"] = {"type": "dense_vector", "dims": dim, "index": True, "similarity": "cosine"}
    return {
        "properties": properties,
        "dynamic_templates": [{"strings": {"match_mapping_type": "string", "mapping": {"type": "keyword"}}}],
    }


def bm25_body(tokens: list[str], top_k: int, filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """The BM25 search: the query's tokens against the stored tokens, OR, no fuzziness. Marked bigrams
    (`sudachi+bigram`) are a second clause on the same field boosted by `BIGRAM_WEIGHT`, as the embedded store
    weighs them."""
    words, bigrams = split_marked(list(dict.fromkeys(tokens)))
    clauses: list[dict[str, Any]] = [
        {"match": {TOKENS_META_KEY: {"query": " ".join(words), "operator": "or", "fuzziness": "0"}}}
    ]
    if bigrams:
        clauses.append(
            {
                "match": {
                    TOKENS_META_KEY: {
                        "query": " ".join(bigrams),
                        "operator": "or",
                        "fuzziness": "0",
                        "boost": BIGRAM_WEIGHT,
                    }
                }
            }
        )
    query: dict[str, Any] = {"bool": {"must": clauses}} if not bigrams else {"bool": {"should": clauses}}
    if bigrams:
        query["bool"]["minimum_should_match"] = 1
    if filters:
        query["bool"]["filter"] = to_query(filters)
    return {"query": query, "size": top_k, "_source": {"excludes": ["embedding", TOKENS_META_KEY]}}


def knn_body(vector: list[float], top_k: int, filters: dict[str, Any] | None = None) -> dict[str, Any]:
    """The kNN search over `embedding` (cosine); more candidates than results for a better approximate search."""
    knn: dict[str, Any] = {
        "field": "embedding",
        "query_vector": [float(x) for x in vector],
        "k": top_k,
        "num_candidates": max(100, top_k * 10),
    }
    if filters:
        knn["filter"] = to_query(filters)
    return {"knn": knn, "size": top_k, "_source": {"excludes": ["embedding", TOKENS_META_KEY]}}


def _hit_to_document(hit: dict[str, Any], score: float | None = None) -> Document:
    source = dict(hit["_source"])
    embedding = source.pop("embedding", None)
    source.pop(TOKENS_META_KEY, None)
    content = source.pop("content", None)
    doc_id = source.pop("id", hit["_id"])
    for key in ("blob", "sparse_embedding", "score"):
        source.pop(key, None)
    return Document(id=doc_id, content=content, meta=source, embedding=embedding, score=score)


class ElasticBackend(SharedBackend):
    """Collections on an Elasticsearch cluster (a `StoreBackend`, like `EmbeddedBackend`)."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.elasticsearch_url or ""
        auth: dict[str, Any] = {}
        if settings.elasticsearch_api_key:
            auth["api_key"] = settings.elasticsearch_api_key
        elif settings.elasticsearch_user:
            auth["basic_auth"] = (settings.elasticsearch_user, settings.elasticsearch_password or "")
        self.client = Elasticsearch(self.url, request_timeout=30, max_retries=1, retry_on_timeout=False, **auth)
        self._ready = False
        self._lock = threading.RLock()

    @classmethod
    def open(cls, settings: Settings | None = None) -> ElasticBackend:
        """The backend for the configured `ELASTICSEARCH_URL` (one client per URL)."""
        settings = settings or get_settings()
        return cls._shared(settings.elasticsearch_url or "", lambda: cls(settings))

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()

    # ---- errors ---------------------------------------------------------------------------------------------------
    def _call(self, fn: Callable[[], T]) -> T:
        """Run a request and turn the client's errors into messages a user can act on."""
        try:
            return fn()
        except (
            TransportConnectionError,
            ConnectionTimeout,
            AuthenticationException,
            AuthorizationException,
            BulkIndexError,
            ApiError,
        ) as e:
            raise self._store_error(e) from e

    def _store_error(self, error: Exception) -> StoreError:
        if isinstance(error, TransportConnectionError | ConnectionTimeout):
            return StoreError("err.es_unreachable", url=self.url, detail=str(error)[:200])
        if isinstance(error, AuthenticationException):
            return StoreError("err.es_auth", url=self.url)
        # BulkIndexError: per-document errors inside a 200 bulk response
        text = str(error.errors)[:500] if isinstance(error, BulkIndexError) else str(error)
        if any(marker in text for marker in ("cluster_block", "read-only", "read_only")):
            return StoreError("err.es_read_only", url=self.url)
        if isinstance(error, AuthorizationException):
            return StoreError("err.es_auth", url=self.url)
        if "dims" in text or "dimension" in text:
            return StoreError("err.es_dimension", detail=text[:300])
        return StoreError("err.es_failed", detail=text[:300])

    def _ensure_registry(self) -> None:
        if self._ready:
            return
        keyword = {"dynamic_templates": [{"strings": {"match_mapping_type": "string", "mapping": {"type": "keyword"}}}]}
        for index in (f"{PREFIX}-collections", f"{PREFIX}-sources"):
            if not self._call(lambda i=index: self.client.indices.exists(index=i)):
                self._call(lambda i=index: self.client.indices.create(index=i, mappings=keyword))
        self._ready = True

    def _source_id(self, collection: str, source: str) -> str:
        return hashlib.sha1(f"{collection}\x00{source}".encode()).hexdigest()  # noqa: S324 - an id

    # ---- collections -------------------------------------------------------------------------------------------
    def _record(self, name: str) -> dict[str, Any] | None:
        self._ensure_registry()
        try:
            return self._call(lambda: self.client.get(index=f"{PREFIX}-collections", id=name))["_source"]
        except StoreError as e:
            if isinstance(e.__cause__, NotFoundError):
                return None
            raise

    def collection(self, name: str) -> CollectionInfo | None:
        """The collection called `name` (with counts), or None."""
        record = self._record(name)
        if record is None:
            return None
        documents = self._call(
            lambda: self.client.count(index=f"{PREFIX}-sources", query={"term": {"collection": name}})
        )["count"]
        index = chunk_index_name(name)
        exists = self._call(lambda: self.client.indices.exists(index=index))
        chunks = self._call(lambda: self.client.count(index=index))["count"] if exists else 0
        return CollectionInfo(
            record["name"],
            record.get("embedding_model"),
            record.get("embedding_dim"),
            record.get("tokenizer", "sudachi"),
            record["created"],
            record["updated"],
            record.get("generation", 0),
            documents,
            chunks,
        )

    def collections(self) -> list[CollectionInfo]:
        """All collections, by name."""
        self._ensure_registry()
        hits = self._call(
            lambda: self.client.search(index=f"{PREFIX}-collections", size=1000, query={"match_all": {}})
        )["hits"]["hits"]
        names = sorted(h["_source"]["name"] for h in hits)
        return [info for info in (self.collection(n) for n in names) if info is not None]

    def require_collection(self, name: str) -> CollectionInfo:
        """Like :meth:`collection` but raises `err.collection_not_found`."""
        info = self.collection(name)
        if info is None:
            available = ", ".join(c.name for c in self.collections()) or "-"
            raise StoreError("err.collection_not_found", collection=name, available=available)
        return info

    def embedding_of(self, name: str) -> tuple[str | None, int | None] | None:
        """`(embedding model, dimension)` of a collection."""
        record = self._record(name)
        return (record.get("embedding_model"), record.get("embedding_dim")) if record else None

    def tokenizer_name(self, collection: str) -> str:
        """The BM25 tokenizer a collection was made with."""
        record = self._record(collection)
        return record.get("tokenizer", "sudachi") if record else "sudachi"

    def create_collection(
        self,
        name: str,
        embedding_model: str | None = None,
        embedding_dim: int | None = None,
        tokenizer: str = "sudachi",
    ) -> CollectionInfo:
        """Create a collection record and its index (no-op if it exists)."""
        validate_collection_name(name)
        get_tokenizer(tokenizer)
        if self._record(name) is None:
            now = time.time()
            self._put_record(
                name,
                {
                    "name": name,
                    "embedding_model": embedding_model,
                    "embedding_dim": embedding_dim,
                    "tokenizer": tokenizer,
                    "created": now,
                    "updated": now,
                    "generation": 0,
                },
            )
            self._ensure_index(name, embedding_dim)
        return self.require_collection(name)

    def _put_record(self, name: str, record: dict[str, Any]) -> None:
        self._call(
            lambda: self.client.index(index=f"{PREFIX}-collections", id=name, document=record, refresh="wait_for")
        )

    def _ensure_index(self, name: str, dim: int | None) -> None:
        """Create the collection's index with our settings and mappings; add the vector field when it is new."""
        index = chunk_index_name(name)
        if not self._call(lambda: self.client.indices.exists(index=index)):
            self._call(
                lambda: self.client.indices.create(index=index, settings=index_settings(), mappings=index_mappings(dim))
            )
            return
        if dim:
            current = self._call(lambda: self.client.indices.get_mapping(index=index))[index]["mappings"]
            field = current.get("properties", {}).get("embedding")
            if field is None:
                self._call(
                    lambda: self.client.indices.put_mapping(
                        index=index, properties={"embedding": index_mappings(dim)["properties"]["embedding"]}
                    )
                )
            elif field.get("dims") not in (None, dim):
                raise StoreError("err.es_dimension", detail=f"{index}: dims {field.get('dims')} ≠ {dim}")

    def delete_collection(self, name: str) -> None:
        """Delete a collection's index, sources and record."""
        self._ensure_registry()
        self._call(lambda: self.client.options(ignore_status=404).indices.delete(index=chunk_index_name(name)))
        self._call(
            lambda: self.client.delete_by_query(
                index=f"{PREFIX}-sources", refresh=True, query={"term": {"collection": name}}
            )
        )
        self._call(
            lambda: self.client.options(ignore_status=404).delete(
                index=f"{PREFIX}-collections", id=name, refresh="wait_for"
            )
        )

    def _ensure_collection(self, name: str) -> dict[str, Any]:
        record = self._record(name)
        if record is None:
            self.create_collection(name)
            record = self._record(name)
        assert record is not None
        return record

    def _bump(self, name: str, **changes: Any) -> None:
        record = self._ensure_collection(name)
        record.update(changes, updated=time.time(), generation=record.get("generation", 0) + 1)
        self._put_record(name, record)

    def _check_embeddings(self, name: str, documents: list[Document], model: str | None) -> dict[str, Any]:
        record = self._ensure_collection(name)
        dims = {len(d.embedding) for d in documents if d.embedding is not None}
        if not dims:
            return {}
        dim = dims.pop()
        current_model, current_dim = record.get("embedding_model"), record.get("embedding_dim")
        mismatch = (
            bool(dims)
            or current_model == NO_EMBEDDINGS
            or (current_dim and current_dim != dim)
            or (current_model and model and current_model != model)
        )
        if mismatch:
            raise StoreError(
                "err.embedding_mismatch",
                collection=name,
                expected=f"{current_model} ({current_dim})",
                got=f"{model or '?'} ({dim})",
            )
        self._ensure_index(name, dim)
        return {"embedding_model": current_model or model, "embedding_dim": dim}

    # ---- sources -----------------------------------------------------------------------------------------------
    def sources(self, collection: str) -> list[SourceRecord]:
        """Every source of a collection, by name."""
        self._ensure_registry()
        hits = scan(self.client, index=f"{PREFIX}-sources", query={"query": {"term": {"collection": collection}}})
        rows = self._call(lambda: [h["_source"] for h in hits])
        return sorted(
            (SourceRecord(**{k: v for k, v in r.items() if k != "collection"}) for r in rows), key=lambda r: r.source
        )

    def source(self, collection: str, source: str) -> SourceRecord | None:
        """One source record, or None."""
        self._ensure_registry()
        try:
            hit = self._call(lambda: self.client.get(index=f"{PREFIX}-sources", id=self._source_id(collection, source)))
        except StoreError as e:
            if isinstance(e.__cause__, NotFoundError):
                return None
            raise
        return SourceRecord(**{k: v for k, v in hit["_source"].items() if k != "collection"})

    def replace_source(
        self,
        collection: str,
        record: SourceRecord,
        documents: list[Document],
        embedding_model: str | None = None,
        tokenizer: str | None = None,
    ) -> int:
        """Replace one source's chunks (new written first, old deleted, then the record updated)."""
        changes = self._check_embeddings(collection, documents, embedding_model)
        if tokenizer is not None:
            current = self.tokenizer_name(collection)
            others = self._call(
                lambda: self.client.count(
                    index=chunk_index_name(collection),
                    query={"bool": {"must_not": {"term": {"source": record.source}}}},
                )
            )["count"]
            if current != tokenizer and others:
                raise StoreError("err.tokenizer_mismatch", collection=collection, expected=current, got=tokenizer)
            changes["tokenizer"] = tokenizer
        self._ensure_index(collection, changes.get("embedding_dim"))
        self._bulk_index(collection, documents, source=record.source)
        keep = [d.id for d in documents]
        self._call(
            lambda: self.client.delete_by_query(
                index=chunk_index_name(collection),
                refresh=True,
                query={
                    "bool": {"filter": [{"term": {"source": record.source}}], "must_not": [{"ids": {"values": keep}}]}
                },
            )
        )
        previous = self.source(collection, record.source)
        now = time.time()
        body = {
            **record.__dict__,
            "collection": collection,
            "chunks": len(documents),
            "added": previous.added if previous else now,
            "updated": now,
        }
        self._call(
            lambda: self.client.index(
                index=f"{PREFIX}-sources",
                id=self._source_id(collection, record.source),
                document=body,
                refresh="wait_for",
            )
        )
        self._bump(collection, **changes)
        return len(documents)

    def _bulk_index(self, collection: str, documents: list[Document], source: str | None = None) -> None:
        actions = []
        for doc in documents:
            meta = {k: v for k, v in doc.meta.items() if k not in _RESERVED}
            if TOKENS_META_KEY not in meta:
                meta[TOKENS_META_KEY] = get_tokenizer(self.tokenizer_name(collection)).tokens_string(doc.content or "")
            if source is not None:
                meta["source"] = source
            body = {**meta, "id": doc.id, "content": doc.content}
            if doc.embedding is not None:
                body["embedding"] = [float(x) for x in doc.embedding]
            actions.append(
                {"_op_type": "index", "_index": chunk_index_name(collection), "_id": doc.id, "_source": body}
            )
        if actions:
            self._call(lambda: bulk(self.client, actions, refresh="wait_for"))

    def remove_source(self, collection: str, source: str) -> int:
        """Remove a source and its chunks; returns the chunks removed."""
        self._ensure_registry()
        index = chunk_index_name(collection)
        removed = 0
        if self._call(lambda: self.client.indices.exists(index=index)):
            removed = self._call(
                lambda: self.client.delete_by_query(index=index, refresh=True, query={"term": {"source": source}})
            )["deleted"]
        gone = self._call(
            lambda: self.client.options(ignore_status=404).delete(
                index=f"{PREFIX}-sources", id=self._source_id(collection, source), refresh="wait_for"
            )
        )
        if removed or gone.body.get("result") == "deleted":
            self._bump(collection)
        return removed

    # ---- Haystack protocol operations --------------------------------------------------------------------------
    def count(self, collection: str) -> int:
        """Chunks in a collection."""
        index = chunk_index_name(collection)
        if not self._call(lambda: self.client.indices.exists(index=index)):
            return 0
        return self._call(lambda: self.client.count(index=index))["count"]

    def iter_documents(self, collection: str, with_embedding: bool = True) -> Iterator[Document]:
        """Every chunk (without their vectors when `with_embedding` is False)."""
        index = chunk_index_name(collection)
        if not self._call(lambda: self.client.indices.exists(index=index)):
            return iter(())
        body: dict[str, Any] = {"query": {"match_all": {}}}
        if not with_embedding:
            body["_source"] = {"excludes": ["embedding"]}
        hits = self._call(lambda: list(scan(self.client, index=index, query=body)))
        return (_hit_to_document(h) for h in hits)

    def filter(self, collection: str, filters: dict[str, Any] | None) -> list[Document]:
        """Chunks matching a Haystack filter (Elasticsearch evaluates it)."""
        index = chunk_index_name(collection)
        if self._record(collection) is None or not self._call(lambda: self.client.indices.exists(index=index)):
            return []
        query = {"bool": {"filter": [to_query(filters)]}} if filters else {"match_all": {}}
        hits = self._call(lambda: list(scan(self.client, index=index, query={"query": query})))
        return [_hit_to_document(h) for h in hits]

    def write(
        self,
        collection: str,
        documents: list[Document],
        policy: DuplicatePolicy = DuplicatePolicy.NONE,
        embedding_model: str | None = None,
    ) -> int:
        """Write with a duplicate policy (`NONE` = `FAIL`)."""
        changes = self._check_embeddings(collection, documents, embedding_model)
        ids = [d.id for d in documents]
        existing: set[str] = set()
        if ids and self._call(lambda: self.client.indices.exists(index=chunk_index_name(collection))):
            found = self._call(lambda: self.client.mget(index=chunk_index_name(collection), ids=ids, _source=False))[
                "docs"
            ]
            existing = {d["_id"] for d in found if d.get("found")}
        if policy in (DuplicatePolicy.NONE, DuplicatePolicy.FAIL) and (existing or len(set(ids)) < len(ids)):
            msg = f"IDs already exist in collection '{collection}': {sorted(existing)[:5]}"
            raise DuplicateDocumentError(msg)
        if policy == DuplicatePolicy.SKIP:
            documents = [d for d in documents if d.id not in existing]
        self._bulk_index(collection, documents)
        if documents:
            self._bump(collection, **changes)
        return len(documents)

    def delete(self, collection: str, ids: list[str]) -> None:
        """Delete chunks by id."""
        index = chunk_index_name(collection)
        if ids and self._call(lambda: self.client.indices.exists(index=index)):
            self._call(
                lambda: self.client.delete_by_query(index=index, refresh=True, query={"ids": {"values": list(ids)}})
            )
            self._bump(collection)

    # ---- search --------------------------------------------------------------------------------------------------
    def bm25_search(
        self, collection: str, query_tokens: list[str], top_k: int, filters: dict[str, Any] | None = None
    ) -> list[Document]:
        """BM25 over the stored tokens."""
        if not query_tokens or not self.count(collection):
            return []
        hits = self._call(
            lambda: self.client.search(index=chunk_index_name(collection), **bm25_body(query_tokens, top_k, filters))
        )["hits"]["hits"]
        return [_hit_to_document(h, float(h["_score"])) for h in hits]

    def idf(self, collection: str, tokens: list[str]) -> dict[str, float]:
        """Inverse document frequencies from the index's term statistics (Lucene's formula, as BM25 uses)."""
        distinct = list(dict.fromkeys(tokens))
        if not distinct or not self.count(collection):
            return {}
        index = chunk_index_name(collection)
        n = self._call(lambda: self.client.count(index=index))["count"]
        out = {}
        for token in distinct:
            df = self._call(lambda t=token: self.client.count(index=index, query={"term": {TOKENS_META_KEY: t}}))[
                "count"
            ]
            out[token] = float(np.log1p((n - df + 0.5) / (df + 0.5)))
        return out

    def vector_search(
        self, collection: str, embedding: list[float], top_k: int, filters: dict[str, Any] | None = None
    ) -> list[Document]:
        """kNN cosine search; scores are cosine similarities (ES reports (1 + cos) / 2)."""
        found = self.embedding_of(collection)
        if not found or not found[1]:
            return []
        if len(embedding) != found[1]:
            raise StoreError(
                "err.embedding_mismatch",
                collection=collection,
                expected=f"{found[0]} ({found[1]})",
                got=f"{len(embedding)}",
            )
        hits = self._call(
            lambda: self.client.search(index=chunk_index_name(collection), **knn_body(embedding, top_k, filters))
        )["hits"]["hits"]
        return [_hit_to_document(h, 2.0 * float(h["_score"]) - 1.0) for h in hits]

    # ---- progressive embedding (corpus/backfill.py) ---------------------------------------------------------------
    def defer_embeddings(self, collection: str, model: str, dim: int, reset: bool = False) -> None:
        """Record `model` on a collection whose chunks are written now and embedded later by the background filler
        (as `EmbeddedBackend.defer_embeddings`); the index gets its vector field at once.

        :param reset: switch an existing collection to `model`: its index is rebuilt without vectors (the stored
            tokens kept, so BM25 works throughout) and the filler embeds every chunk again.
        :raises StoreError: when the collection already uses another model (or none) and `reset` is False.
        """
        record = self._ensure_collection(collection)
        if reset:
            self._drop_vectors(collection, dim)
            record = {**record, "embedding_model": None, "embedding_dim": None}
        current = (record.get("embedding_model"), record.get("embedding_dim"))
        if takes_deferred_model(collection, current, model, dim):
            self._ensure_index(collection, dim)
            self._bump(collection, embedding_model=model, embedding_dim=dim)

    def _drop_vectors(self, collection: str, dim: int) -> None:
        """Rebuild the collection's index with every chunk as stored (tokens included) but no vectors."""
        index = chunk_index_name(collection)
        if not self._call(lambda: self.client.indices.exists(index=index)):
            return
        body = {"query": {"match_all": {}}, "_source": {"excludes": ["embedding"]}}
        hits = self._call(lambda: list(scan(self.client, index=index, query=body)))
        actions = [
            {
                "_op_type": "index",
                "_index": index,
                "_id": hit["_id"],
                "_source": {k: v for k, v in hit["_source"].items() if k != "embedding"},
            }
            for hit in hits
        ]
        self._call(lambda: self.client.indices.delete(index=index))
        self._call(
            lambda: self.client.indices.create(index=index, settings=index_settings(), mappings=index_mappings(dim))
        )
        if actions:
            self._call(lambda: bulk(self.client, actions, refresh="wait_for"))

    def unembedded(self, collection: str, limit: int) -> list[Document]:
        """Up to `limit` chunks of the collection that have no vector yet."""
        index = chunk_index_name(collection)
        if not self._call(lambda: self.client.indices.exists(index=index)):
            return []
        hits = self._call(
            lambda: self.client.search(
                index=index,
                size=limit,
                query={"bool": {"must_not": {"exists": {"field": "embedding"}}}},
                source={"excludes": ["embedding", TOKENS_META_KEY]},
            )
        )["hits"]["hits"]
        return [_hit_to_document(h) for h in hits]

    def embedding_progress(self, collection: str) -> tuple[int, int]:
        """`(chunks with a vector, all chunks)` of the collection."""
        index = chunk_index_name(collection)
        if not self._call(lambda: self.client.indices.exists(index=index)):
            return 0, 0
        total = self._call(lambda: self.client.count(index=index))["count"]
        done = self._call(lambda: self.client.count(index=index, query={"exists": {"field": "embedding"}}))["count"]
        return done, total

    def fill_embeddings(self, collection: str, model: str, ids: list[str], vectors: np.ndarray) -> int:
        """Set the vectors of chunks, if the collection still uses `model` with their dimension. A chunk removed
        meanwhile is skipped (its update fails and is not counted); one replaced meanwhile has the same id only if
        it has the same text (ids come from the text), so a vector never lands on other text.

        :returns: the number of chunks filled.
        """
        record = self._record(collection)
        if record is None or record.get("embedding_model") != model or record.get("embedding_dim") != vectors.shape[1]:
            return 0
        index = chunk_index_name(collection)
        actions = [
            {"_op_type": "update", "_index": index, "_id": i, "doc": {"embedding": [float(x) for x in v]}}
            for i, v in zip(ids, vectors, strict=True)
        ]
        filled, _missing = self._call(lambda: bulk(self.client, actions, refresh="wait_for", raise_on_error=False))
        if filled:
            self._bump(collection)
        return int(filled)

    # ---- management ----------------------------------------------------------------------------------------------
    def replace_embeddings(
        self, collection: str, model: str | None, ids: list[str], vectors: np.ndarray | None
    ) -> None:
        """Re-indexing: new embeddings for every chunk (a new index is built, then swapped in)."""
        docs = {d.id: d for d in self.iter_documents(collection)}
        dim = None if vectors is None else int(vectors.shape[1])
        rows = [
            Document(
                id=i,
                content=docs[i].content,
                meta=docs[i].meta,
                embedding=None if vectors is None else vectors[n].tolist(),
            )
            for n, i in enumerate(ids)
            if i in docs
        ]
        index = chunk_index_name(collection)
        self._call(lambda: self.client.indices.delete(index=index))
        self._call(
            lambda: self.client.indices.create(index=index, settings=index_settings(), mappings=index_mappings(dim))
        )
        self._bulk_index(collection, rows)
        self._bump(collection, embedding_model=model if vectors is not None else NO_EMBEDDINGS, embedding_dim=dim)

    def export_source(self, collection: str, source: str | None) -> list[Document]:
        """A source's chunks with their stored tokens and embeddings (for copying to another backend)."""
        query = (
            {"bool": {"must_not": {"exists": {"field": "source"}}}} if source is None else {"term": {"source": source}}
        )
        hits = self._call(lambda: list(scan(self.client, index=chunk_index_name(collection), query={"query": query})))
        out = []
        for hit in hits:
            tokens = hit["_source"].get(TOKENS_META_KEY, "")
            doc = _hit_to_document(hit)
            out.append(
                Document(
                    id=doc.id, content=doc.content, meta={**doc.meta, TOKENS_META_KEY: tokens}, embedding=doc.embedding
                )
            )
        return sorted(out, key=lambda d: d.meta.get("chunk_index", 0))

    def chunk(self, collection: str, chunk_id: str) -> Document | None:
        """One chunk by id."""
        try:
            hit = self._call(
                lambda: self.client.get(
                    index=chunk_index_name(collection), id=chunk_id, source_excludes=["embedding", TOKENS_META_KEY]
                )
            )
        except StoreError as e:
            if isinstance(e.__cause__, NotFoundError):
                return None
            raise
        return _hit_to_document(hit)

    def chunks_of(self, collection: str, source: str) -> list[Document]:
        """The chunks of one source, in document order."""
        hits = self._call(
            lambda: self.client.search(
                index=chunk_index_name(collection),
                size=10_000,
                query={"term": {"source": source}},
                source={"excludes": ["embedding", TOKENS_META_KEY]},
            )
        )["hits"]["hits"]
        return sorted((_hit_to_document(h) for h in hits), key=lambda d: d.meta.get("chunk_index", 0))


class ElasticDocumentStore(CollectionStore):
    """Haystack ``DocumentStore`` over one collection on Elasticsearch (`ELASTICSEARCH_URL`).

    ### Usage example
    ```python
    store = ElasticDocumentStore(collection="samples")
    store.bm25_retrieval("工房 何時", top_k=3)
    ```
    """

    def _open_backend(self) -> ElasticBackend:
        return ElasticBackend.open()

    def to_dict(self) -> dict[str, Any]:
        """Serialise (the collection; the cluster comes from the settings)."""
        return {
            "type": f"{type(self).__module__}.{type(self).__name__}",
            "init_parameters": {"collection": self.collection},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ElasticDocumentStore:
        """Deserialise."""
        return cls(**data.get("init_parameters", {}))
