"""A hostile file fails alone: while a file keeps its reader busy past the deadline, the app answers a chat
question, and the file is then refused with a clear message (nothing kept)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from corpus import manage
from tests.apps.html import table_rows
from tokka.settings import get_settings


def test_the_app_answers_while_a_file_is_being_refused(launch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A 17 MB table takes its reader a few seconds here; the deadline is one second.
    monkeypatch.setenv("TOKKA_LOADER_TIMEOUT", "1")
    get_settings.cache_clear()
    slow = tmp_path / "重い表.csv"
    slow.write_text("\n".join(f"{i},データ{i},備考{i % 7}" for i in range(600_000)), encoding="utf-8")
    assert slow.stat().st_size < 20 * 2**20  # under the upload limit: only its reading is too slow
    url = launch()
    ctx = launch.contexts[-1]
    uploader, asker = Client(url, verbose=False), Client(url, verbose=False)
    job = uploader.submit("samples", [handle_file(str(slow))], api_name="/add_files")
    deadline = time.monotonic() + 60
    while not ctx.jobs.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ctx.jobs.running(), "the upload job did not start"
    chat, sources, *_ = asker.predict(
        "3Dプリンターは何時までに予約すればいいですか？", "excerpt_guide", api_name="/ask"
    )
    answered_while_busy = bool(ctx.jobs.running())
    answer = chat[-1]["content"] if isinstance(chat[-1]["content"], str) else chat[-1]["content"][0]["text"]
    assert "前日" in answer and "tokka-card" in sources
    assert answered_while_busy  # the chat did not wait for the file
    status, message = job.result(timeout=120)
    (row,) = table_rows(status)
    assert row[0] == "重い表.csv" and row[4].startswith("失敗") and "1 秒" in row[4]
    assert not (manage.uploads_dir("samples") / "重い表.csv").exists()  # the refused file is not kept
