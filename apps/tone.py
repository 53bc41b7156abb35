"""The tone-tuning tab: upload example texts, check them (with the base model's chat template applied), tune with
a live loss plot, and export the result to GGUF + Ollama so any assistant can use it.

Training runs inside the event's generator, one run at a time; Cancel stops after the current step and writes a
checkpoint, which "resume" continues.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from apps.context import AppContext
from apps.exports import export_markdown
from finetune.tone.train import PRESETS, TARGET_MODULES, ToneConfig, train
from tokka.errors import TokkaError

_running = threading.Lock()


def base_models(ctx: AppContext) -> list[str]:
    """Hugging Face model folders under `$TOKKA_DATA_DIR/models/hf/` (any folder with a config.json)."""
    root = ctx.settings.data_dir / "models" / "hf"
    return sorted(str(p.parent) for p in root.glob("*/config.json")) if root.is_dir() else []


def run_folder(ctx: AppContext, name: str) -> Path:
    """Where a tuning run lives."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name or "tone")
    return ctx.settings.data_dir / "tone" / safe


def check_data(ctx: AppContext, data: str | None, base: str) -> tuple[pd.DataFrame, str, str]:
    """Preview the examples, list what was dropped and why, and show one with the chat template applied."""
    from transformers import AutoTokenizer

    from finetune.tone.data import load_examples, preview_frame
    from finetune.tone.train import ensure_chat_template, render

    if not data:
        raise gr.Error(ctx.t("ui.tone.no_data"))
    try:
        tokenizer = AutoTokenizer.from_pretrained(base)
    except (OSError, ValueError) as e:
        raise gr.Error(ctx.t("err.tone_base_missing", base=base, detail=str(e)[:200])) from e
    ensure_chat_template(tokenizer)
    try:
        report = load_examples(data, lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"]))
    except TokkaError as e:
        raise gr.Error(e.message(ctx.lang)) from e
    notes = [ctx.t("ui.tone.split", n=len(report.examples), train=len(report.train), val=len(report.validation))]
    notes += [f"⚠ {ctx.t(key, **params)}" for key, params in report.problems]
    return preview_frame(report), "\n\n".join(notes), render(tokenizer, report.examples[0].messages)


def loss_frame(points: list[tuple[int, float, str]]) -> pd.DataFrame:
    """Loss points for the plot (step, loss, series)."""
    return pd.DataFrame(points or [(0, float("nan"), "train")], columns=["step", "loss", "series"])


def start(
    ctx: AppContext,
    name: str,
    data: str | None,
    base: str,
    preset: str,
    rank: float,
    alpha: float,
    targets: list[str],
    max_len: float,
    epochs: float,
    steps: float,
    lr: float,
    patience: float,
    four_bit: bool,
    resume: bool,
    progress: gr.Progress | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Tune and yield (loss plot, status) after every step."""
    if not data and not resume:
        raise gr.Error(ctx.t("ui.tone.no_data"))
    if not _running.acquire(blocking=False):
        raise gr.Error(ctx.t("ui.scratch.busy"))
    cancel = threading.Event()
    try:
        config = ToneConfig(
            base=base,
            data=data or "",
            out_dir=str(run_folder(ctx, name)),
            preset=preset,
            lora_rank=int(rank),
            lora_alpha=int(alpha),
            target_modules=list(targets or TARGET_MODULES),
            max_seq_len=int(max_len) or None,
            epochs=float(epochs),
            steps=int(steps) or None,
            learning_rate=float(lr),
            eval_every=5,
            early_stopping_patience=int(patience),
            load_in_4bit=four_bit,
            resume=resume,
        )
        points: list[tuple[int, float, str]] = []
        status, total = "", 1
        events = train(config, cancel)
        try:
            for event in events:
                if event.kind == "start":
                    total = event.info["steps"]
                    status = ctx.t(
                        "cli.tone_start",
                        backend=event.info["backend"],
                        four_bit=event.info["four_bit"],
                        trainable=f"{event.info['trainable']:,}",
                        preset=event.info["preset"],
                        steps=total,
                        train=event.info["train"],
                        validation=event.info["validation"],
                    )
                elif event.kind == "step":
                    points.append((event.step, event.loss, "train"))
                    memory = ctx.t("ui.tone.gpu", gb=f"{event.gpu_memory_gb:.1f}") if event.gpu_memory_gb else ""
                    status = ctx.t("ui.tone.step", step=event.step, total=total, loss=f"{event.loss:.4f}") + memory
                    if progress is not None:
                        progress(event.step / total, desc=status)
                elif event.kind == "eval":
                    points.append((event.step, event.val_loss, "validation"))
                elif event.kind == "early_stop":
                    status = ctx.t("cli.tone_early_stop", step=event.step, val=f"{event.val_loss:.4f}")
                elif event.kind == "done":
                    status = ctx.t("cli.tone_done", out=config.out_dir)
                yield loss_frame(points), status
        except GeneratorExit:  # Cancel: let the loop write its checkpoint first
            cancel.set()
            for _ in events:
                pass
            raise
        except TokkaError as e:
            raise gr.Error(e.message(ctx.lang)) from e
    finally:
        _running.release()


def export(ctx: AppContext, name: str, quant: str) -> tuple[str, str]:
    """Merge, GGUF, check in llama.cpp, Modelfile, Ollama."""
    from finetune.tone.export import export_tuned

    model_name = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in (name or "").lower())
    try:
        result = export_tuned(run_folder(ctx, name), model_name, None if quant == "f16" else quant)
    except TokkaError as e:
        raise gr.Error(e.message(ctx.lang)) from e
    text = export_markdown(ctx, result.report, result.registration, model_name, result.local_model)
    return text, result.modelfile.read_text(encoding="utf-8")


def build(ctx: AppContext) -> dict[str, Any]:
    """Lay out the tab; returns its components by name."""
    gr.Markdown(ctx.t("ui.tone.intro"))
    with gr.Row():
        name = gr.Textbox(value="juku-tone", label=ctx.t("ui.tone.name"))
        data = gr.File(label=ctx.t("ui.tone.data"), file_types=[".csv", ".xlsx", ".jsonl"], type="filepath")
        models = base_models(ctx)
        base = gr.Dropdown(
            models, value=models[0] if models else None, allow_custom_value=True, label=ctx.t("ui.tone.base")
        )
    check = gr.Button(ctx.t("ui.tone.check"))
    notes = gr.Markdown()
    preview = gr.Dataframe(label=ctx.t("ui.tone.preview"), interactive=False, wrap=True)
    template = gr.Code(label=ctx.t("ui.tone.template"), interactive=False)
    with gr.Row():
        preset = gr.Radio(
            ["auto", *PRESETS],
            value="auto",
            label=ctx.t("ui.tone.preset"),
            info=" / ".join(f"{k}: {v.note}" for k, v in PRESETS.items()),
        )
    with gr.Row():
        rank = gr.Slider(4, 128, value=16, step=4, label=ctx.t("ui.tone.rank"))
        alpha = gr.Slider(4, 256, value=32, step=4, label=ctx.t("ui.tone.alpha"))
        max_len = gr.Slider(0, 8192, value=0, step=128, label=ctx.t("ui.tone.max_len"))
        epochs = gr.Number(value=1.0, label=ctx.t("ui.tone.epochs"))
        steps = gr.Number(value=0, precision=0, label=ctx.t("ui.tone.steps"))
        lr = gr.Number(value=2e-4, label=ctx.t("ui.tone.lr"))
        patience = gr.Slider(0, 10, value=3, step=1, label=ctx.t("ui.tone.patience"))
    with gr.Row():
        targets = gr.CheckboxGroup(TARGET_MODULES, value=TARGET_MODULES, label=ctx.t("ui.tone.targets"))
        four_bit = gr.Checkbox(value=True, label=ctx.t("ui.tone.four_bit"))
        resume = gr.Checkbox(value=False, label=ctx.t("ui.scratch.resume"))
    with gr.Row():
        start_button = gr.Button(ctx.t("ui.tone.start"), variant="primary")
        cancel = gr.Button(ctx.t("ui.corpus.cancel"))
    status = gr.Markdown(elem_id="tokka-tone-status")
    plot = gr.LinePlot(loss_frame([]), x="step", y="loss", color="series", label=ctx.t("ui.scratch.loss"))
    gr.Markdown(f"### {ctx.t('ui.tone.export')}")
    with gr.Row():
        quant = gr.Radio(["f16", "q8_0"], value="f16", label="GGUF")
        export_button = gr.Button(ctx.t("ui.scratch.export_button"))
    report = gr.Markdown()
    modelfile = gr.Code(label="Modelfile", interactive=False)

    check.click(lambda d, b: check_data(ctx, d, b), [data, base], [preview, notes, template], api_name="check_data")

    def _start(n, d, b, p, r, a, tg, ml, ep, st, l_r, pa, fb, rs, progress: gr.Progress = gr.Progress()):  # noqa: ANN001, ANN202, B008
        yield from start(ctx, n, d, b, p, r, a, tg, ml, ep, st, l_r, pa, fb, rs, progress)

    running = start_button.click(
        _start,
        [name, data, base, preset, rank, alpha, targets, max_len, epochs, steps, lr, patience, four_bit, resume],
        [plot, status],
        api_name="train_tone",
    )
    cancel.click(None, None, None, cancels=[running], api_name=False)
    export_button.click(lambda n, q: export(ctx, n, q), [name, quant], [report, modelfile], api_name="export_tone")
    return {"plot": plot, "status": status, "report": report}
