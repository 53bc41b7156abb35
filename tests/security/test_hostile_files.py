"""Small hostile files fail alone, quickly, with a clear message, and bounded memory (in the loader worker)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corpus.errors import LoadError
from corpus.sandbox import load_file_isolated
from pipelines.ingest import Ingestor
from tests.security.hostile import docx_bomb, sparse_xlsx
from tokka.settings import get_settings


@pytest.fixture(autouse=True)
def _short_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKKA_LOADER_TIMEOUT", "60")  # a hang guard, not a speed target
    get_settings.cache_clear()


def test_a_sparse_workbook_is_read_by_the_cells_it_has(tmp_path: Path) -> None:
    loaded = load_file_isolated(sparse_xlsx(tmp_path / "疎.xlsx"))
    assert "見出し" in loaded.text and "最後のセル" in loaded.text
    assert len(loaded.text) < 200  # two cells, not a million rows of empty columns


def test_a_docx_that_inflates_to_120_mb_is_refused_before_parsing(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_file_isolated(docx_bomb(tmp_path / "爆弾.docx"))
    assert caught.value.code == "err.archive_too_large"
    assert "展開" in caught.value.message("ja")


def test_a_file_over_the_memory_limit_fails_alone_and_the_next_file_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "大きい表.csv"
    with big.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for i in range(120_000):
            writer.writerow([f"行{i}", "データ" * 10, "備考" * 10, i])
    monkeypatch.setenv("TOKKA_LOADER_MEMORY_MB", "160")
    get_settings.cache_clear()
    with pytest.raises(LoadError) as caught:
        load_file_isolated(big)
    assert caught.value.code in ("err.load_memory", "err.load_crashed")
    monkeypatch.setenv("TOKKA_LOADER_MEMORY_MB", "1536")
    get_settings.cache_clear()
    small = tmp_path / "小さい.txt"
    small.write_text("小さなファイルは読めます。", encoding="utf-8")
    assert "読めます" in load_file_isolated(small).text


def test_a_file_that_takes_too_long_is_stopped_and_the_worker_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = tmp_path / "遅い.csv"
    slow.write_text("\n".join(f"{i},データ{i},備考" for i in range(300_000)), encoding="utf-8")
    monkeypatch.setenv("TOKKA_LOADER_TIMEOUT", "1")
    get_settings.cache_clear()
    with pytest.raises(LoadError) as caught:
        load_file_isolated(slow)
    assert caught.value.code == "err.load_timeout"
    monkeypatch.setenv("TOKKA_LOADER_TIMEOUT", "60")
    get_settings.cache_clear()
    ok = tmp_path / "ok.md"
    ok.write_text("# 見出し\n\n本文です。", encoding="utf-8")
    assert load_file_isolated(ok).title == "見出し"


def test_ingestion_reports_the_bomb_and_keeps_the_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    docx_bomb(folder / "爆弾.docx", inflated_mb=60)
    (folder / "普通.txt").write_text("普通の文書です。工房は午後9時まで開いています。", encoding="utf-8")
    summary = Ingestor("混在").run([folder])
    by_name = {Path(r.source).name: r for r in summary.results}
    assert by_name["普通.txt"].status == "added"
    assert by_name["爆弾.docx"].status == "failed"
    assert by_name["爆弾.docx"].code == "err.archive_too_large"
