"""Our Elasticsearch backend's whole request flow (create, ingest, search, remove, migrate, delete) against an
in-memory HTTP stand-in. This checks what we send and how we read the answers; how a real cluster *ranks* is
covered by the backend suite when `ELASTICSEARCH_URL` points at a live server."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.search import bm25_search
from corpus.stores import get_backend, open_store
from corpus.stores.elastic import chunk_index_name, index_mappings
from pipelines.corpus_cli import main
from pipelines.ingest import Ingestor
from tests.fake_elasticsearch import fake_cluster
from tokka.settings import get_settings


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch):
    with fake_cluster() as (url, fake):
        monkeypatch.setenv("ELASTICSEARCH_URL", url)
        get_settings.cache_clear()
        yield fake


def _files(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.md").write_text("# 予約\n\n3Dプリンターは前日の午後9時までに予約してください。\n", encoding="utf-8")
    (folder / "b.md").write_text("# 安全\n\n保護めがねをかけてください。\n", encoding="utf-8")
    return folder


def test_ingest_search_remove_delete(cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKKA_EMBEDDER", "offline")
    get_settings.cache_clear()
    folder = _files(tmp_path / "docs")
    summary = Ingestor("手引き").run([folder])
    assert summary.counts["added"] == 2, [r.reason("en") for r in summary.results]
    index = chunk_index_name("手引き")
    created = next(body for method, path, body in cluster.requests if method == "PUT" and path == f"/{index}")
    assert created["settings"]["similarity"]["tokka_bm25"] == {"type": "BM25", "k1": 0.6, "b": 0.5}
    # The first write had 512-d embeddings: the vector field was added with that dimension.
    assert (
        cluster.indices[index]["mappings"]["properties"]["embedding"] == index_mappings(512)["properties"]["embedding"]
    )
    stored = next(iter(cluster.indices[index]["docs"].values()))
    assert stored["bm25_tokens"] and len(stored["embedding"]) == 512 and stored["source"].endswith(".md")

    info = open_store("手引き").info()
    assert (info.documents, info.chunks, info.embedding_model, info.embedding_dim) == (2, 2, "use-multilingual-v3", 512)
    assert Ingestor("手引き").run([folder]).counts["unchanged"] == 2  # source records with hashes work
    hits = open_store("手引き").bm25_retrieval("保護めがね", top_k=1)
    assert hits and hits[0].meta["source"].endswith("b.md") and "bm25_tokens" not in hits[0].meta
    # A katakana word's other spellings go to the cluster as words of the query, as the embedded store searches them.
    bm25_search("手引き", "ブラザビルのプリンター", 1)
    searched = [body for method, path, body in cluster.requests if path.endswith("/_search")][-1]
    words = searched["query"]["bool"]["should"][0]["match"]["bm25_tokens"]["query"].split()
    assert {"ブラザビル", "ブラザヴィル", "プリンター", "プリンタ"} <= set(words)
    dense = open_store("手引き").embedding_retrieval([0.1] * 512, top_k=2)
    assert len(dense) == 2 and -1.0 <= dense[0].score <= 1.0
    only_a = {"field": "meta.title", "operator": "==", "value": "予約"}
    assert [d.meta["title"] for d in open_store("手引き").filter_documents(only_a)] == ["予約"]

    assert open_store("手引き").remove_source(str((folder / "a.md").resolve())) == 1
    assert [s.source.rsplit("/", 1)[-1] for s in open_store("手引き").sources()] == ["b.md"]
    get_backend().delete_collection("手引き")
    assert index not in cluster.indices and open_store("手引き").info() is None


def test_migrate_from_the_embedded_store(
    cluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import os

    url = os.environ["ELASTICSEARCH_URL"]
    monkeypatch.delenv("ELASTICSEARCH_URL")
    get_settings.cache_clear()
    Ingestor("web").run([_files(tmp_path / "docs")])  # into the embedded store
    tokens = sorted(
        d.meta["bm25_tokens"]
        for d in open_store("web").backend.export_source("web", open_store("web").sources()[0].source)
    )
    monkeypatch.setenv("ELASTICSEARCH_URL", url)
    get_settings.cache_clear()
    assert main(["--lang", "en", "migrate", "--to", "elasticsearch"]) == 0
    assert "no re-embedding" in capsys.readouterr().out
    index = chunk_index_name("web")
    assert len(cluster.indices[index]["docs"]) == 2
    migrated = sorted(d["bm25_tokens"] for d in cluster.indices[index]["docs"].values())
    assert tokens[0] in migrated  # tokens copied as stored
    assert open_store("web").info().documents == 2


def test_an_e5_collection_is_searchable_at_once_and_its_vectors_are_filled_in_the_background(
    cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Progressive embedding on Elasticsearch: the chunks are indexed without vectors (BM25 finds them at once), the
    filler finds them with an `exists` query, embeds them with the real e5 model and sends partial updates; a chunk
    removed meanwhile is skipped; switching the model back on rebuilds the index without vectors, tokens kept."""
    import numpy as np

    from corpus import backfill
    from corpus.embeddings import E5_MODEL, embed_texts

    monkeypatch.setenv("TOKKA_EMBEDDER", "e5")
    get_settings.cache_clear()
    summary = Ingestor("進行").run([_files(tmp_path / "docs")])
    assert summary.counts["added"] == 2, [r.reason("en") for r in summary.results]
    index = chunk_index_name("進行")
    written = [
        line for method, path, body in cluster.requests if path == "/_bulk" for line in body[1::2] if "content" in line
    ]
    assert len(written) == 2 and not any("embedding" in line for line in written)  # no vector at write time
    assert cluster.indices[index]["mappings"]["properties"]["embedding"]["dims"] == 384  # the field exists already
    hits = open_store("進行").bm25_retrieval("保護めがね", top_k=1)
    assert hits and hits[0].meta["source"].endswith("b.md")

    assert backfill.wait_idle(120)
    backend = get_backend()
    assert backend.embedding_of("進行") == (E5_MODEL, 384)
    assert backend.embedding_progress("進行") == (2, 2)
    assert backfill.progress("進行") == (2, 2)
    updates = [
        line for method, path, body in cluster.requests if path == "/_bulk" for line in body[::2] if "update" in line
    ]
    assert len(updates) == 2
    query = embed_texts(E5_MODEL, ["目を守る道具"], query=True)[0]
    assert open_store("進行").embedding_retrieval(query, top_k=1)[0].meta["source"].endswith("b.md")

    assert backend.fill_embeddings("進行", E5_MODEL, ["removed-meanwhile"], np.zeros((1, 384), np.float32)) == 0
    assert backend.fill_embeddings("進行", "another-model", [hits[0].id], np.zeros((1, 384), np.float32)) == 0

    before = sorted(d["bm25_tokens"] for d in cluster.indices[index]["docs"].values())
    backend.defer_embeddings("進行", E5_MODEL, 384, reset=True)
    assert backend.embedding_progress("進行") == (0, 2)
    assert sorted(d["bm25_tokens"] for d in cluster.indices[index]["docs"].values()) == before
    assert open_store("進行").bm25_retrieval("保護めがね", top_k=1)[0].meta["source"].endswith("b.md")
    assert [d.id for d in backend.unembedded("進行", 8)] and len(backend.unembedded("進行", 1)) == 1
    assert list(backfill.fill_now("進行"))[-1] == (2, 2)
