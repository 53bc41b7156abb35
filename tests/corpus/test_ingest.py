"""Ingestion through the indexing pipeline: stable ids, no-op re-adds, updates, removal, cancel, settings changes."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from corpus.files import discover
from corpus.stores import open_store
from pipelines.ingest import Ingestor
from pipelines.loading import INDEXING_DIR

GUIDE = "# 案内\n\n工房は平日の午後4時から開いています。\n\n## 料金\n\n会員は月3000円です。\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / "guide.md").write_text(GUIDE, encoding="utf-8")
    (root / "sub" / "safety.txt").write_text("保護めがねを必ずかけてください。\n", encoding="utf-8")
    (root / "sub" / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)))  # no format we read
    (root / ".hidden.md").write_text("# 隠し\n", encoding="utf-8")
    return root


def test_folder_is_read_recursively(folder: Path) -> None:
    summary = Ingestor("docs").run([folder])
    assert summary.counts["added"] == 2
    skipped = [r for r in summary.results if r.status == "skipped"]
    assert [Path(r.source).name for r in skipped] == ["clip.mp4"]
    sources = sorted(Path(s.source).name for s in open_store("docs").sources())
    assert sources == ["guide.md", "safety.txt"]


def test_re_adding_unchanged_files_is_a_no_op(folder: Path) -> None:
    Ingestor("docs").run([folder])
    store = open_store("docs")
    before = (store.info().generation, sorted(d.id for d in store.filter_documents()))
    summary = Ingestor("docs").run([folder])
    assert summary.counts["unchanged"] == 2 and summary.counts["added"] == 0
    assert (store.info().generation, sorted(d.id for d in store.filter_documents())) == before


def test_chunk_ids_are_stable_across_collections_of_the_same_file(folder: Path) -> None:
    Ingestor("one").run([folder / "guide.md"])
    Ingestor("two").run([folder / "guide.md"])
    one = sorted(d.id for d in open_store("one").filter_documents())
    assert one  # something was indexed (two empty lists would prove nothing)
    assert one == sorted(d.id for d in open_store("two").filter_documents())


def test_a_changed_file_replaces_its_chunks(folder: Path) -> None:
    Ingestor("docs").run([folder])
    store = open_store("docs")
    other = sorted(d.id for d in store.filter_documents() if d.meta["source"].endswith("safety.txt"))
    (folder / "guide.md").write_text(GUIDE.replace("午後4時", "午後5時"), encoding="utf-8")
    summary = Ingestor("docs").run([folder])
    assert summary.counts["updated"] == 1 and summary.counts["unchanged"] == 1
    contents = " ".join(d.content for d in store.filter_documents())
    assert "午後5時" in contents and "午後4時" not in contents
    assert sorted(d.id for d in store.filter_documents() if d.meta["source"].endswith("safety.txt")) == other
    assert store.bm25_retrieval("午後5時", top_k=1)[0].meta["source"].endswith("guide.md")


def test_chunk_metadata(folder: Path) -> None:
    Ingestor("docs").run([folder / "guide.md"])
    docs = open_store("docs").filter_documents()
    meta = docs[0].meta
    assert meta["title"] == "案内" and meta["type"] == "md" and meta["source"].endswith("guide.md")
    assert {"modified", "heading", "chunk_index", "chunk_count", "chars"} <= set(meta)
    assert "bm25_tokens" not in meta


def test_changing_the_pipeline_settings_re_indexes(folder: Path, tmp_path: Path) -> None:
    Ingestor("custom").run([folder])
    store = open_store("custom")
    chunks_before = store.count_documents()
    own = INDEXING_DIR / "custom.yaml"
    try:
        text = (INDEXING_DIR / "default.yaml").read_text(encoding="utf-8")
        own.write_text(
            text.replace("chunk_size: 400", "chunk_size: 20").replace("overlap: 80", "overlap: 0"), encoding="utf-8"
        )
        summary = Ingestor("custom").run([folder])
        assert summary.counts["updated"] == 2
        assert store.count_documents() > chunks_before
        assert all(len(d.content) <= 40 for d in store.filter_documents())
    finally:
        own.unlink(missing_ok=True)


def test_cancel_stops_between_files(folder: Path) -> None:
    for i in range(5):
        shutil.copy(folder / "guide.md", folder / f"copy{i}.md")
    cancel = threading.Event()
    seen: list[str] = []

    def progress(done: int, total: int, result) -> None:
        seen.append(result.status)
        if done == 2:
            cancel.set()

    summary = Ingestor("cancel").run([folder], progress=progress, cancel=cancel)
    assert summary.cancelled
    assert summary.counts["added"] == 2
    assert summary.counts["cancelled"] == 5
    assert open_store("cancel").info().documents == 2


def test_discover_reports_missing_paths(tmp_path: Path) -> None:
    files, early = discover([tmp_path / "nothing-here"])
    assert files == [] and early[0].code == "err.not_found"


def test_bm25_only_collection_when_embedder_is_none(folder: Path) -> None:
    Ingestor("plain").run([folder])
    info = open_store("plain").info()
    assert info.embedding_model is None and info.embedding_dim is None
    assert all(d.embedding is None for d in open_store("plain").filter_documents())


def test_offline_embedder_makes_a_hybrid_collection(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tokka.settings import get_settings

    monkeypatch.setenv("TOKKA_EMBEDDER", "offline")
    get_settings.cache_clear()
    Ingestor("dense").run([folder])
    info = open_store("dense").info()
    assert (info.embedding_model, info.embedding_dim) == ("use-multilingual-v3", 512)
    assert all(len(d.embedding) == 512 for d in open_store("dense").filter_documents())
    # A later change of the setting does not mix models: the collection keeps its own.
    monkeypatch.setenv("TOKKA_EMBEDDER", "none")
    get_settings.cache_clear()
    (folder / "new.md").write_text("# 新着\n\nレーザーカッターの講習があります。\n", encoding="utf-8")
    Ingestor("dense").run([folder])
    assert all(d.embedding is not None for d in open_store("dense").filter_documents())


def test_a_long_file_is_tokenised_by_a_worker_process_with_the_same_tokens(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from corpus.japanese import parallel
    from tokka.settings import get_settings

    long_file = tmp_path / "long" / "handbook.txt"
    long_file.parent.mkdir()
    lines = [
        f"第{i}条 レーザーカッターの予約は{i % 7 + 1}日前までに受付で行い、保護めがねを着けてください。"
        for i in range(900)
    ]
    long_file.write_text("\n".join(lines), encoding="utf-8")
    assert len(long_file.read_text(encoding="utf-8")) > 2 * parallel.MIN_PARALLEL_CHARS

    pool = parallel._Pool()
    monkeypatch.setattr(parallel, "_pool", pool)
    stored = {}
    for workers in ("0", "1"):
        monkeypatch.setenv("TOKKA_TOKENIZE_WORKERS", workers)
        get_settings.cache_clear()
        assert Ingestor(f"w{workers}").run([long_file]).counts["added"] == 1
        with sqlite3.connect(data_dir / "tokka.sqlite3") as conn:
            stored[workers] = conn.execute(
                "SELECT id, tokens FROM chunks WHERE collection = ? ORDER BY id", (f"w{workers}",)
            ).fetchall()
    assert pool._started == 1 and pool._idle[0].answered  # the second run's chunks went through a worker
    pool.close()
    get_settings.cache_clear()
    assert len(stored["1"]) > 50 and stored["0"] == stored["1"]
