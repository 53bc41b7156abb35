"""`python -m corpus` commands, run in-process through `corpus.cli.main`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from corpus.sample_corpus import SAMPLES_DIR
from corpus.stores import open_store
from pipelines.corpus_cli import main
from pipelines.ingest import ensure_sample_collection

REPO = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def test_add_list_search_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "案内.md"
    doc.write_text("# 案内\n\n3Dプリンターは前日の午後9時までに予約してください。\n", encoding="utf-8")
    bad = tmp_path / "空.txt"
    bad.write_bytes(b"")
    code, out = run(capsys, "--lang", "ja", "add", str(doc), str(bad), "--collection", "cli", "-q")
    assert code == 1  # a failure is reported in the exit code
    assert "追加 1 / 更新 0 / 変更なし 0 / 失敗 1" in out
    assert "空です" in out

    code, out = run(capsys, "--lang", "en", "list")
    assert code == 0 and "cli\t1\t1" in out
    code, out = run(capsys, "--lang", "en", "list", "--collection", "cli")
    assert str(doc.resolve()) in out

    code, out = run(capsys, "--lang", "ja", "search", "3Dプリンターの予約は？", "--collection", "cli")
    assert code == 0
    assert "検索語: 3 / d / プリンター / 予約" in out
    assert "1. fused" in out and "BM25" in out and "案内.md" in out
    assert "キーワード検索 (BM25) だけ" in out  # BM25-only collection says so

    code, out = run(capsys, "--lang", "en", "remove", "案内.md", "--collection", "cli")
    assert code == 0 and "Removed" in out
    assert open_store("cli").count_documents() == 0
    code, out = run(capsys, "--lang", "en", "remove", "案内.md")
    assert code == 1 and "is not in collection" in out


def test_search_unknown_collection_explains(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "--lang", "ja", "search", "質問", "--collection", "ない")
    assert code == 2 and "コレクション「ない」はありません" in out


def test_samples_are_indexed_once() -> None:
    assert ensure_sample_collection() is True
    info = open_store("samples").info()
    assert info.documents == len([p for p in SAMPLES_DIR.iterdir() if p.is_file()])
    assert ensure_sample_collection() is False
    hits = open_store("samples").bm25_retrieval("レーザーカッターで加工できない材料", top_k=3)
    assert any("塩化ビニル" in d.content for d in hits)


def test_module_entry_point(tmp_path: Path, data_dir: Path) -> None:
    import os

    env = {**os.environ, "TOKKA_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "corpus", "--lang", "en", "list"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "No collections yet" in result.stdout


def test_add_to_an_e5_collection_says_what_is_pending_and_embed_fills_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpus import backfill
    from tokka.settings import get_settings

    monkeypatch.setenv("TOKKA_EMBEDDER", "e5")
    get_settings.cache_clear()
    monkeypatch.setattr(backfill.Backfill, "wake", lambda _self: None)  # no background thread: the CLI does it
    for i in range(2):
        (tmp_path / f"{i}.md").write_text(f"第{i}回の講座は土曜日の午後に開きます。\n", encoding="utf-8")
    code, out = run(capsys, "--lang", "ja", "add", str(tmp_path), "--collection", "e5cli", "-q")
    assert code == 0
    assert "意味検索の準備: 0/2 チャンク" in out and "python -m corpus embed -c e5cli" in out
    code, out = run(capsys, "--lang", "ja", "embed", "--collection", "e5cli")
    assert code == 0 and "「e5cli」の意味検索の準備はできています" in out
    assert backfill.progress("e5cli") == (2, 2)
    assert all(len(d.embedding) == 384 for d in open_store("e5cli").filter_documents())
    code, out = run(capsys, "--lang", "en", "embed", "--collection", "missing")
    assert code != 0 and "missing" in out
