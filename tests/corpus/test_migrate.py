"""Copying collections between backends keeps chunks, tokens, embeddings and source records (no re-embedding).
The copy code is backend-neutral, so it is checked here from one embedded store into another."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.migrate import copy_collections
from corpus.stores.embedded import EmbeddedBackend, EmbeddedDocumentStore
from pipelines.corpus_cli import main
from pipelines.ingest import Ingestor
from tokka.settings import get_settings


def test_copy_keeps_tokens_embeddings_and_records(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOKKA_EMBEDDER", "offline")
    get_settings.cache_clear()
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# 予約\n\n3Dプリンターは前日の午後9時までに予約してください。\n", encoding="utf-8")
    (folder / "b.txt").write_text("保護めがねをかけてください。\n", encoding="utf-8")
    Ingestor("web").run([folder])
    source = EmbeddedBackend.open(get_settings().store_path)
    target = EmbeddedBackend.open(tmp_path / "other" / "tokka.sqlite3")

    copied = copy_collections(source, target)
    assert copied == {"web": 2}
    info = target.collection("web")
    assert (info.embedding_model, info.embedding_dim, info.tokenizer, info.documents) == (
        "use-multilingual-v3",
        512,
        "sudachi+bigram",  # what the default indexing YAML gives a new collection
        2,
    )
    for record in source.sources("web"):
        assert target.source("web", record.source).content_hash == record.content_hash
        before, after = source.export_source("web", record.source), target.export_source("web", record.source)
        assert [d.id for d in before] == [d.id for d in after]
        assert [d.meta["bm25_tokens"] for d in before] == [d.meta["bm25_tokens"] for d in after]
        assert [d.embedding for d in before] == [d.embedding for d in after]  # not re-embedded

    copy = EmbeddedDocumentStore("web", path=str(tmp_path / "other" / "tokka.sqlite3"))
    assert copy.bm25_retrieval("保護めがね", top_k=1)[0].meta["source"].endswith("b.txt")


def test_vectors_still_pending_are_filled_before_copying(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpus import backfill

    monkeypatch.setenv("TOKKA_EMBEDDER", "e5")
    get_settings.cache_clear()
    monkeypatch.setattr(backfill.Backfill, "wake", lambda _self: None)  # the background filler never ran
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "b.txt").write_text("保護めがねをかけてください。\n", encoding="utf-8")
    Ingestor("pending").run([folder])
    source = EmbeddedBackend.open(get_settings().store_path)
    assert backfill.progress("pending", source) == (0, 1)
    target = EmbeddedBackend.open(tmp_path / "other" / "tokka.sqlite3")
    assert copy_collections(source, target) == {"pending": 1}
    assert backfill.progress("pending", source) == (1, 1)
    copied = target.export_source("pending", source.sources("pending")[0].source)
    assert len(copied[0].embedding) == 384 and target.collection("pending").embedding_dim == 384


def test_migrate_needs_a_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "ja", "migrate", "--to", "elasticsearch"]) == 2
    assert "ELASTICSEARCH_URL" in capsys.readouterr().err
