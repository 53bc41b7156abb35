"""The corpus tab through `gradio_client` against the launched app (uploads, status rows, documents, delete,
search with scores and tokens, open a chunk, re-index, crawl), plus its handlers' cancellation."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from apps import corpus as corpus_tab
from apps.context import AppContext
from corpus.stores import open_store
from tests.corpus.web.site import LocalSite
from tests.fixtures import write_docx, write_pdf
from tokka.settings import get_settings


def _files(folder: Path) -> list[Path]:
    folder.mkdir()
    guide = folder / "案内.md"
    guide.write_text("# 案内\n\n3Dプリンターは前日の午後9時までに予約してください。\n", encoding="utf-8")
    sjis = folder / "お知らせ.txt"
    sjis.write_bytes("お知らせ\n年末年始は十二月二十九日から休館します。\n".encode("cp932"))
    pdf = write_pdf(folder / "会報.pdf", ["会報", "レーザーカッターの講習会を開きました。"])
    docx = write_docx(folder / "規則.docx", "規則", ["はんだごては使い終わったら電源を切ってください。"])
    empty = folder / "空.txt"
    empty.write_bytes(b"")
    return [guide, sjis, pdf, docx, empty]


def test_upload_status_documents_search_and_delete(launch, tmp_path: Path) -> None:  # noqa: ANN001
    client = Client(launch(), verbose=False)
    *_, message, _ = client.predict("会報", "none", api_name="/create_collection")
    assert "会報" in message
    files = _files(tmp_path / "up")
    status, text = client.predict("会報", [handle_file(str(p)) for p in files], api_name="/add_files")
    assert status["headers"] == ["ファイル / URL", "形式", "文字数", "チャンク数", "状態・理由", "最終更新"]
    rows = {row[0]: row for row in status["data"]}
    assert set(rows) == {p.name for p in files}
    for name in ("案内.md", "お知らせ.txt", "会報.pdf", "規則.docx"):
        assert rows[name][4] == "追加" and rows[name][2] > 0 and rows[name][3] >= 1
    assert rows["空.txt"][4].startswith("失敗: ファイルが空です")
    assert "追加 4" in text and "失敗 1" in text

    # Uploading the same files again is a no-op.
    status, _ = client.predict("会報", [handle_file(str(files[0]))], api_name="/add_files")
    assert status["data"][0][4] == "変更なし"

    picker, collections, documents, _ = client.predict("会報", api_name="/collections")
    assert ["会報", 4, 4] in [row[:3] for row in collections["data"]]
    assert sorted(r[0] for r in documents["data"]) == ["お知らせ.txt", "会報.pdf", "案内.md", "規則.docx"]

    results, tokens, chunk_pick = client.predict("会報", "年末年始はいつから休館？", "bm25", 3, api_name="/search")
    assert "検索語" in tokens and "年末年始" in tokens
    assert results["data"][0][1] == "お知らせ.txt"
    assert results["data"][0][3] != "-" and results["data"][0][5] != "-"  # BM25 and fused scores shown
    chunk_id = results["data"][0][-1]
    view, meta = client.predict("会報", chunk_id, api_name="/open_chunk")
    assert "十二月二十九日" in view and "1 個中 1 番目" in view
    assert meta["id"] == chunk_id and meta["type"] == "txt" and meta["encoding"] == "cp932"

    source = str(next(s.source for s in open_store("会報").sources() if s.source.endswith("規則.docx")))
    *_, message = client.predict("会報", source, api_name="/remove_document")
    assert "規則.docx" in message
    assert open_store("会報").info().documents == 3

    with pytest.raises(Exception, match="そのまま入力"):
        client.predict("会報", "かいほう", api_name="/delete_collection")
    *_, message, _ = client.predict("会報", "会報", api_name="/delete_collection")
    assert "削除しました" in message
    assert open_store("会報").info() is None


def test_creating_a_bad_or_existing_collection_is_explained(launch) -> None:  # noqa: ANN001
    client = Client(launch(), verbose=False)
    with pytest.raises(Exception, match="使えません"):
        client.predict("a/b", "none", api_name="/create_collection")
    with pytest.raises(Exception, match="すでにあります"):
        client.predict("samples", "none", api_name="/create_collection")


def test_reindex_changes_the_embedding_model(launch, tmp_path: Path) -> None:  # noqa: ANN001
    client = Client(launch(), verbose=False)
    client.predict("再", "none", api_name="/create_collection")
    client.predict("再", [handle_file(str(p)) for p in _files(tmp_path / "up")[:2]], api_name="/add_files")
    assert not open_store("再").info().has_embeddings  # chosen "none" stays BM25-only
    message = client.predict("再", "offline", api_name="/reindex")
    assert "use-multilingual-v3" in message
    info = open_store("再").info()
    assert (info.embedding_model, info.embedding_dim) == ("use-multilingual-v3", 512)
    assert all(len(d.embedding) == 512 for d in open_store("再").filter_documents())
    results, tokens, _ = client.predict("再", "休館日", "hybrid", 3, api_name="/search")
    assert "hybrid" in tokens and results["data"][0][4] != "-"  # vector scores now


def test_crawl_in_the_tab(launch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("TOKKA_CRAWL_ALLOW_PRIVATE", "1")
    get_settings.cache_clear()
    client = Client(launch(), verbose=False)
    client.predict("web", "none", api_name="/create_collection")
    with LocalSite(tmp_path / "site") as site:
        table, message = client.predict(
            "web", site.url("/"), False, 1, 20, "", r"\.pdf$", True, False, 0, api_name="/crawl"
        )
    statuses = {row[0]: row[2] for row in table["data"]}
    assert statuses[site.url("/")] == "追加" and statuses[site.url("/a.html")] == "追加"
    assert statuses[site.url("/error")].startswith("失敗: ページを取得できません (HTTP 500)")
    assert not any(url.endswith(".pdf") for url in statuses)  # excluded by pattern
    assert "完了" in message


def test_private_addresses_refused_in_the_tab(launch, tmp_path: Path) -> None:  # noqa: ANN001
    client = Client(launch(), verbose=False)
    client.predict("web", "none", api_name="/create_collection")
    with LocalSite(tmp_path / "site") as site:
        table, _ = client.predict("web", site.url("/"), False, 1, 20, "", "", True, False, 0, api_name="/crawl")
        assert site.requested == []
    assert "内部ネットワーク" in table["data"][0][2]


def test_cancelling_ingestion_stops_between_files(tmp_path: Path) -> None:
    ctx = AppContext(lang="ja")
    corpus_tab.create(ctx, "途中", "none")
    files = [str(p) for p in _files(tmp_path / "up")[:4]]
    job = corpus_tab.add_files(ctx, "途中", files)
    next(job)
    next(job)
    job.close()  # what Gradio's Cancel does: the generator is closed at its next yield
    assert open_store("途中").info().documents == 2


def test_cancelling_reindex_writes_nothing(tmp_path: Path) -> None:
    ctx = AppContext(lang="ja")
    corpus_tab.create(ctx, "取消", "none")
    list(corpus_tab.add_files(ctx, "取消", [str(p) for p in _files(tmp_path / "up")[:2]]))
    before = open_store("取消").info()
    job = corpus_tab.reindex(ctx, "取消", "offline")
    next(job)
    job.close()
    after = open_store("取消").info()
    assert (after.embedding_model, after.generation) == (before.embedding_model, before.generation)
