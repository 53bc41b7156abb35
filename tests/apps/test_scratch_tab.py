"""The from-scratch tab through `gradio_client`: train a few steps (loss points and samples stream in), see the
tokenizer's pieces, export to GGUF with the llama.cpp check, continue a text; and cancel writes a checkpoint."""

from __future__ import annotations

from gradio_client import Client

from apps import scratch
from apps.context import AppContext


def test_train_export_generate(launch) -> None:  # noqa: ANN001
    client = Client(launch(), verbose=False)
    job = client.submit("samples", "cpu-tiny", 6, 2, False, api_name="/train_scratch")
    updates = list(job)
    plot, samples, status = job.result()
    assert len(updates) >= 6  # the plot grew step by step
    series = {row[2] for row in plot["value"]["data"]} if "value" in plot else {row[2] for row in plot["data"]}
    assert {"train", "validation"} <= series
    assert samples.startswith("**6**") and "完了" in status

    pieces = client.predict(
        "samples", "cpu-tiny", "モノづくり塾では3Dプリンターの使い方を学べます。", api_name="/tokenize"
    )
    assert "トークン:" in pieces and "|" in pieces

    report, modelfile = client.predict("samples", "cpu-tiny", "tab-model", "f32", api_name="/export_scratch")
    assert report.startswith("✓") and "トークン化が一致" in report
    assert modelfile.startswith("FROM ./tab-model.gguf")
    text = client.predict("tab-model", "モノづくり塾は", 16, api_name="/generate_scratch")
    assert text.startswith("モノづくり塾は") and len(text) > len("モノづくり塾は")


def test_cancel_keeps_a_checkpoint_to_resume() -> None:
    from pipelines.ingest import ensure_sample_collection

    ensure_sample_collection()
    ctx = AppContext(lang="ja")
    job = scratch.start_training(ctx, "samples", "cpu-tiny", 50, 2, False)
    for _ in range(4):  # start, then three steps
        next(job)
    job.close()  # Gradio's Cancel closes the generator
    folder = scratch.run_dir(ctx, "samples", "cpu-tiny")
    import torch

    assert torch.load(folder / "checkpoint.pt", weights_only=False)["step"] == 3
    resumed = scratch.start_training(ctx, "samples", "cpu-tiny", 5, 2, True)
    *_, (plot, samples, status) = list(resumed)
    assert "完了" in status and plot["step"].min() == 4
