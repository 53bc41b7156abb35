"""Embedder choice and error handling. Ollama is replaced by an HTTP-level fake (our request handling only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from corpus import backfill
from corpus.embeddings import E5_MODEL, choose_embedding_model, ollama_has_model
from corpus.errors import EmbedderUnavailableError
from pipelines.components.embedders import (
    OFFLINE_MODEL,
    CollectionDocumentEmbedder,
    CollectionTextEmbedder,
    OfflineTextEmbedder,
)
from tests.fakes import FakeOllama, serve

CLOSED = "http://127.0.0.1:9"


def test_model_names_with_and_without_tags() -> None:
    assert ollama_has_model(["bge-m3:latest"], "bge-m3")
    assert ollama_has_model(["bge-m3:567m"], "bge-m3:567m")
    assert not ollama_has_model(["bge-m3:567m"], "bge-m3")
    assert not ollama_has_model(None, "bge-m3")


def test_choice_by_setting() -> None:
    assert choose_embedding_model("none") is None
    assert choose_embedding_model("offline") == OFFLINE_MODEL
    assert choose_embedding_model("auto", url=CLOSED) == E5_MODEL  # Ollama down → e5, embedded in the background
    with pytest.raises(EmbedderUnavailableError) as info:
        choose_embedding_model("ollama", url=CLOSED)
    assert "ollama pull bge-m3" in info.value.message("ja")
    with serve(FakeOllama(models=["bge-m3:latest"])) as url:
        assert choose_embedding_model("auto", url=url) == "ollama/bge-m3"
    with serve(FakeOllama(models=["llama3:8b"])) as url:
        assert choose_embedding_model("auto", url=url) == E5_MODEL
        with pytest.raises(EmbedderUnavailableError):
            choose_embedding_model("ollama", url=url)


def test_ollama_document_embedding_requests_and_recorded_model() -> None:
    fake = FakeOllama()
    with serve(fake) as url:
        embedder = CollectionDocumentEmbedder(collection="olla", embedder="auto", ollama_url=url)
        out = embedder.run(documents=[Document(content="工房の案内", meta={"title": "案内"})])
    assert out["meta"]["model"] == "ollama/bge-m3"
    assert len(out["documents"][0].embedding) == 8
    embed_calls = [body for path, body in fake.requests if path == "/api/embed"]
    assert embed_calls and embed_calls[0]["model"] == "bge-m3"
    assert "案内" in embed_calls[0]["input"][0] and "工房の案内" in embed_calls[0]["input"][0]  # title + text


def test_ollama_missing_model_during_embedding_is_explained() -> None:
    with serve(FakeOllama(embed_status=404)) as url:
        embedder = CollectionDocumentEmbedder(collection="olla", embedder="auto", ollama_url=url)
        with pytest.raises(EmbedderUnavailableError) as info:
            embedder.run(documents=[Document(content="本文")])
    assert info.value.code == "err.embedder_unavailable"


def test_query_embedding_falls_back_to_bm25_when_ollama_is_down() -> None:
    from corpus.stores.embedded import EmbeddedDocumentStore, SourceRecord

    store = EmbeddedDocumentStore("needs-ollama")
    store.replace_source(SourceRecord("a"), [Document(id="a0", content="本文", embedding=[1.0] * 8)], "ollama/bge-m3")
    out = CollectionTextEmbedder(collection="needs-ollama", ollama_url=CLOSED).run(text="質問")
    assert out["embedding"] is None
    assert "ollama pull bge-m3" in out["meta"]["notice"]


def test_offline_embedder_is_real_and_semantic() -> None:
    embed = OfflineTextEmbedder()
    a = embed.run(text="3Dプリンターの予約方法")["embedding"]
    b = embed.run(text="3Dプリンターを予約するには")["embedding"]
    c = embed.run(text="今日の夕食はカレーです")["embedding"]
    assert len(a) == 512

    def cos(x: list[float], y: list[float]) -> float:
        return sum(p * q for p, q in zip(x, y, strict=True))

    assert cos(a, b) > cos(a, c)


def test_e5_collection_finds_a_paraphrase_with_query_and_passage_prefixes(tmp_path: Path) -> None:
    """A collection made with `e5` records multilingual-e5-small, embeds chunks as passages and questions as
    queries (different vectors for the same text), and ranks the paraphrased answer first on meaning alone."""
    from corpus.embeddings import E5_MODEL, embed_texts
    from corpus.manage import create_collection
    from pipelines.components.retrievers import CollectionEmbeddingRetriever
    from pipelines.ingest import Ingestor

    assert choose_embedding_model("e5") == E5_MODEL
    passage, query = (embed_texts(E5_MODEL, ["工房の開館時間"], query=q)[0] for q in (False, True))
    assert len(passage) == 384 and passage != query
    assert create_collection("e5-docs", "e5").embedding_model == E5_MODEL
    files = []
    for name, text in (
        ("hours.md", "平日は午後四時から午後九時まで開いています。土日は休みです。"),
        ("fees.md", "会費は月三千円で、学生は半額になります。"),
        ("laser.md", "レーザーカッターは安全講習を受けた人だけが使えます。"),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    assert Ingestor("e5-docs").run(files).counts["added"] == 3
    assert backfill.wait_idle(120)  # the vectors are filled in the background
    assert backfill.progress("e5-docs") == (3, 3)
    question = "何時に行けば中に入れますか"  # no word in common with the answer
    vector = CollectionTextEmbedder(collection="e5-docs").run(text=question)["embedding"]
    assert vector == embed_texts(E5_MODEL, [question], query=True)[0]
    ranked = CollectionEmbeddingRetriever(collection="e5-docs").run(query_embedding=vector)["documents"]
    assert ranked[0].meta["source"].endswith("hours.md")


def test_e5_query_threads_are_set_per_call_and_yield_to_the_background_filler() -> None:
    """A query's embedding gets up to QUERY_THREADS OpenMP threads, passages one, and a query made while the
    background filler embeds passages one too; the count is read back from the OpenMP runtime that serves the
    engine, in the thread that made the call (OpenMP keeps it per thread)."""
    import os
    import threading

    from corpus import embeddings
    from corpus.embeddings import E5_MODEL, embed_texts

    seen: dict[str, list[int]] = {}

    def call(label: str, query: bool) -> None:
        embed_texts(E5_MODEL, ["工房の開館時間"], query=query)
        seen[label] = [lib.num_threads for lib in embeddings._e5_openmp()]

    def in_thread(label: str, query: bool) -> None:
        worker = threading.Thread(target=call, args=(label, query))
        worker.start()
        worker.join(timeout=60)

    in_thread("query", True)
    in_thread("passage", False)
    filler = embeddings._BACKGROUND_MODELS[E5_MODEL]
    with filler._lock:  # the filler is embedding a batch of passages
        assert filler.busy and embeddings.query_threads() == 1
        in_thread("query while filling", True)
    assert not filler.busy
    assert embeddings._e5_openmp(), "the engine's OpenMP runtime was not found"
    expected = min(embeddings.QUERY_THREADS, os.cpu_count() or 1)
    assert embeddings.query_threads() == expected
    assert set(seen["query"]) == {expected}
    assert set(seen["passage"]) == {1}
    assert set(seen["query while filling"]) == {1}


def test_e5_chunks_are_searchable_at_once_and_get_their_vectors_in_the_background(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Progressive embedding: a document added to an e5 collection is found by BM25 straight away, without
    vectors; the filler then embeds it (a chunk removed meanwhile is not resurrected) and hybrid search uses them."""
    from corpus.embeddings import E5_MODEL
    from corpus.search import search_collection
    from corpus.stores import get_backend
    from pipelines.ingest import Ingestor

    monkeypatch.setenv("TOKKA_EMBEDDER", "e5")
    from tokka.settings import get_settings

    get_settings.cache_clear()
    texts = {
        "hours.md": "平日は午後四時から午後九時まで開いています。土日は休みです。",
        "fees.md": "会費は月三千円で、学生は半額になります。",
        "laser.md": "レーザーカッターは安全講習を受けた人だけが使えます。",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    woken: list[int] = []
    real_wake = backfill.Backfill.wake
    monkeypatch.setattr(backfill.Backfill, "wake", lambda _self: woken.append(1))  # hold the filler back a moment
    assert Ingestor("prog").run([tmp_path]).counts["added"] == 3
    assert woken  # the writer asked for the vectors
    backend = get_backend()
    assert backend.embedding_of("prog") == (E5_MODEL, 384)
    assert backfill.progress("prog") == (0, 3)
    found = search_collection("prog", "会費はいくら", top_k=3, mode="hybrid")
    assert Path(found.documents[0].meta["source"]).name == "fees.md"  # BM25 works before any vector exists
    assert search_collection("prog", "何時に行けば中に入れますか", mode="vector").documents == []

    laser = next(d for d in backend.unembedded("prog", 10) if "レーザー" in (d.content or ""))
    backend.delete("prog", [laser.id])  # removed while waiting for its vector
    assert backend.fill_embeddings("prog", E5_MODEL, [laser.id], np.zeros((1, 384), np.float32)) == 0
    monkeypatch.setattr(backfill.Backfill, "wake", real_wake)
    backfill.wake()
    assert backfill.wait_idle(120)
    assert backfill.progress("prog") == (2, 2)
    meaning = search_collection("prog", "何時に行けば中に入れますか", mode="vector")
    assert Path(meaning.documents[0].meta["source"]).name == "hours.md"
    assert backfill.Backfill().run_once() is False  # nothing left to do


def test_to_dict_round_trip() -> None:
    embedder = CollectionDocumentEmbedder(collection="x", embedder="offline", batch_size=4)
    data = embedder.to_dict()
    assert data["type"] == "pipelines.components.embedders.CollectionDocumentEmbedder"
    assert data["init_parameters"]["batch_size"] == 4
    again = CollectionDocumentEmbedder.from_dict(data)
    assert (again.collection, again.embedder, again.meta_fields_to_embed) == ("x", "offline", ["title"])
