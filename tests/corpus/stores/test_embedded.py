"""The embedded store beyond the Haystack protocol: collections, sources, search, persistence, concurrency."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from corpus.errors import StoreError
from corpus.stores.embedded import EmbeddedBackend, EmbeddedDocumentStore, SourceRecord

REPO = Path(__file__).resolve().parents[3]


def _chunks(source: str, texts: list[str], dim: int | None = None) -> list[Document]:
    rng = np.random.default_rng(len(source))
    return [
        Document(
            id=f"{source}-{i}",
            content=text,
            meta={"source": source, "title": source},
            embedding=rng.random(dim).tolist() if dim else None,
        )
        for i, text in enumerate(texts)
    ]


def test_collections_record_model_and_counts(data_dir: Path) -> None:
    store = EmbeddedDocumentStore("手引き")
    assert store.info() is None
    store.replace_source(SourceRecord("a.md", title="A"), _chunks("a.md", ["一つ目。", "二つ目。"], dim=4), "m1")
    info = store.info()
    assert (info.name, info.embedding_model, info.embedding_dim, info.documents, info.chunks) == (
        "手引き",
        "m1",
        4,
        1,
        2,
    )
    backend = store.backend
    assert [c.name for c in backend.collections()] == ["手引き"]
    backend.delete_collection("手引き")
    assert backend.collection("手引き") is None
    assert store.count_documents() == 0


def test_mixing_embedding_models_or_dimensions_is_refused() -> None:
    store = EmbeddedDocumentStore("mix")
    store.replace_source(SourceRecord("a"), _chunks("a", ["文。"], dim=4), "model-a")
    with pytest.raises(StoreError) as info:
        store.replace_source(SourceRecord("b"), _chunks("b", ["文。"], dim=4), "model-b")
    assert info.value.code == "err.embedding_mismatch"
    assert "model-a" in info.value.message("ja") and "再インデックス" in info.value.message("ja")
    with pytest.raises(StoreError):
        store.write_documents(_chunks("c", ["文。"], dim=8))
    with pytest.raises(StoreError):
        store.embedding_retrieval([0.1] * 8)
    assert store.count_documents() == 1


def test_tokenizers_are_not_mixed() -> None:
    store = EmbeddedDocumentStore("tok")
    store.replace_source(SourceRecord("a"), _chunks("a", ["文。"]), tokenizer="sudachi")
    with pytest.raises(StoreError) as info:
        store.replace_source(SourceRecord("b"), _chunks("b", ["文。"]), tokenizer="char-bigram")
    assert info.value.code == "err.tokenizer_mismatch"
    # Replacing the only source with another tokenizer is allowed: nothing would be mixed.
    store.replace_source(SourceRecord("a"), _chunks("a", ["文。"]), tokenizer="char-bigram")
    assert store.info().tokenizer == "char-bigram"


def test_replace_source_is_atomic(monkeypatch: pytest.MonkeyPatch) -> None:
    store = EmbeddedDocumentStore("atomic")
    store.replace_source(SourceRecord("a", content_hash="1"), _chunks("a", ["古い一。", "古い二。"]))
    bad = _chunks("a", ["新しい一。", "新しい二。"])
    monkeypatch.setattr("corpus.stores.embedded.json.dumps", _failing_dumps(after=1))
    with pytest.raises(RuntimeError):
        store.replace_source(SourceRecord("a", content_hash="2"), bad)
    monkeypatch.undo()
    assert sorted(d.content for d in store.filter_documents()) == ["古い一。", "古い二。"]
    assert store.source("a").content_hash == "1"


def _failing_dumps(after: int):
    import json

    calls = {"n": 0}
    real = json.dumps

    def dumps(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > after:
            raise RuntimeError("disk full (simulated)")
        return real(*args, **kwargs)

    return dumps


def test_remove_source_removes_its_chunks_only() -> None:
    store = EmbeddedDocumentStore("rm")
    store.replace_source(SourceRecord("a"), _chunks("a", ["工房の案内。", "料金の案内。"]))
    store.replace_source(SourceRecord("b"), _chunks("b", ["安全の手引き。"]))
    assert store.remove_source("a") == 2
    assert [d.meta["source"] for d in store.filter_documents()] == ["b"]
    assert [s.source for s in store.sources()] == ["b"]
    assert store.bm25_retrieval("案内") == []
    assert store.remove_source("nothing") == 0


def test_search_returns_scores_and_metadata() -> None:
    store = EmbeddedDocumentStore("search")
    docs = _chunks("guide.md", ["工房は平日の午後4時から開いています。", "3Dプリンターは予約が必要です。"], dim=3)
    store.replace_source(SourceRecord("guide.md"), docs, "m")
    (hit,) = store.bm25_retrieval("3Dプリンターの予約", top_k=1)
    assert hit.content.startswith("3Dプリンター") and hit.score > 0 and hit.meta["source"] == "guide.md"
    assert hit.embedding is None  # not returned from search
    dense = store.embedding_retrieval(docs[0].embedding, top_k=2)
    assert dense[0].id == docs[0].id and dense[0].score == pytest.approx(1.0, abs=1e-5)


def test_filters_apply_to_search() -> None:
    store = EmbeddedDocumentStore("filtered")
    store.replace_source(SourceRecord("a"), _chunks("a", ["工房の案内。"], dim=3), "m")
    store.replace_source(SourceRecord("b"), _chunks("b", ["工房の料金。"], dim=3), "m")
    only_b = {"field": "meta.source", "operator": "==", "value": "b"}
    assert [d.meta["source"] for d in store.bm25_retrieval("工房", filters=only_b)] == ["b"]
    assert [d.meta["source"] for d in store.embedding_retrieval([1, 1, 1], filters=only_b)] == ["b"]


def test_store_persists_and_uses_its_index_cache(data_dir: Path) -> None:
    store = EmbeddedDocumentStore("persist")
    store.replace_source(SourceRecord("a"), _chunks("a", ["保護めがねをかけてください。"], dim=3), "m")
    first = store.bm25_retrieval("保護めがね")
    cache = list((data_dir / "index").rglob("bm25.npz"))
    assert len(cache) == 1
    # once saved, the index in use reads its postings and vectors from the cache files (the build's copies freed)
    main = EmbeddedBackend.open(data_dir / "tokka.sqlite3").search_index("persist").main
    assert isinstance(main.bm25.data, np.memmap) and isinstance(main.vectors.matrix, np.memmap)
    EmbeddedBackend.close_all()
    again = EmbeddedDocumentStore("persist")
    assert [d.id for d in again.bm25_retrieval("保護めがね")] == [d.id for d in first]
    assert again.info().embedding_model == "m"


def test_a_write_from_another_process_is_seen(data_dir: Path) -> None:
    store = EmbeddedDocumentStore("shared")
    store.replace_source(SourceRecord("a"), _chunks("a", ["工房の案内。"]))
    assert len(store.bm25_retrieval("工房")) == 1
    code = (
        "from haystack import Document\n"
        "from corpus.stores.embedded import EmbeddedDocumentStore, SourceRecord\n"
        "s = EmbeddedDocumentStore('shared')\n"
        "s.replace_source(SourceRecord('b'), [Document(id='b0', content='工房の料金。', meta={'source': 'b'})])\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, env=_env(data_dir))
    assert sorted(d.meta["source"] for d in store.bm25_retrieval("工房")) == ["a", "b"]


def _env(data_dir: Path) -> dict[str, str]:
    import os

    return {**os.environ, "TOKKA_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}


def test_concurrent_writes_and_searches() -> None:
    store = EmbeddedDocumentStore("threads")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                source = f"w{n}-{i}"
                store.replace_source(SourceRecord(source), _chunks(source, [f"工房の文書{n}の{i}番目。"]))
        except BaseException as e:
            errors.append(e)

    def reader() -> None:
        try:
            for _ in range(30):
                store.bm25_retrieval("工房 文書", top_k=5)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)] + [threading.Thread(target=reader)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert store.count_documents() == 30
    assert len(store.bm25_retrieval("工房", top_k=50)) == 30


def test_invalid_collection_names() -> None:
    for name in ["", "a/b", "x" * 65, "../etc"]:
        with pytest.raises(StoreError) as info:
            EmbeddedDocumentStore(name)
        assert info.value.code == "err.invalid_name"


def test_to_dict_round_trip() -> None:
    store = EmbeddedDocumentStore("samples", path="/tmp/x.sqlite3")
    data = store.to_dict()
    assert data == {
        "type": "corpus.stores.embedded.EmbeddedDocumentStore",
        "init_parameters": {"collection": "samples", "path": "/tmp/x.sqlite3"},
    }
    again = EmbeddedDocumentStore.from_dict(data)
    assert (again.collection, again.path) == ("samples", "/tmp/x.sqlite3")
