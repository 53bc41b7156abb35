"""Asking assistants: a real local model end to end, and our Ollama handling against an HTTP-level fake
(connection refused, missing model, timeout, streamed NDJSON). The fake's text is fixed test data, not a model's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.ingest import ensure_sample_collection
from pipelines.registry import ASSISTANTS_DIR, AssistantRegistry
from pipelines.runner import AssistantRunner
from tests.fakes import FakeOllama, serve
from tokka.settings import get_settings

QUESTION = "レーザーカッターで加工できない材料は何ですか？"


@pytest.fixture
def samples() -> None:
    ensure_sample_collection()


def _runner_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, timeout: int = 5) -> AssistantRunner:
    monkeypatch.setenv("OLLAMA_URL", url)
    monkeypatch.setenv("TOKKA_OLLAMA_TIMEOUT", str(timeout))
    get_settings.cache_clear()
    folder = tmp_path / "assistants"
    folder.mkdir(exist_ok=True)
    (folder / "guide.yaml").write_text(
        (ASSISTANTS_DIR / "school_guide.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return AssistantRunner(AssistantRegistry(folder))


def test_local_gguf_assistant_answers_with_sources(samples: None) -> None:
    pieces: list[str] = []
    result = AssistantRunner().ask("offline_guide", QUESTION, on_token=pieces.append)
    assert result.error == ""
    assert len(pieces) > 3 and result.answer  # real generation, streamed piece by piece
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in result.answer)  # Japanese text
    assert result.sources and any("塩化ビニル" in s["content"] for s in result.sources)
    assert result.prompt[-1]["role"] == "user" and "塩化ビニル" in result.prompt[-1]["text"]
    assert {"retriever", "llm", "total"} <= set(result.timings)


def test_streamed_ndjson_answer_and_the_request_we_send(
    samples: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeOllama(chat_pieces=["テスト", "応答", "です [1][9]。"])
    with serve(fake) as url:
        runner = _runner_with(tmp_path, monkeypatch, url)
        pieces: list[str] = []
        result = runner.ask("guide", QUESTION, on_token=pieces.append)
    assert pieces == ["テスト", "応答", "です [1][9]。"]
    assert result.answer == "テスト応答です [1]。"  # [9] was not retrieved: removed
    assert result.sources[0]["cited"] is True
    (body,) = [b for path, b in fake.requests if path == "/api/chat"]
    assert body["stream"] is True and body["model"] == "gemma3:4b"
    assert body["options"]["num_ctx"] == 8192  # set explicitly so retrieved text is never cut
    assert body["messages"][0]["role"] == "system"
    assert "塩化ビニル" in body["messages"][-1]["content"]


def test_ollama_down_still_shows_the_passages(samples: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = _runner_with(tmp_path, monkeypatch, "http://127.0.0.1:9")
    result = runner.ask("guide", QUESTION, lang="ja")
    assert result.error_code == "err.ollama_down"
    assert "ollama serve" in result.error and "資料は下に表示" in result.error
    assert result.sources and result.prompt


def test_missing_model_says_how_to_pull_it(samples: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve(FakeOllama(chat_mode="missing_model")) as url:
        result = _runner_with(tmp_path, monkeypatch, url).ask("guide", QUESTION, lang="ja")
    assert result.error_code == "err.ollama_no_model"
    assert "ollama pull gemma3:4b" in result.error
    assert result.sources


def test_a_hung_server_times_out(samples: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    with serve(FakeOllama(chat_mode="hang", hang_seconds=6)) as url:
        runner = _runner_with(tmp_path, monkeypatch, url, timeout=1)
        started = time.monotonic()
        result = runner.ask("guide", QUESTION, lang="en")
        elapsed = time.monotonic() - started
    assert result.error_code == "err.ollama_timeout"
    assert "1 seconds" in result.error
    assert elapsed < 4  # never longer than the timeout (plus retrieval)
    assert result.sources


@pytest.mark.integration
@pytest.mark.skipif(bool(os.environ.get("TOKKA_TEST_NO_OLLAMA")), reason="OLLAMA_URL is not set to a live server")
def test_real_ollama_answers(samples: None) -> None:
    result = AssistantRunner().ask("school_guide", "工房は何時まで開いていますか？")
    assert result.error == "", result.error
    assert result.answer and result.sources
