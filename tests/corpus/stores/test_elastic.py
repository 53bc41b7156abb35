"""The Elasticsearch backend without a server: index settings and mappings, the exact search bodies, and our
handling of errors against an HTTP-level fake (unreachable, 401, read-only cluster, another dimension)."""

from __future__ import annotations

import pytest
from haystack import Document

from corpus.errors import StoreError
from corpus.stores.elastic import (
    ElasticBackend,
    bm25_body,
    chunk_index_name,
    index_mappings,
    index_settings,
    knn_body,
)
from corpus.stores.records import SourceRecord
from tests.fakes import FakeElasticsearch, serve_es
from tokka.settings import get_settings

INFO = {
    "name": "fake",
    "cluster_name": "fake",
    "version": {"number": "8.19.3", "build_flavor": "default"},
    "tagline": "You Know, for Search",
}


@pytest.fixture
def es_at(monkeypatch: pytest.MonkeyPatch):
    def use(url: str) -> ElasticBackend:
        monkeypatch.setenv("ELASTICSEARCH_URL", url)
        get_settings.cache_clear()
        ElasticBackend.close_all()
        return ElasticBackend.open()

    yield use
    ElasticBackend.close_all()


def test_index_settings_and_mappings() -> None:
    assert index_settings() == {
        "number_of_shards": 1,
        "similarity": {"tokka_bm25": {"type": "BM25", "k1": 0.6, "b": 0.5}},
    }
    mappings = index_mappings(512)
    assert mappings["properties"]["bm25_tokens"] == {
        "type": "text",
        "analyzer": "whitespace",
        "similarity": "tokka_bm25",
    }
    assert mappings["properties"]["embedding"] == {
        "type": "dense_vector",
        "dims": 512,
        "index": True,
        "similarity": "cosine",
    }
    assert mappings["properties"]["content"] == {"type": "text", "index": False}  # stored, not searched
    assert mappings["dynamic_templates"][0]["strings"]["mapping"] == {"type": "keyword"}  # metadata as keywords
    assert "embedding" not in index_mappings(None)["properties"]
    assert chunk_index_name("手引き").startswith("tokka-chunks-") and chunk_index_name("手引き").isascii()


def test_search_bodies() -> None:
    assert bm25_body(["東京都", "人口", "人口"], 5) == {
        "query": {
            "bool": {"must": [{"match": {"bm25_tokens": {"query": "東京都 人口", "operator": "or", "fuzziness": "0"}}}]}
        },
        "size": 5,
        "_source": {"excludes": ["embedding", "bm25_tokens"]},
    }
    filtered = bm25_body(["工房"], 3, {"field": "meta.type", "operator": "==", "value": "pdf"})
    assert filtered["query"]["bool"]["filter"] == {"term": {"type": "pdf"}}
    # Words and character bigrams: the bigrams are a second clause on the same field, weighted as the embedded store
    # weighs them (BIGRAM_WEIGHT).
    from corpus.japanese.tokenizer import BIGRAM_WEIGHT, get_tokenizer

    both = bm25_body(get_tokenizer("sudachi+bigram").tokenize("電子レンジ"), 5)["query"]["bool"]
    assert both["should"] == [
        {"match": {"bm25_tokens": {"query": "電子レンジ", "operator": "or", "fuzziness": "0"}}},
        {
            "match": {
                "bm25_tokens": {
                    "query": "₂電子 ₂子レ ₂レン ₂ンジ",
                    "operator": "or",
                    "fuzziness": "0",
                    "boost": BIGRAM_WEIGHT,
                }
            }
        },
    ]
    assert both["minimum_should_match"] == 1 and 0 < BIGRAM_WEIGHT < 1
    assert knn_body([0.1, 0.2], 4) == {
        "knn": {"field": "embedding", "query_vector": [0.1, 0.2], "k": 4, "num_candidates": 100},
        "size": 4,
        "_source": {"excludes": ["embedding", "bm25_tokens"]},
    }


def test_the_requests_we_send_and_scores_we_return(es_at) -> None:
    index = chunk_index_name("c")
    hits = {
        "hits": {
            "hits": [
                {
                    "_id": "d1",
                    "_score": 0.9,
                    "_source": {"id": "d1", "content": "工房の案内", "source": "/a.md", "title": "A"},
                }
            ]
        }
    }

    def routes(method: str, path: str, body: object):
        if path in (f"/{index}", "/tokka-collections", "/tokka-sources") and method == "HEAD":
            return 200, {}
        if path == f"/{index}/_count":
            return 200, {"count": 1}
        if path == "/tokka-collections/_doc/c":
            return 200, {
                "_id": "c",
                "found": True,
                "_source": {"name": "c", "embedding_model": "m", "embedding_dim": 2, "created": 1, "updated": 1},
            }
        if path == f"/{index}/_search":
            return 200, hits
        return None

    fake = FakeElasticsearch(routes)
    with serve_es(fake) as url:
        backend = es_at(url)
        (bm25,) = backend.bm25_search("c", ["工房", "案内"], 5)
        (dense,) = backend.vector_search("c", [0.6, 0.8], 5)
    searches = [body for method, path, body in fake.requests if path.endswith("/_search")]
    assert searches[0] == bm25_body(["工房", "案内"], 5)
    assert searches[1] == knn_body([0.6, 0.8], 5)
    assert bm25.id == "d1" and bm25.score == 0.9 and bm25.meta == {"source": "/a.md", "title": "A"}
    assert dense.score == pytest.approx(0.8)  # ES reports (1 + cos) / 2; we return the cosine


def test_unreachable(es_at) -> None:
    backend = es_at("http://127.0.0.1:9")
    with pytest.raises(StoreError) as info:
        backend.collections()
    assert info.value.code == "err.es_unreachable"
    assert "docker compose ps" in info.value.message("ja")


def test_authentication_failure(es_at) -> None:
    fake = FakeElasticsearch(
        lambda m, p, b: (
            401,
            {"error": {"type": "security_exception", "reason": "missing authentication credentials"}, "status": 401},
        )
    )
    with serve_es(fake) as url:
        with pytest.raises(StoreError) as info:
            es_at(url).collections()
    assert info.value.code == "err.es_auth" and "ELASTIC_API_KEY" in info.value.message("ja")


def _existing_collection(index: str, dims: int | None, bulk_answer: dict | None = None):
    def routes(method: str, path: str, body: object):
        if method == "HEAD" and path in (f"/{index}", "/tokka-collections", "/tokka-sources"):
            return 200, {}
        if path == "/tokka-collections/_doc/c" and method == "GET":
            return 200, {
                "_id": "c",
                "found": True,
                "_source": {"name": "c", "embedding_model": None, "embedding_dim": None, "created": 1, "updated": 1},
            }
        if path == f"/{index}/_mapping":
            props = {"bm25_tokens": {"type": "text"}}
            if dims:
                props["embedding"] = {"type": "dense_vector", "dims": dims}
            return 200, {index: {"mappings": {"properties": props}}}
        if path == "/_bulk" and bulk_answer is not None:
            return 200, bulk_answer
        return None

    return routes


def test_an_index_with_another_dimension_is_refused(es_at) -> None:
    index = chunk_index_name("c")
    fake = FakeElasticsearch(_existing_collection(index, dims=384))
    with serve_es(fake) as url:
        with pytest.raises(StoreError) as info:
            es_at(url).replace_source(
                "c", SourceRecord("/a.md"), [Document(id="x", content="本文", embedding=[0.1] * 512)], "m"
            )
    assert info.value.code == "err.es_dimension" and "384" in info.value.message("en")
    assert not any(path.startswith("/_bulk") for _, path, _ in fake.requests)  # nothing was written


def test_read_only_cluster_is_explained(es_at) -> None:
    index = chunk_index_name("c")
    blocked = {
        "took": 1,
        "errors": True,
        "items": [
            {
                "index": {
                    "_index": index,
                    "_id": "x",
                    "status": 429,
                    "error": {
                        "type": "cluster_block_exception",
                        "reason": f"index [{index}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, "
                        "index has read-only-allow-delete block];",
                    },
                }
            }
        ],
    }
    fake = FakeElasticsearch(_existing_collection(index, dims=None, bulk_answer=blocked))
    with serve_es(fake) as url:
        with pytest.raises(StoreError) as info:
            es_at(url).replace_source("c", SourceRecord("/a.md"), [Document(id="x", content="本文")])
    assert info.value.code == "err.es_read_only"
    assert "ディスク" in info.value.message("ja")
    (bulk,) = [body for _, path, body in fake.requests if path.startswith("/_bulk")]
    assert bulk[0] == {"index": {"_index": index, "_id": "x"}}
    assert bulk[1]["bm25_tokens"] == "本文" and bulk[1]["source"] == "/a.md"  # tokens stored in their own field


def test_open_store_follows_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus.stores import get_backend, open_store
    from corpus.stores.elastic import ElasticDocumentStore
    from corpus.stores.embedded import EmbeddedBackend, EmbeddedDocumentStore

    assert isinstance(open_store("x"), EmbeddedDocumentStore) and isinstance(get_backend(), EmbeddedBackend)
    monkeypatch.setenv("ELASTICSEARCH_URL", "http://127.0.0.1:9")
    get_settings.cache_clear()
    assert isinstance(open_store("x"), ElasticDocumentStore) and isinstance(get_backend(), ElasticBackend)
    assert ElasticDocumentStore.from_dict(open_store("x").to_dict()).collection == "x"
    ElasticBackend.close_all()
