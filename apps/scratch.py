"""The from-scratch language model tab: pick a collection and a preset, watch the loss fall and the samples
improve, export to GGUF (checked in llama.cpp), and talk to the result.

Training runs inside the event's generator, one run at a time per app; Cancel stops it after the current step and
writes a checkpoint first, so "resume" continues exactly where it stopped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from apps.context import AppContext
from apps.corpus import collection_names
from apps.exports import export_markdown
from finetune.scratch.train import PRESETS, TrainConfig, parameter_count, train
from tokka.errors import TokkaError

_running = threading.Lock()


def run_dir(ctx: AppContext, collection: str, preset: str) -> Path:
    """Where a collection's run with a preset lives."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in collection)
    return ctx.settings.data_dir / "scratch" / f"{safe}-{preset}"


def preset_info(ctx: AppContext, preset: str) -> str:
    """Parameter count and intended hardware of a preset."""
    p = PRESETS[preset]
    return ctx.t(
        "ui.scratch.preset_info",
        n=f"{parameter_count(preset):,}",
        layers=p.model.n_layers,
        dim=p.model.dim,
        seq=p.model.max_seq_len,
        note=p.note,
    )


def loss_frame(points: list[tuple[int, float, str]]) -> pd.DataFrame:
    """Loss points for the plot (step, loss, series)."""
    return pd.DataFrame(points or [(0, float("nan"), "train")], columns=["step", "loss", "series"])


def start_training(
    ctx: AppContext,
    collection: str | None,
    preset: str,
    steps: float,
    batch_size: float,
    resume: bool,
    progress: gr.Progress | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Train and yield (loss plot, samples, status) as the loop reports."""
    from finetune.scratch.data import collection_texts

    if not collection:
        raise gr.Error(ctx.t("ui.corpus.no_collection"))
    if not _running.acquire(blocking=False):
        raise gr.Error(ctx.t("ui.scratch.busy"))
    cancel = threading.Event()
    try:
        folder = run_dir(ctx, collection, preset)
        if resume and not (folder / "checkpoint.pt").is_file():
            raise gr.Error(ctx.t("err.no_checkpoint", folder=str(folder)))
        try:
            texts = None if resume else collection_texts(collection)
        except TokkaError as e:
            raise gr.Error(e.message(ctx.lang)) from e
        config = TrainConfig(
            out_dir=str(folder),
            preset=preset,
            steps=int(steps),
            resume=resume,
            batch_size=int(batch_size) or None,
            eval_every=max(1, int(steps) // 10),
            sample_every=max(1, int(steps) // 4),
            checkpoint_every=max(1, int(steps) // 4),
        )
        points: list[tuple[int, float, str]] = []
        samples: list[str] = []
        status = ""
        events = train(config, texts, cancel)
        try:
            for event in events:
                if event.kind == "start":
                    status = ctx.t("ui.scratch.started", **event.info)
                elif event.kind == "step":
                    points.append((event.step, event.loss, "train"))
                    if progress is not None:
                        progress(
                            event.step / int(steps),
                            desc=ctx.t("ui.scratch.step", step=event.step, loss=f"{event.loss:.3f}"),
                        )
                    status = ctx.t(
                        "ui.scratch.step_status",
                        step=event.step,
                        total=int(steps),
                        loss=f"{event.loss:.3f}",
                        speed=f"{event.tokens_per_second:,.0f}",
                    )
                elif event.kind == "eval":
                    points.append((event.step, event.val_loss, "validation"))
                elif event.kind == "sample":
                    samples.insert(0, f"**{event.step}**: {event.text}")
                elif event.kind == "done":
                    status = ctx.t("ui.scratch.done", val=f"{event.val_loss:.3f}", folder=str(folder))
                yield loss_frame(points), "\n\n".join(samples), status
        except GeneratorExit:  # Cancel: let the loop write its checkpoint before stopping
            cancel.set()
            for _ in events:
                pass
            raise
    finally:
        _running.release()


def show_pieces(ctx: AppContext, collection: str | None, preset: str, text: str) -> str:
    """How the run's tokenizer splits `text`."""
    from finetune.scratch.tokenizer import Tokenizer

    model = run_dir(ctx, collection or "", preset) / "tokenizer.model"
    if not model.is_file():
        raise gr.Error(ctx.t("ui.scratch.no_tokenizer"))
    tokenizer = Tokenizer(model)
    pieces = tokenizer.pieces(text or "")
    return ctx.t("ui.scratch.pieces", n=len(pieces), pieces=" | ".join(pieces))


def export(ctx: AppContext, collection: str | None, preset: str, name: str, outtype: str) -> tuple[str, str]:
    """Export to GGUF, check it in llama.cpp, write the Modelfile, register in Ollama when reachable."""
    from finetune.scratch.export import export_run

    try:
        result = export_run(run_dir(ctx, collection or "", preset), (name or "").strip(), outtype)
    except TokkaError as e:
        raise gr.Error(e.message(ctx.lang)) from e
    text = export_markdown(ctx, result.report, result.registration, name, result.local_model)
    return text, result.modelfile.read_text(encoding="utf-8")


def generate(ctx: AppContext, name: str, prompt: str, max_tokens: float) -> str:
    """Continue `prompt` with the exported GGUF in llama.cpp (what Ollama would run)."""
    from haystack.dataclasses import ChatMessage

    from pipelines.components.generators import LocalGGUFChatGenerator
    from pipelines.local_models import ModelNotFoundError

    if not (prompt or "").strip():
        raise gr.Error(ctx.t("ui.chat.empty_question"))
    llm = LocalGGUFChatGenerator(
        model=f"{(name or '').strip()}.gguf",
        chat_format="raw",
        n_ctx=512,
        max_tokens=int(max_tokens),
        temperature=0.8,
        repeat_penalty=1.1,
    )
    try:
        reply = llm.run(messages=[ChatMessage.from_user(prompt)])["replies"][0].text
    except ModelNotFoundError as e:
        raise gr.Error(e.message(ctx.lang)) from e
    return prompt + reply


def build(ctx: AppContext) -> dict[str, Any]:
    """Lay out the tab; returns its components by name."""
    names = collection_names(ctx)
    gr.Markdown(ctx.t("ui.scratch.intro"))
    with gr.Row():
        collection = gr.Dropdown(names, value=names[0] if names else None, label=ctx.t("ui.corpus.collection"))
        preset = gr.Radio(list(PRESETS), value="cpu-tiny", label=ctx.t("ui.scratch.preset"))
        steps = gr.Slider(1, 5000, value=300, step=1, label=ctx.t("ui.scratch.steps"))
    info = gr.Markdown(preset_info(ctx, "cpu-tiny"))
    with gr.Accordion(ctx.t("ui.scratch.advanced"), open=False):
        batch_size = gr.Slider(0, 64, value=0, step=1, label=ctx.t("ui.scratch.batch_size"))
        resume = gr.Checkbox(label=ctx.t("ui.scratch.resume"), value=False)
    with gr.Row():
        start = gr.Button(ctx.t("ui.scratch.start"), variant="primary")
        cancel = gr.Button(ctx.t("ui.corpus.cancel"))
    status = gr.Markdown(elem_id="tokka-scratch-status")
    plot = gr.LinePlot(loss_frame([]), x="step", y="loss", color="series", label=ctx.t("ui.scratch.loss"))
    samples = gr.Markdown(label=ctx.t("ui.scratch.samples"))
    with gr.Accordion(ctx.t("ui.scratch.tokenizer"), open=False):
        with gr.Row():
            sentence = gr.Textbox(
                value=ctx.t("ui.scratch.sentence_default"), label=ctx.t("ui.scratch.sentence"), scale=4
            )
            split = gr.Button(ctx.t("ui.scratch.split"), scale=1)
        pieces = gr.Markdown()
    gr.Markdown(f"### {ctx.t('ui.scratch.export')}")
    with gr.Row():
        model_name = gr.Textbox(value="juku-tiny", label=ctx.t("ui.scratch.model_name"))
        outtype = gr.Radio(["f32", "f16", "q8_0"], value="f32", label="GGUF")
        export_button = gr.Button(ctx.t("ui.scratch.export_button"))
    report = gr.Markdown()
    modelfile = gr.Code(label="Modelfile", interactive=False)
    gr.Markdown(f"### {ctx.t('ui.scratch.try')}")
    with gr.Row():
        prompt = gr.Textbox(value=ctx.t("ui.scratch.prompt_default"), label=ctx.t("ui.scratch.prompt"), scale=4)
        max_tokens = gr.Slider(8, 256, value=64, step=8, label=ctx.t("ui.scratch.max_tokens"), scale=1)
        generate_button = gr.Button(ctx.t("ui.scratch.generate"), scale=1)
    continuation = gr.Textbox(label=ctx.t("ui.scratch.continuation"), lines=4, interactive=False)

    preset.change(lambda p: preset_info(ctx, p), preset, info, api_name=False)

    def _train(
        c: str | None,
        p: str,
        s: float,
        b: float,
        r: bool,
        progress: gr.Progress = gr.Progress(),  # noqa: B008
    ) -> Iterator[tuple[Any, ...]]:
        yield from start_training(ctx, c, p, s, b, r, progress)

    training = start.click(
        _train, [collection, preset, steps, batch_size, resume], [plot, samples, status], api_name="train_scratch"
    )
    cancel.click(None, None, None, cancels=[training], api_name=False)
    split.click(lambda c, p, t: show_pieces(ctx, c, p, t), [collection, preset, sentence], pieces, api_name="tokenize")
    export_button.click(
        lambda c, p, n, o: export(ctx, c, p, n, o),
        [collection, preset, model_name, outtype],
        [report, modelfile],
        api_name="export_scratch",
    )
    generate_button.click(
        lambda n, t, m: generate(ctx, n, t, m),
        [model_name, prompt, max_tokens],
        continuation,
        api_name="generate_scratch",
    )
    return {"plot": plot, "samples": samples, "status": status, "report": report}
