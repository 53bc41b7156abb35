"""The tone-tuning tab through `gradio_client`: upload examples, check them, tune (loss points stream in), export;
cancel writes a checkpoint and says so; base models are chosen by name, never by server path."""

from __future__ import annotations

from pathlib import Path

import pytest
from gradio_client import Client, handle_file

from apps import tone
from apps.context import AppContext
from apps.jobs import Job
from finetune.tone.bases import hf_models_dir
from tests.finetune.tiny_base import make_base, write_examples


@pytest.fixture
def tiny_base(tmp_path: Path) -> str:
    """A tiny base model in the models folder, offered by name."""
    make_base(tmp_path / "build", hf_models_dir() / "tiny")
    return "tiny"


def _train_args(data: object, base: str, steps: int, detailed: bool = True) -> list[object]:
    # name, data, base, strength, memory, rank, alpha, targets, max_len, epochs, steps, lr, patience, 4-bit, resume,
    # detailed
    return [
        "tab-tone",
        data,
        base,
        "standard",
        "cpu",
        4,
        8,
        ["q_proj", "v_proj"],
        0,
        1,
        steps,
        0.005,
        0,
        True,
        False,
        detailed,
    ]


def test_upload_check_train_export(launch, tmp_path: Path, tiny_base: str) -> None:
    data = write_examples(tmp_path / "examples.jsonl")
    client = Client(launch(), verbose=False)
    preview, notes, template = client.predict(handle_file(str(data)), tiny_base, api_name="/check_data")
    assert len(preview["data"]) == 24 and preview["headers"] == ["システム", "質問", "答え"]
    assert "使える例 24 件" in notes and template.startswith("<s>### 質問")

    job = client.submit(*_train_args(handle_file(str(data)), tiny_base, 6), api_name="/train_tone")
    updates = list(job)
    plot, status = job.result()
    assert len(updates) >= 3
    rows = plot["value"]["data"] if "value" in plot else plot["data"]
    assert {r[2] for r in rows} == {"学習", "検証"} and len([r for r in rows if r[2] == "学習"]) == 6
    assert "完了" in status

    report, modelfile = client.predict("tab-tone", "f16", api_name="/export_tone")
    assert "✓" in report and modelfile.startswith("FROM ./tab-tone.gguf")


def test_a_server_path_is_never_a_base_model(launch, tmp_path: Path) -> None:
    data = write_examples(tmp_path / "examples.jsonl")
    client = Client(launch(), verbose=False)
    answers = set()
    for guess in ("/etc", "../../..", str(tmp_path), str(tmp_path / "missing")):
        preview, notes, template = client.predict(handle_file(str(data)), guess, api_name="/check_data")
        assert "選べません" in notes
        answers.add(notes.replace(guess, "NAME"))
    assert len(answers) == 1  # the same answer whether the path exists or not: nothing is revealed


class _CancelAt(Job):
    """A job whose owner presses Cancel after the third training step."""

    def publish(self, snapshot=None, progress=None, note=None) -> None:
        super().publish(snapshot, progress, note)
        if snapshot is not None and len([p for p in snapshot.points if p[2] == "train"]) >= 3:
            self.cancel.set()


def test_cancel_writes_a_checkpoint_and_says_so(
    tmp_path: Path, tiny_base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "gradio"
    cache.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(cache))
    data = write_examples(cache / "examples.jsonl")
    ctx = AppContext(lang="ja")
    form = tone.ToneForm(*_train_args(str(data), tiny_base, 30))
    form.name = "cancelled"
    job = _CancelAt(1, "tone", "trainer", "local", "味付け")
    tone.tone_work(ctx, tone.config_of(ctx, form))(job)
    status = job.snapshot.status
    assert "中断しました" in status and "data/tone/cancelled/checkpoints/checkpoint-4" in status
    import json

    state = tone.run_folder(ctx, "cancelled") / "checkpoints" / "checkpoint-4" / "trainer_state.json"
    assert json.loads(state.read_text(encoding="utf-8"))["global_step"] == 4  # the step after Cancel was pressed
