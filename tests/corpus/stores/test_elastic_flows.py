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
    assert created["settings"]["similarity"]["tokka_bm25"] == {"type": "BM25", "k1": 1.5, "b": 0.75}
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
