"""The corpus tab through `gradio_client` (create, upload with per-file status, documents, remove, re-index,
search with scores and tokens, open a chunk, crawl), and its jobs' cancellation."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from apps import corpus as corpus_tab
from apps.context import AppContext
from apps.jobs import Job
from corpus import manage
from corpus.stores import open_store
from tests.apps.html import table_headers, table_rows
from tests.corpus.web.site import LocalSite
from tests.fixtures import write_docx, write_pdf
from tokka.settings import get_settings


def _files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    guide = folder / "案内.md"
    guide.write_text("# 案内\n\n3Dプリンターは前日の午後9時までに予約してください。\n", encoding="utf-8")
    sjis = folder / "お知らせ.txt"
    sjis.write_bytes("お知らせ\n年末年始は十二月二十九日から休館します。\n".encode("cp932"))
    pdf = write_pdf(folder / "会報.pdf", ["会報", "レーザーカッターの講習会を開きました。"])
    docx = write_docx(folder / "規則.docx", "規則", ["はんだごては使い終わったら電源を切ってください。"])
    empty = folder / "空.txt"
    empty.write_bytes(b"")
    return [guide, sjis, pdf, docx, empty]


def test_upload_status_documents_search_and_delete(launch, tmp_path: Path) -> None:
    client = Client(launch(), verbose=False)
    message, name_box = client.predict("会報", "none", api_name="/create_collection")
    assert "会報" in message and name_box == ""
    files = _files(tmp_path / "up")
    status, text = client.predict("会報", [handle_file(str(p)) for p in files], api_name="/add_files")
    assert table_headers(status) == ["ファイル / URL", "形式", "文字数", "チャンク数", "状態・理由", "読み方"]
    rows = {row[0]: row for row in table_rows(status)}
    assert set(rows) == {p.name for p in files}
    for name in ("案内.md", "お知らせ.txt", "会報.pdf", "規則.docx"):
        assert rows[name][4] == "追加" and int(rows[name][2]) > 0 and int(rows[name][3]) >= 1
    assert rows["空.txt"][4].startswith("失敗: ファイルが空です")
    assert "追加 4" in text and "失敗 1" in text and "完了" in text
    uploads = manage.uploads_dir("会報")
    assert sorted(p.name for p in uploads.iterdir()) == [
        "お知らせ.txt",
        "会報.pdf",
        "案内.md",
        "規則.docx",
    ]  # the refused file is not kept

    # Uploading the same file again is a no-op.
    status, _ = client.predict("会報", [handle_file(str(files[0]))], api_name="/add_files")
    assert table_rows(status)[0][4] == "変更なし"
    assert open_store("会報").info().documents == 4

    results, tokens, chunk_pick = client.predict("会報", "年末年始はいつから休館？", "bm25", 3, api_name="/search")
    assert "検索語" in tokens and "年末年始" in tokens
    assert results["headers"][:3] == ["順位", "ファイル / URL", "タイトル"]
    assert results["data"][0][1] == "お知らせ.txt"
    assert results["data"][0][3] != "-" and results["data"][0][5] != "-"  # BM25 and fused scores shown
    chunk_id = chunk_pick["value"] if isinstance(chunk_pick, dict) else chunk_pick  # the picker's update
    view, meta = client.predict("会報", chunk_id, api_name="/open_chunk")
    assert "十二月二十九日" in view and "1 個中 1 番目" in view
    assert meta["id"] == chunk_id and meta["type"] == "txt" and meta["encoding"] == "cp932"
    assert meta["source"] == "お知らせ.txt"  # no server path shown

    source = str(next(s.source for s in open_store("会報").sources() if s.source.endswith("規則.docx")))
    message = client.predict("会報", source, api_name="/remove_document")
    assert "規則.docx" in message
    assert open_store("会報").info().documents == 3 and not (uploads / "規則.docx").exists()

    message, confirmation = client.predict("会報", "かいほう", api_name="/delete_collection")
    assert "そのまま入力" in message and open_store("会報").info() is not None  # the mistyped name keeps it
    message, _ = client.predict("会報", "会報", api_name="/delete_collection")
    assert "削除しました" in message
    assert open_store("会報").info() is None and not uploads.exists()


def test_creating_a_bad_or_existing_collection_is_explained(launch) -> None:
    client = Client(launch(), verbose=False)
    message, _ = client.predict("a/b", "none", api_name="/create_collection")
    assert "使えません" in message
    message, _ = client.predict("samples", "none", api_name="/create_collection")
    assert "すでにあります" in message


def test_reindex_changes_the_embedding_model(launch, tmp_path: Path) -> None:
    client = Client(launch(), verbose=False)
    client.predict("再", "none", api_name="/create_collection")
    client.predict("再", [handle_file(str(p)) for p in _files(tmp_path / "up")[:2]], api_name="/add_files")
    assert not open_store("再").info().has_embeddings  # chosen "none" stays BM25-only
    message = client.predict("再", "offline", api_name="/reindex")
    assert "use-multilingual-v3" in message and "完了" in message
    info = open_store("再").info()
    assert (info.embedding_model, info.embedding_dim) == ("use-multilingual-v3", 512)
    assert all(len(d.embedding) == 512 for d in open_store("再").filter_documents())
    results, tokens, _ = client.predict("再", "休館日", "hybrid", 3, api_name="/search")
    assert "ハイブリッド" in tokens and results["data"][0][4] != "-"  # vector scores now


def test_crawl_in_the_tab(launch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKKA_CRAWL_ALLOW_PRIVATE", "1")
    get_settings.cache_clear()
    client = Client(launch(), verbose=False)
    client.predict("web", "none", api_name="/create_collection")
    with LocalSite(tmp_path / "site") as site:
        table, message = client.predict(
            "web", site.url("/"), False, 1, 20, "", r"\.pdf$", True, False, 0, api_name="/crawl"
        )
    statuses = {row[0]: row[2] for row in table_rows(table)}
    assert statuses[site.url("/")] == "追加" and statuses[site.url("/a.html")] == "追加"
    assert statuses[site.url("/error")].startswith("失敗: ページを取得できません (HTTP 500)")
    assert not any(url.endswith(".pdf") for url in statuses)  # excluded by pattern
    assert "完了" in message


def test_private_addresses_refused_in_the_tab(launch, tmp_path: Path) -> None:
    client = Client(launch(), verbose=False)
    client.predict("web", "none", api_name="/create_collection")
    with LocalSite(tmp_path / "site") as site:
        table, _ = client.predict("web", site.url("/"), False, 1, 20, "", "", True, False, 0, api_name="/crawl")
        assert site.requested == []
    assert "内部ネットワーク" in table_rows(table)[0][2]


class _CancelAfter(Job):
    """A job whose owner presses Cancel once `n` files are done."""

    n = 2

    def publish(self, snapshot=None, progress=None, note=None) -> None:
        super().publish(snapshot, progress, note)
        if snapshot is not None and len(snapshot) >= self.n:
            self.cancel.set()


def test_cancelling_an_upload_stops_between_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = AppContext(lang="ja")
    corpus_tab.create(ctx, "途中", "none")
    cache = tmp_path / "gradio"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(cache))
    files = _files(cache / "uploads")[:4]
    job = _CancelAfter(1, "upload", "collection:途中", "local", "取り込み")
    corpus_tab.upload_work(ctx, "途中", [str(p) for p in files])(job)
    statuses = [r.status for r in job.snapshot]
    assert statuses == ["added", "added", "cancelled", "cancelled"]
    assert open_store("途中").info().documents == 2


def test_cancelling_reindex_stops_early_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = AppContext(lang="ja")
    corpus_tab.create(ctx, "取消", "none")
    from pipelines.ingest import Ingestor

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):
        (folder / f"{i}.txt").write_text(f"文書{i}。工房の講座の案内です。\n" * 3, encoding="utf-8")
    Ingestor("取消").run([folder])
    before = open_store("取消").info()
    batches = []

    import corpus.manage as manage_module

    real = manage_module.embed_texts

    def counting(model: str, texts: list[str], url: object, batch_size: int) -> list[list[float]]:
        batches.append(len(texts))
        return real(model, texts, url, batch_size)

    monkeypatch.setattr(manage_module, "embed_texts", counting)
    job = Job(1, "reindex", "collection:取消", "local", "再インデックス")

    def press_cancel(snapshot=None, progress=None, note=None) -> None:
        Job.publish(job, snapshot, progress, note)
        if batches:
            job.cancel.set()  # after the first batch was embedded

    job.publish = press_cancel  # type: ignore[method-assign]
    manage_module_batch = 4
    for _ in manage.reindex_embeddings("取消", "offline", batch_size=manage_module_batch, cancel=job.cancel):
        job.publish(progress=0.1)
    after = open_store("取消").info()
    assert len(batches) == 1 and before.chunks > manage_module_batch  # it stopped after one batch of several
    assert (after.embedding_model, after.generation) == (before.embedding_model, before.generation)
    assert not any(d.embedding for d in open_store("取消").filter_documents())


def test_switching_to_e5_shows_meaning_search_progress_until_filled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-indexing with e5 returns at once (old vectors dropped, keyword search still works); the collections table
    says 「意味検索の準備 0%」 until the background filler has embedded every chunk."""
    from corpus import backfill
    from pipelines.ingest import Ingestor

    ctx = AppContext(lang="ja")
    corpus_tab.create(ctx, "段階", "offline")
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(f"第{i}回の講座は土曜日の午後に開きます。\n", encoding="utf-8")
    Ingestor("段階").run([folder])
    held: list[int] = []
    real_wake = backfill.Backfill.wake
    monkeypatch.setattr(backfill.Backfill, "wake", lambda _self: held.append(1))
    assert list(manage.reindex_embeddings("段階", "e5"))[-1] == (3, 3)
    info = open_store("段階").info()
    assert (info.embedding_model, info.embedding_dim, held) == ("multilingual-e5-small", 384, [1])
    row = corpus_tab.collections_table(ctx).set_index("名前").loc["段階"]
    assert row["埋め込みモデル"] == "multilingual-e5-small (384) · 意味検索の準備 0%"
    assert open_store("段階").bm25_retrieval(["講座"], 3)  # keywords keep working meanwhile
    monkeypatch.setattr(backfill.Backfill, "wake", real_wake)
    backfill.wake()
    assert backfill.wait_idle(120)
    row = corpus_tab.collections_table(ctx).set_index("名前").loc["段階"]
    assert row["埋め込みモデル"] == "multilingual-e5-small (384)"
    assert all(len(d.embedding) == 384 for d in open_store("段階").filter_documents())
