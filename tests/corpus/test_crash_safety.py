"""Ingestion killed with SIGKILL mid-way leaves a consistent store; running `add` again finishes the rest."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from corpus.stores import open_store
from pipelines.ingest import Ingestor

REPO = Path(__file__).resolve().parents[2]
N_FILES = 30


def _write_files(folder: Path) -> None:
    folder.mkdir()
    paragraph = "工房では毎週土曜日に講座を開いています。参加者は保護めがねを必ずかけてください。" * 40
    for i in range(N_FILES):
        (folder / f"doc{i:02d}.md").write_text(
            f"# 文書{i}\n\n文書番号{i}の本文です。\n\n{paragraph}\n" * 6, encoding="utf-8"
        )


def test_sigkill_mid_ingestion_leaves_a_consistent_store(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "many"
    _write_files(folder)
    env = {**os.environ, "TOKKA_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "corpus", "--lang", "en", "add", str(folder), "--collection", "crash", "--quiet"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    reported: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("+ added"):
            reported.append(line.split()[2])
        if len(reported) == 5:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    # The database opens cleanly and every source is whole: its record's chunk count is what is stored.
    connection = sqlite3.connect(data_dir / "tokka.sqlite3")
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = connection.execute(
        "SELECT s.source, s.chunks, (SELECT COUNT(*) FROM chunks c WHERE c.collection = s.collection "
        "AND c.source = s.source) FROM sources s WHERE s.collection = 'crash'"
    ).fetchall()
    orphans = connection.execute(
        "SELECT COUNT(*) FROM chunks c WHERE collection = 'crash' AND NOT EXISTS "
        "(SELECT 1 FROM sources s WHERE s.collection = c.collection AND s.source = c.source)"
    ).fetchone()[0]
    connection.close()
    assert orphans == 0
    assert all(recorded == stored and stored > 0 for _, recorded, stored in rows)
    done = {Path(source).name for source, _, _ in rows}
    assert set(reported) <= done
    assert len(done) < N_FILES  # it really was interrupted

    # Running add again skips what is complete and finishes the rest.
    summary = Ingestor("crash").run([folder])
    assert summary.counts["unchanged"] == len(done)
    assert summary.counts["added"] == N_FILES - len(done)
    store = open_store("crash")
    assert store.info().documents == N_FILES
    assert sum(s.chunks for s in store.sources()) == store.count_documents()
    hits = store.bm25_retrieval("文書番号29", top_k=3)
    assert hits and hits[0].meta["source"].endswith("doc29.md")
