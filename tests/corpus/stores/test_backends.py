"""The retrieval suite on every backend: always on the embedded store, and on Elasticsearch when
`ELASTICSEARCH_URL` points at a live server (otherwise those cases are skipped and reported as skipped)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from corpus.stores import get_backend, open_store
from pipelines.components.retrievers import HybridRetriever
from pipelines.ingest import Ingestor
from tests.conftest import LIVE_ELASTICSEARCH_URL
from tokka.settings import get_settings


def _live(url: str) -> bool:
    if not url:
        return False
    try:
        return httpx.get(url, timeout=3).status_code < 500
    except httpx.HTTPError:
        return False


@pytest.fixture(params=["embedded", pytest.param("elasticsearch", marks=pytest.mark.integration)])
def backend_name(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "elasticsearch":
        if not _live(LIVE_ELASTICSEARCH_URL):
            pytest.skip("ELASTICSEARCH_URL is not set to a live Elasticsearch server")
        monkeypatch.setenv("ELASTICSEARCH_URL", LIVE_ELASTICSEARCH_URL)
        get_settings.cache_clear()
    return request.param


@pytest.fixture
def collection(backend_name: str) -> str:
    name = f"suite-{uuid.uuid4().hex[:8]}"
    yield name
    get_backend().delete_collection(name)


def _docs(folder: Path) -> Path:
    folder.mkdir()
    (folder / "reserve.md").write_text(
        "# 予約\n\n3Dプリンターは使う日の前日の午後9時までに予約してください。\n", encoding="utf-8"
    )
    (folder / "safety.md").write_text("# 安全\n\n電動工具を使うときは保護めがねをかけてください。\n", encoding="utf-8")
    (folder / "hours.md").write_text("# 開館時間\n\n平日は午後4時から午後9時まで開いています。\n", encoding="utf-8")
    return folder


def test_ingest_search_update_remove(collection: str, tmp_path: Path) -> None:
    folder = _docs(tmp_path / "docs")
    assert Ingestor(collection).run([folder]).counts["added"] == 3
    store = open_store(collection)
    assert store.info().documents == 3 and store.count_documents() == 3
    hit = store.bm25_retrieval("保護めがねはいつ？", top_k=1)[0]
    assert hit.meta["source"].endswith("safety.md") and "bm25_tokens" not in hit.meta

    assert Ingestor(collection).run([folder]).counts["unchanged"] == 3
    (folder / "hours.md").write_text("# 開館時間\n\n平日は午後5時から午後9時まで開いています。\n", encoding="utf-8")
    assert Ingestor(collection).run([folder]).counts["updated"] == 1
    assert "午後5時" in store.bm25_retrieval("開館時間", top_k=1)[0].content
    assert store.count_documents() == 3

    assert store.remove_source(str((folder / "reserve.md").resolve())) == 1
    assert store.info().documents == 2
    assert all(not d.meta["source"].endswith("reserve.md") for d in store.bm25_retrieval("予約", top_k=5))


def test_hybrid_retrieval_and_filters(collection: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKKA_EMBEDDER", "offline")
    get_settings.cache_clear()
    Ingestor(collection).run([_docs(tmp_path / "docs")])
    from pipelines.components.embedders import CollectionTextEmbedder

    query = "3Dプリンターの予約はいつまで？"
    embedding = CollectionTextEmbedder(collection=collection).run(text=query)["embedding"]
    out = HybridRetriever(collection=collection, top_k=3).run(query=query, query_embedding=embedding)
    assert out["mode"] == "hybrid"
    assert out["documents"][0].meta["source"].endswith("reserve.md")
    assert {"bm25_score", "vector_score", "fused_score"} <= set(out["documents"][0].meta)
    only_safety = {"field": "meta.title", "operator": "==", "value": "安全"}
    filtered = HybridRetriever(collection=collection, filters=only_safety).run(query=query, query_embedding=embedding)
    assert [d.meta["title"] for d in filtered["documents"]] == ["安全"]
