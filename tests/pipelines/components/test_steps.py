"""The indexing steps one by one: converter, normaliser, splitter, tokeniser."""

from __future__ import annotations

from pathlib import Path

import pytest
from haystack import Document

from pipelines.components.converter import JapaneseFileConverter
from pipelines.components.normalizer import JapaneseNormalizer
from pipelines.components.splitter import JapaneseSentenceSplitter, chunk_id
from pipelines.components.tokenizer import BM25Tokenizer


def test_converter_returns_documents_and_failures(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text("工房の案内です。", encoding="cp932")
    empty = tmp_path / "b.txt"
    empty.write_bytes(b"")
    out = JapaneseFileConverter().run(sources=[str(good), str(empty)])
    assert [d.meta["title"] for d in out["documents"]] == ["工房の案内です。"]
    assert out["documents"][0].meta["encoding"] == "cp932"
    (failure,) = out["failures"]
    assert failure["code"] == "err.empty_file" and failure["source"] == str(empty)
    assert JapaneseFileConverter.from_dict(JapaneseFileConverter(max_file_mb=3).to_dict()).max_file_mb == 3


def test_normalizer_records_length() -> None:
    (doc,) = JapaneseNormalizer().run([Document(content="ＡＢＣ\u3000ｶﾀｶﾅ")])["documents"]
    assert doc.content == "ABC カタカナ" and doc.meta["chars"] == 8


def test_splitter_gives_stable_ids_and_chunk_metadata() -> None:
    doc = Document(content="# 見出し\n\n" + "本文の文です。" * 40, meta={"source": "/x.md", "title": "X"})
    first = JapaneseSentenceSplitter(chunk_size=100, overlap=20).run([doc])["documents"]
    second = JapaneseSentenceSplitter(chunk_size=100, overlap=20).run([doc])["documents"]
    assert [d.id for d in first] == [d.id for d in second]
    assert first[0].id == chunk_id("/x.md", 0, first[0].content)
    assert first[0].meta["heading"] == "見出し"
    assert [d.meta["chunk_index"] for d in first] == list(range(len(first)))
    assert {d.meta["chunk_count"] for d in first} == {len(first)}
    assert all(d.meta["title"] == "X" for d in first)
    with pytest.raises(ValueError, match="chunk_size"):
        JapaneseSentenceSplitter(chunk_size=10, overlap=10)


def test_tokenizer_adds_title_and_heading_terms() -> None:
    doc = Document(content="予約してください。", meta={"title": "3Dプリンター", "heading": "利用方法"})
    out = BM25Tokenizer().run([doc])
    tokens = out["documents"][0].meta["bm25_tokens"].split()
    assert {"プリンター", "利用方法", "予約"} <= set(tokens)
    assert out["tokenizer"] == "sudachi"
    assert BM25Tokenizer(fields=[]).run([doc])["documents"][0].meta["bm25_tokens"].split() == ["予約", "為る", "下さる"]


def test_auto_tokenizer_gives_new_collections_bigrams_and_keeps_existing_ones(data_dir: Path) -> None:
    from corpus.stores.embedded import EmbeddedDocumentStore, SourceRecord

    doc = Document(content="電子レンジの予約。", meta={"source": "a"})
    fresh = BM25Tokenizer(tokenizer="auto", collection="new").run([doc])
    assert fresh["tokenizer"] == "sudachi+bigram" and "₂レン" in fresh["documents"][0].meta["bm25_tokens"]

    old = EmbeddedDocumentStore("old")
    old.replace_source(
        SourceRecord("a"), BM25Tokenizer(tokenizer="sudachi").run([doc])["documents"], tokenizer="sudachi"
    )
    again = BM25Tokenizer(tokenizer="auto", collection="old").run([doc])
    assert again["tokenizer"] == "sudachi" and "₂" not in again["documents"][0].meta["bm25_tokens"]
    old.replace_source(SourceRecord("b"), again["documents"], tokenizer=again["tokenizer"])  # no mismatch error
    with pytest.raises(ValueError, match="collection"):
        BM25Tokenizer(tokenizer="auto")
