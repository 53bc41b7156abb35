"""The from-scratch tab through `gradio_client`: train a few steps (loss points and samples stream in), see the
tokenizer's pieces, export to GGUF with the llama.cpp check, continue a text; cancel writes a checkpoint and says
so; the size shows the parameter count the model really gets."""

from __future__ import annotations

import re

from gradio_client import Client

from apps import scratch
from apps.context import AppContext
from apps.jobs import Job
from finetune.scratch.train import TrainConfig


def test_train_export_generate(launch) -> None:
    client = Client(launch(), verbose=False)
    job = client.submit("samples", "cpu-tiny", 6, 2, False, api_name="/train_scratch")
    updates = list(job)
    plot, samples, status = job.result()
    assert len(updates) >= 2  # followed while it ran
    series = {row[2] for row in plot["value"]["data"]} if "value" in plot else {row[2] for row in plot["data"]}
    assert series == {"学習", "検証"}
    assert samples.startswith("**6**") and "完了" in status
    trained = (
        int(re.search(r"パラメータ ([\d,]+)", status.replace("学習開始: ", "")).group(1).replace(",", ""))
        if "パラメータ" in status
        else None
    )

    pieces = client.predict(
        "samples", "cpu-tiny", "モノづくり塾では3Dプリンターの使い方を学べます。", api_name="/tokenize"
    )
    assert "トークン" in pieces and "|" in pieces

    report, modelfile = client.predict("samples", "cpu-tiny", "tab-model", "f32", api_name="/export_scratch")
    assert "✓" in report and "トークン化が一致" in report
    assert modelfile.startswith("FROM ./tab-model.gguf")
    text, _ = client.predict("tab-model", "モノづくり塾は", 16, api_name="/generate_scratch")
    assert text.startswith("モノづくり塾は") and len(text) > len("モノづくり塾は")
    assert trained is None or trained > 0


def test_the_size_shows_the_parameters_the_model_really_gets() -> None:
    from finetune.scratch.train import load_model, train
    from pipelines.ingest import ensure_sample_collection

    ensure_sample_collection()
    ctx = AppContext(lang="ja")
    shown = int(
        re.search(r"\*\*([\d,]+)\*\*", scratch.preset_info(ctx, "samples", "cpu-tiny")).group(1).replace(",", "")
    )
    folder = scratch.run_dir(ctx, "samples", "cpu-tiny")
    from finetune.scratch.data import collection_texts

    list(train(TrainConfig(out_dir=str(folder), steps=1, eval_every=1, sample_every=1), collection_texts("samples")))
    model, _, _ = load_model(folder)
    assert shown == model.num_parameters()


class _CancelAt(Job):
    def publish(self, snapshot=None, progress=None, note=None) -> None:
        super().publish(snapshot, progress, note)
        if snapshot is not None and len([p for p in snapshot.points if p[2] == "train"]) >= 3:
            self.cancel.set()


def test_cancel_keeps_a_checkpoint_to_resume_and_says_so() -> None:
    from finetune.scratch.data import collection_texts
    from pipelines.ingest import ensure_sample_collection

    ensure_sample_collection()
    ctx = AppContext(lang="ja")
    folder = scratch.run_dir(ctx, "samples", "cpu-tiny")
    config = TrainConfig(
        out_dir=str(folder), steps=50, batch_size=2, eval_every=5, sample_every=25, checkpoint_every=25
    )
    job = _CancelAt(1, "scratch", "trainer", "local", "学習")
    scratch.train_work(ctx, config, collection_texts("samples"))(job)
    assert (
        "中断しました" in job.snapshot.status and "data/scratch/samples-cpu-tiny/checkpoint.pt" in job.snapshot.status
    )
    import torch

    assert torch.load(folder / "checkpoint.pt", weights_only=False)["step"] == 3
    resumed = TrainConfig(out_dir=str(folder), steps=5, batch_size=2, resume=True, eval_every=5, sample_every=5)
    done = Job(2, "scratch", "trainer", "local", "学習")
    scratch.train_work(ctx, resumed, None)(done)
    assert "完了" in done.snapshot.status and min(p[0] for p in done.snapshot.points) == 4
