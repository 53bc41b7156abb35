"""A launched app on 127.0.0.1 for the UI tests (the real launcher code path, in-process)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.registry import ASSISTANTS_DIR
from tokka.settings import get_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def quick_assistants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped assistants, with the local one answering in a few tokens (fast enough for many sessions)."""
    folder = tmp_path / "assistants"
    folder.mkdir()
    for path in ASSISTANTS_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.stem == "offline_guide":
            text = text.replace("max_tokens: 160", "max_tokens: 24")
        (folder / path.name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("TOKKA_ASSISTANTS_DIR", str(folder))
    return folder


@pytest.fixture
def launch(monkeypatch: pytest.MonkeyPatch, quick_assistants: Path, tmp_path: Path) -> Iterator:
    """`launch(auth=None)` starts the app and returns its URL; everything is closed after the test."""
    from apps.app import launch_options
    from apps.launcher import prepare

    monkeypatch.setenv("TOKKA_EMBEDDER", "offline")
    monkeypatch.setenv(
        "GRADIO_TEMP_DIR", str(tmp_path / "gradio")
    )  # each app's own upload cache  # a hybrid sample collection, as on a laptop without Ollama
    get_settings.cache_clear()
    started = []
    contexts: list = []

    def start(auth: list[tuple[str, str]] | None = None, lang: str = "ja", admins: frozenset[str] = frozenset()) -> str:
        demo, ctx = prepare(lang, auth_enabled=bool(auth), admins=admins)
        port = free_port()
        demo.queue(default_concurrency_limit=8).launch(
            server_name="127.0.0.1",
            server_port=port,
            prevent_thread_lock=True,
            quiet=True,
            auth=auth,
            **launch_options(ctx),
        )
        started.append((demo, ctx))
        contexts.append(ctx)
        return f"http://127.0.0.1:{port}/"

    start.contexts = contexts  # type: ignore[attr-defined] - tests reach the app's context (jobs) through this
    yield start
    for demo, ctx in started:
        ctx.jobs.wait_all(60)
        demo.close()
