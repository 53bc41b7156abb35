"""The tone-tuning tab through `gradio_client`: upload examples, check them, tune (loss points stream in), export;
and cancel through the handler writes a checkpoint."""

from __future__ import annotations

from pathlib import Path

from gradio_client import Client, handle_file

from apps import tone
from apps.context import AppContext
from tests.finetune.tiny_base import make_base, write_examples


def test_upload_check_train_export(launch, tmp_path: Path) -> None:  # noqa: ANN001
    base = make_base(tmp_path / "tiny")
    data = write_examples(tmp_path / "examples.jsonl")
    client = Client(launch(), verbose=False)
    preview, notes, template = client.predict(handle_file(str(data)), str(base), api_name="/check_data")
    assert len(preview["data"]) == 24 and preview["headers"] == ["system", "question", "reply"]
    assert "使える例 24 件" in notes and template.startswith("### 質問")

    job = client.submit(
        "tab-tone",
        handle_file(str(data)),
        str(base),
        "cpu",
        4,
        8,
        ["q_proj", "v_proj"],
        0,
        1,
        6,
        0.005,
        0,
        True,
        False,
        api_name="/train_tone",
    )
    updates = list(job)
    plot, status = job.result()
    assert len(updates) >= 6
    rows = plot["value"]["data"] if "value" in plot else plot["data"]
    assert {r[2] for r in rows} == {"train", "validation"} and len([r for r in rows if r[2] == "train"]) == 6
    assert "完了" in status

    report, modelfile = client.predict("tab-tone", "f16", api_name="/export_tone")
    assert report.startswith("✓") and modelfile.startswith("FROM ./tab-tone.gguf")


def test_cancel_writes_a_checkpoint(tmp_path: Path) -> None:
    base = make_base(tmp_path / "tiny")
    data = write_examples(tmp_path / "examples.jsonl")
    ctx = AppContext(lang="ja")
    job = tone.start(ctx, "cancelled", str(data), str(base), "cpu", 4, 8, ["q_proj"], 0, 1, 30, 0.001, 0, True, False)
    for _ in range(4):
        next(job)
    job.close()
    import torch

    state = torch.load(tone.run_folder(ctx, "cancelled") / "checkpoint" / "trainer_state.pt", weights_only=False)
    assert state["step"] == 3
