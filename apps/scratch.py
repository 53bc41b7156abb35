"""The from-scratch language model tab: pick a collection and a size, watch the loss fall and the samples improve,
export to GGUF (checked in llama.cpp), and talk to the result.

Training and export are jobs on the shared `trainer` resource; Cancel stops after the current step and writes a
checkpoint first, so "resume" continues exactly where it stopped. The parameter count shown for a size is the one
the model will really have (its vocabulary depends on the collection).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr

from apps.context import AppContext
from apps.guard import Permission, escape, on
from apps.jobs import Job, attach_job, cancel_job, follow_job
from apps.views import job_line, loss_frame, loss_plot_kwargs, overfitting
from finetune.scratch.train import PRESETS, TrainConfig, parameter_count, train, vocabulary_size
from tokka.errors import TokkaError
from tokka.paths import MODEL_NAME, check_name, inside


class ScratchInputError(TokkaError):
    """A training or export request that cannot be carried out."""


def run_dir(ctx: AppContext, collection: str, preset: str) -> Path:
    """Where a collection's run with a preset lives (`data/scratch/<collection>-<preset>`)."""
    if preset not in PRESETS:
        raise ScratchInputError("ui.scratch.bad_preset", preset=preset)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in collection or "")
    return inside(ctx.settings.data_dir / "scratch", f"{safe}-{preset}")


def preset_info(ctx: AppContext, collection: str | None, preset: str) -> str:
    """Parameter count (with the vocabulary the collection will give), shape and intended hardware of a preset."""
    from finetune.scratch.data import collection_texts

    p = PRESETS[preset]
    vocab = None
    if collection:
        try:
            texts = collection_texts(collection)
            vocab = vocabulary_size(texts, p.model.vocab_size) if texts else None
        except TokkaError:
            vocab = None
    return ctx.t(
        "ui.scratch.preset_info",
        n=f"{parameter_count(preset, vocab):,}",
        vocab=f"{vocab or p.model.vocab_size:,}",
        layers=p.model.n_layers,
        dim=p.model.dim,
        seq=p.model.max_seq_len,
        note=ctx.t(f"ui.scratch.preset.{preset}"),
    )


@dataclass
class ScratchProgress:
    """What the training job has reported."""

    points: list[tuple[int, float, str]] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    status: str = ""
    header: str = ""  # what was built (the real parameter count), kept above the step line


def train_work(ctx: AppContext, config: TrainConfig, texts: list[str] | None) -> Callable[[Job], None]:
    """The training job: every step, evaluation, sample and checkpoint is reported."""

    def work(job: Job) -> None:
        state = ScratchProgress()
        folder = ctx.shown_path(config.out_dir)
        for event in train(config, texts, job.cancel):
            if event.kind == "start":
                state.status = state.header = ctx.t(
                    "ui.scratch.started",
                    parameters=f"{event.info['parameters']:,}",
                    vocab_size=event.info["vocab_size"],
                    device=event.info["device"],
                    train_tokens=f"{event.info['train_tokens']:,}",
                )
            elif event.kind == "step":
                state.points.append((event.step, event.loss, "train"))
                step = ctx.t(
                    "ui.scratch.step_status",
                    step=event.step,
                    total=config.steps,
                    loss=f"{event.loss:.3f}",
                    speed=f"{event.tokens_per_second:,.0f}",
                )
                state.status = f"{state.header}\n\n{step}" if state.header else step
                job.publish(progress=event.step / config.steps)
            elif event.kind == "eval":
                state.points.append((event.step, event.val_loss, "validation"))
            elif event.kind == "sample":
                state.samples.insert(0, f"**{event.step}**: {escape(event.text)}")
            elif event.kind == "cancelled":
                state.status = ctx.t("ui.job.stopped_with_checkpoint", path=f"{folder}/checkpoint.pt", step=event.step)
            elif event.kind == "done":
                val = f"{event.val_loss:.3f}" if event.val_loss is not None else "-"
                state.status = ctx.t("ui.scratch.done", val=val, folder=folder)
            job.publish(
                snapshot=ScratchProgress(list(state.points), list(state.samples), state.status), note=state.status
            )

    return work


def train_view(ctx: AppContext, job: Job | None) -> tuple[Any, str, str]:
    """(loss plot, samples, status) of a training job."""
    if job is None:
        return loss_frame(ctx, []), "", ""
    state: ScratchProgress = job.snapshot or ScratchProgress()
    status = job_line(ctx, job)
    if overfitting(state.points):
        status += "\n\n⚠ " + ctx.t("ui.train.overfitting")
    return loss_frame(ctx, state.points), "\n\n".join(state.samples), status


def start_training(
    ctx: AppContext,
    collection: str | None,
    preset: str,
    steps: float,
    batch_size: float,
    resume: bool,
    request: gr.Request | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Check the form, start the training job and follow it."""
    from finetune.scratch.data import collection_texts

    if not collection:
        raise ScratchInputError("ui.corpus.no_collection")
    folder = run_dir(ctx, collection, preset)
    if resume and not (folder / "checkpoint.pt").is_file():
        raise ScratchInputError("err.no_checkpoint", folder=ctx.shown_path(folder))
    texts = None if resume else collection_texts(collection)
    if texts is not None and not any(t.strip() for t in texts):
        raise ScratchInputError("err.scratch_no_text", collection=collection)
    steps = int(steps)
    config = TrainConfig(
        out_dir=str(folder),
        preset=preset,
        steps=steps,
        resume=resume,
        batch_size=int(batch_size) or None,
        eval_every=max(1, steps // 10),
        sample_every=max(1, steps // 4),
        checkpoint_every=max(1, steps // 4),
    )
    label = ctx.t("ui.job.scratch", collection=collection, preset=preset)
    job = ctx.jobs.submit("scratch", "trainer", ctx.user(request), label, train_work(ctx, config, texts))
    yield from follow_job(ctx, job, train_view)


def show_pieces(ctx: AppContext, collection: str | None, preset: str, text: str) -> str:
    """How the run's tokenizer splits `text`."""
    from finetune.scratch.tokenizer import Tokenizer

    model = run_dir(ctx, collection or "", preset) / "tokenizer.model"
    if not model.is_file():
        raise ScratchInputError("ui.scratch.no_tokenizer")
    pieces = Tokenizer(model).pieces(text or "")
    return ctx.t("ui.scratch.pieces", n=len(pieces), pieces=escape(" | ".join(pieces)))


def export_work(ctx: AppContext, collection: str, preset: str, name: str, outtype: str) -> Callable[[Job], None]:
    """The export job: GGUF, check in llama.cpp, Modelfile, Ollama when reachable."""
    from apps.exports import export_markdown
    from finetune.scratch.export import export_run

    def work(job: Job) -> None:
        job.publish(note=ctx.t("ui.export.running"))
        result = export_run(run_dir(ctx, collection, preset), name, outtype)
        text = export_markdown(ctx, result.report, result.registration, name, result.local_model)
        job.publish(snapshot=(text, result.modelfile.read_text(encoding="utf-8")))

    return work


def export_view(ctx: AppContext, job: Job | None) -> tuple[str, str]:
    """(report, Modelfile) of an export job."""
    if job is None:
        return "", ""
    report, modelfile = job.snapshot or ("", "")
    return job_line(ctx, job) + ("\n\n" + report if report else ""), modelfile


def generate(ctx: AppContext, name: str, prompt: str, max_tokens: float) -> str:
    """Continue `prompt` with the exported GGUF in llama.cpp (what Ollama would run)."""
    from haystack.dataclasses import ChatMessage

    from pipelines.components.generators import LocalGGUFChatGenerator

    if not (prompt or "").strip():
        raise ScratchInputError("ui.chat.empty_question")
    model = check_name((name or "").strip(), MODEL_NAME, "err.model_name")
    llm = LocalGGUFChatGenerator(
        model=f"{model}.gguf",
        chat_format="raw",
        n_ctx=512,
        max_tokens=int(max_tokens),
        temperature=0.8,
        repeat_penalty=1.1,
    )
    reply = llm.run(messages=[ChatMessage.from_user(prompt)])["replies"][0].text
    return prompt + reply


def build(ctx: AppContext) -> dict[str, Any]:
    """Lay out the tab; returns its components by name."""
    gr.Markdown(ctx.t("ui.scratch.intro"))
    with gr.Group() as training:
        with gr.Row(elem_classes="tokka-wrap"):
            collection = gr.Dropdown(ctx.lists.collection_names(), label=ctx.t("ui.corpus.collection"), min_width=200)
            preset = gr.Radio(
                [(ctx.t(f"ui.scratch.preset_name.{k}"), k) for k in PRESETS],
                value="cpu-tiny",
                label=ctx.t("ui.scratch.preset"),
                min_width=240,
            )
            steps = gr.Slider(1, 5000, value=300, step=1, label=ctx.t("ui.scratch.steps"), min_width=200)
        ctx.lists.dropdown("collections", collection)
        # the count for the collection shown first (Gradio selects the first choice, and no change event follows)
        info = gr.Markdown(preset_info(ctx, collection.value, "cpu-tiny"), elem_id="tokka-scratch-info")
        with gr.Accordion(ctx.t("ui.scratch.advanced"), open=False):
            batch_size = gr.Slider(
                0, 64, value=0, step=1, label=ctx.t("ui.scratch.batch_size"), info=ctx.t("ui.scratch.batch_size_info")
            )
            resume = gr.Checkbox(label=ctx.t("ui.train.resume"), value=False)
        with gr.Row(elem_classes="tokka-wrap"):
            start = gr.Button(ctx.t("ui.scratch.start"), variant="primary", elem_id="tokka-scratch-start")
            cancel = gr.Button(ctx.t("ui.corpus.cancel"), elem_id="tokka-scratch-cancel")
        status = gr.Markdown(elem_id="tokka-scratch-status")
        plot = gr.LinePlot(None, elem_id="tokka-scratch-plot", **loss_plot_kwargs(ctx))
        samples = gr.Markdown(label=ctx.t("ui.scratch.samples"), elem_id="tokka-scratch-samples")
    ctx.gate(training, Permission.ADMIN)
    with gr.Accordion(ctx.t("ui.scratch.tokenizer"), open=False):
        with gr.Row(elem_classes="tokka-wrap"):
            sentence = gr.Textbox(
                value=ctx.t("ui.scratch.sentence_default"), label=ctx.t("ui.scratch.sentence"), scale=4, min_width=220
            )
            split = gr.Button(ctx.t("ui.scratch.split"), scale=1, min_width=100)
        pieces = gr.Markdown(elem_id="tokka-scratch-pieces")
    with gr.Group() as exporting:
        gr.Markdown(f"### {ctx.t('ui.scratch.export')}")
        with gr.Row(elem_classes="tokka-wrap"):
            model_name = gr.Textbox(value="juku-tiny", label=ctx.t("ui.scratch.model_name"), min_width=180)
            outtype = gr.Radio(
                [(ctx.t(f"ui.export.{o}"), o) for o in ("f32", "f16", "q8_0")],
                value="f32",
                label=ctx.t("ui.export.format"),
                min_width=240,
            )
            export_button = gr.Button(ctx.t("ui.scratch.export_button"), elem_id="tokka-scratch-export")
        report = gr.Markdown(elem_id="tokka-scratch-report")
        modelfile = gr.Code(label="Modelfile", interactive=False)
    ctx.gate(exporting, Permission.ADMIN)
    gr.Markdown(f"### {ctx.t('ui.scratch.try')}")
    with gr.Row(elem_classes="tokka-wrap"):
        prompt = gr.Textbox(
            value=ctx.t("ui.scratch.prompt_default"), label=ctx.t("ui.scratch.prompt"), scale=4, min_width=220
        )
        max_tokens = gr.Slider(8, 256, value=64, step=8, label=ctx.t("ui.scratch.max_tokens"), scale=1, min_width=160)
        generate_button = gr.Button(ctx.t("ui.scratch.generate"), scale=1, min_width=100)
    continuation = gr.Textbox(
        label=ctx.t("ui.scratch.continuation"), lines=4, interactive=False, elem_id="tokka-scratch-continuation"
    )
    try_message = gr.Markdown()

    A, R = Permission.ADMIN, Permission.READ
    for trigger in (preset.change, collection.change):
        on(ctx, trigger, lambda c, p: preset_info(ctx, c, p), [collection, preset], info, permission=R)

    def _train(c: str | None, p: str, s: float, b: float, r: bool, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from start_training(ctx, c, p, s, b, r, request)

    on(
        ctx,
        start.click,
        _train,
        [collection, preset, steps, batch_size, resume],
        [plot, samples, status],
        permission=A,
        message=status,
        api_name="train_scratch",
        show_progress="hidden",
    )
    on(
        ctx,
        cancel.click,
        lambda request: cancel_job(ctx, "scratch", request),
        None,
        status,
        permission=A,
        api_name="cancel_scratch",
    )
    on(
        ctx,
        split.click,
        lambda c, p, t: show_pieces(ctx, c, p, t),
        [collection, preset, sentence],
        pieces,
        permission=R,
        message=pieces,
        api_name="tokenize",
    )

    def _export(c: str | None, p: str, n: str, o: str, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        if not c:
            raise ScratchInputError("ui.corpus.no_collection")
        name = check_name((n or "").strip(), MODEL_NAME, "err.model_name")
        job = ctx.jobs.submit(
            "export", "trainer", ctx.user(request), ctx.t("ui.job.export", name=name), export_work(ctx, c, p, name, o)
        )
        yield from follow_job(ctx, job, export_view)

    on(
        ctx,
        export_button.click,
        _export,
        [collection, preset, model_name, outtype],
        [report, modelfile],
        permission=A,
        message=report,
        api_name="export_scratch",
        show_progress="hidden",
    )
    on(
        ctx,
        generate_button.click,
        lambda n, t, m: (generate(ctx, n, t, m), ""),
        [model_name, prompt, max_tokens],
        [continuation, try_message],
        permission=R,
        message=try_message,
        api_name="generate_scratch",
    )

    def _attach(request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from attach_job(ctx, "scratch", train_view, request)

    ctx.on_load(_attach, [plot, samples, status])
    return {"plot": plot, "samples": samples, "status": status, "report": report, "info": info}
