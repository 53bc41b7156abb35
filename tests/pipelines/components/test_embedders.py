"""Embedder choice and error handling. Ollama is replaced by an HTTP-level fake (our request handling only)."""

from __future__ import annotations

import pytest
from haystack import Document

from corpus.embeddings import choose_embedding_model, ollama_has_model
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
    assert choose_embedding_model("auto", url=CLOSED) == OFFLINE_MODEL  # Ollama down → offline
    with pytest.raises(EmbedderUnavailableError) as info:
        choose_embedding_model("ollama", url=CLOSED)
    assert "ollama pull bge-m3" in info.value.message("ja")
    with serve(FakeOllama(models=["bge-m3:latest"])) as url:
        assert choose_embedding_model("auto", url=url) == "ollama/bge-m3"
    with serve(FakeOllama(models=["llama3:8b"])) as url:
        assert choose_embedding_model("auto", url=url) == OFFLINE_MODEL
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


def test_to_dict_round_trip() -> None:
    embedder = CollectionDocumentEmbedder(collection="x", embedder="offline", batch_size=4)
    data = embedder.to_dict()
    assert data["type"] == "pipelines.components.embedders.CollectionDocumentEmbedder"
    assert data["init_parameters"]["batch_size"] == 4
    again = CollectionDocumentEmbedder.from_dict(data)
    assert (again.collection, again.embedder, again.meta_fields_to_embed) == ("x", "offline", ["title"])
