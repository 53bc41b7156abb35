"""The tone-tuning tab (文章の味付け): upload example texts, check them (with the base model's chat template
applied), tune with a live loss plot, and export the result to GGUF + Ollama so any assistant can use it.

Plain choices come first: how strongly to tune (少しだけ / ふつう / しっかり) and the GPU memory; the LoRA
parameters are folded under 詳細設定, each explained in one line. Training and export are jobs on the shared
`trainer` resource: Cancel stops after the current step and writes a checkpoint, which "resume" continues.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from apps.context import AppContext
from apps.guard import Permission, escape, named, on
from apps.jobs import Job, attach_job, cancel_job, follow_job
from apps.uploads import uploaded_file
from apps.views import job_line, loss_frame, loss_plot_kwargs, overfitting
from finetune.tone.bases import check_base, resolve_base
from finetune.tone.train import PRESETS, STRENGTHS, TARGET_MODULES, ToneConfig, latest_checkpoint, train
from tokka.errors import TokkaError
from tokka.paths import RUN_NAME, check_name, inside


class ToneInputError(TokkaError):
    """A tuning form that cannot be started."""


def run_folder(ctx: AppContext, name: str) -> Path:
    """Where a tuning run lives (`data/tone/<name>`).

    :raises PathError: for a name that cannot be a folder name.
    """
    return inside(ctx.settings.data_dir / "tone", check_name((name or "").strip(), RUN_NAME, "err.run_name"))


def check_data(ctx: AppContext, data: Any, base: str) -> Iterator[tuple[Any, str, str]]:
    """Preview the examples, list what was dropped and why, and show one with the chat template applied.
    The packaged base is converted first when it never was (its progress is shown)."""
    from transformers import AutoTokenizer

    from finetune.tone.data import load_examples, preview_frame
    from finetune.tone.train import ensure_chat_template, render

    if not data:
        raise ToneInputError("ui.tone.no_data")
    path = uploaded_file(data)
    check_base(base)
    progress: list[str] = []
    folder = resolve_base(base, progress.append)
    if progress:
        yield gr.skip(), progress[-1], gr.skip()
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    ensure_chat_template(tokenizer)
    report = load_examples(path, lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"]))
    notes = [ctx.t("ui.tone.split", n=len(report.examples), train=len(report.train), val=len(report.validation))]
    notes += [f"⚠ {escape(ctx.t(key, **params))}" for key, params in report.problems]
    preview = preview_frame(report, [ctx.t(f"ui.tone.col.{c}") for c in ("system", "question", "reply")])
    yield preview, "\n\n".join(notes), render(tokenizer, report.examples[0].messages)


@dataclass
class ToneProgress:
    """What the tuning job has reported: loss points, the status line, and how it ended."""

    points: list[tuple[int, float, str]] = field(default_factory=list)
    status: str = ""
    checkpoint: str = ""


def tone_work(ctx: AppContext, config: ToneConfig) -> Callable[[Job], None]:
    """The tuning job: the base model is made ready (the packaged one is converted the first time, with its
    progress), then every training step, evaluation and checkpoint is reported."""

    def work(job: Job) -> None:
        state = ToneProgress()
        total = 1
        config.base = str(resolve_base(config.base, lambda message: job.publish(note=message)))
        for event in train(config, job.cancel):
            if event.kind == "start":
                total = event.info["steps"]
                state.status = ctx.t(
                    "ui.tone.started",
                    backend=ctx.t(f"ui.tone.backend.{event.info['backend']}"),
                    trainable=f"{event.info['trainable']:,}",
                    steps=total,
                    train=event.info["train"],
                    validation=event.info["validation"],
                )
            elif event.kind == "step":
                state.points.append((event.step, event.loss, "train"))
                memory = ctx.t("ui.tone.gpu", gb=f"{event.gpu_memory_gb:.1f}") if event.gpu_memory_gb else ""
                state.status = ctx.t("ui.tone.step", step=event.step, total=total, loss=f"{event.loss:.4f}") + memory
                job.publish(progress=event.step / total)
            elif event.kind == "eval":
                state.points.append((event.step, event.val_loss, "validation"))
            elif event.kind == "early_stop":
                state.status = ctx.t("ui.tone.early_stop", step=event.step, val=f"{event.val_loss:.4f}")
            elif event.kind in ("cancelled", "time_up"):
                state.checkpoint = ctx.shown_path(latest_checkpoint(Path(config.out_dir)) or Path(config.out_dir))
                state.status = ctx.t("ui.job.stopped_with_checkpoint", path=state.checkpoint, step=event.step)
            elif event.kind == "done":
                state.status = ctx.t("ui.tone.done", out=ctx.shown_path(Path(config.out_dir) / "adapter"))
            job.publish(snapshot=ToneProgress(list(state.points), state.status, state.checkpoint), note=state.status)

    return work


def tone_view(ctx: AppContext, job: Job | None) -> tuple[Any, str]:
    """(loss plot, status) of a tuning job, with an overfitting notice when it applies."""
    if job is None:
        return loss_frame(ctx, []), ""
    state: ToneProgress = job.snapshot or ToneProgress()
    status = job_line(ctx, job)
    if overfitting(state.points):
        status += "\n\n⚠ " + ctx.t("ui.train.overfitting")
    return loss_frame(ctx, state.points), status


@dataclass
class ToneForm:
    """The tab's form, one value per field."""

    name: str
    data: Any
    base: str
    strength: str
    memory: str
    rank: float
    alpha: float
    targets: list[str]
    max_len: float
    epochs: float
    steps: float
    lr: float
    patience: float
    four_bit: bool
    resume: bool
    detailed: bool


def config_of(ctx: AppContext, form: ToneForm) -> ToneConfig:
    """The run's configuration: the plain strength preset, or the detailed values when 詳細設定 is used."""
    folder = run_folder(ctx, form.name)
    if not form.data and not form.resume:
        raise ToneInputError("ui.tone.no_data")
    data = str(uploaded_file(form.data)) if form.data else ""
    strength = STRENGTHS[form.strength]
    detailed = form.detailed
    check_base(form.base)
    return ToneConfig(
        base=form.base,  # resolved in the job: the packaged base may need converting first
        data=data,
        out_dir=str(folder),
        preset=form.memory,
        lora_rank=int(form.rank) if detailed else strength.rank,
        lora_alpha=int(form.alpha) if detailed else strength.alpha,
        target_modules=list(form.targets or TARGET_MODULES),
        max_seq_len=int(form.max_len) or None,
        epochs=float(form.epochs) if detailed else strength.epochs,
        steps=int(form.steps) or None,
        learning_rate=float(form.lr) if detailed else strength.learning_rate,
        eval_every=5,
        early_stopping_patience=int(form.patience),
        load_in_4bit=bool(form.four_bit),
        resume=bool(form.resume),
    )


def start(ctx: AppContext, form: ToneForm, request: gr.Request | None = None) -> Iterator[tuple[Any, ...]]:
    """Start the tuning job and follow it."""
    config = config_of(ctx, form)
    label = ctx.t("ui.job.tone", name=form.name)
    job = ctx.jobs.submit("tone", "trainer", ctx.user(request), label, tone_work(ctx, config))
    yield from follow_job(ctx, job, tone_view)


def export_work(ctx: AppContext, name: str, quant: str) -> Callable[[Job], None]:
    """The export job: merge, GGUF, check in llama.cpp, Modelfile, Ollama."""
    from apps.exports import export_markdown
    from finetune.tone.export import export_tuned

    def work(job: Job) -> None:
        folder = run_folder(ctx, name)
        model_name = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in name.lower())
        job.publish(note=ctx.t("ui.export.running"))
        result = export_tuned(folder, model_name, None if quant == "f16" else quant)
        job.publish(
            snapshot=(
                export_markdown(ctx, result.report, result.registration, model_name, result.local_model),
                result.modelfile.read_text(encoding="utf-8"),
            )
        )

    return work


def export_view(ctx: AppContext, job: Job | None) -> tuple[str, str]:
    """(report, Modelfile) of an export job."""
    if job is None:
        return "", ""
    report, modelfile = job.snapshot or ("", "")
    return job_line(ctx, job) + ("\n\n" + report if report else ""), modelfile


def build(ctx: AppContext) -> dict[str, Any]:
    """Lay out the tab; returns its components by name."""
    gr.Markdown(ctx.t("ui.tone.intro"))
    with gr.Row(elem_classes="tokka-wrap"):
        name = gr.Textbox(value="juku-tone", label=ctx.t("ui.tone.name"), min_width=160)
        data = gr.File(
            label=ctx.t("ui.tone.data"), file_types=[".csv", ".xlsx", ".jsonl"], type="filepath", min_width=220
        )
        base = gr.Dropdown(
            ctx.lists.base_models(), label=ctx.t("ui.tone.base"), info=ctx.t("ui.tone.base_info"), min_width=200
        )
    ctx.lists.dropdown("base_models", base)
    check = gr.Button(ctx.t("ui.tone.check"))
    notes = gr.Markdown(elem_id="tokka-tone-notes")
    preview = gr.Dataframe(
        pd.DataFrame(columns=[ctx.t(f"ui.tone.col.{c}") for c in ("system", "question", "reply")]),
        label=ctx.t("ui.tone.preview"),
        interactive=False,
        wrap=True,
    )
    template = gr.Code(label=ctx.t("ui.tone.template"), interactive=False)
    with gr.Row(elem_classes="tokka-wrap"):
        strength = gr.Radio(
            [(ctx.t(f"ui.tone.strength.{k}"), k) for k in STRENGTHS],
            value="standard",
            label=ctx.t("ui.tone.strength"),
            info=ctx.t("ui.tone.strength_info"),
            min_width=260,
        )
        memory = gr.Radio(
            [(ctx.t(f"ui.tone.preset.{k}"), k) for k in ("auto", *PRESETS)],
            value="auto",
            label=ctx.t("ui.tone.preset"),
            min_width=260,
        )
    with gr.Accordion(ctx.t("ui.tone.details"), open=False):
        detailed = gr.Checkbox(value=False, label=ctx.t("ui.tone.use_details"))
        with gr.Row(elem_classes="tokka-wrap"):
            rank = gr.Slider(
                4, 128, value=16, step=4, label=ctx.t("ui.tone.rank"), info=ctx.t("ui.tone.rank_info"), min_width=220
            )
            alpha = gr.Slider(
                4, 256, value=32, step=4, label=ctx.t("ui.tone.alpha"), info=ctx.t("ui.tone.alpha_info"), min_width=220
            )
            lr = gr.Number(value=2e-4, label=ctx.t("ui.tone.lr"), info=ctx.t("ui.tone.lr_info"), min_width=220)
        with gr.Row(elem_classes="tokka-wrap"):
            epochs = gr.Number(
                value=1.0, label=ctx.t("ui.tone.epochs"), info=ctx.t("ui.tone.epochs_info"), min_width=220
            )
            steps = gr.Number(
                value=0, precision=0, label=ctx.t("ui.tone.steps"), info=ctx.t("ui.tone.steps_info"), min_width=220
            )
            max_len = gr.Slider(
                0,
                8192,
                value=0,
                step=128,
                label=ctx.t("ui.tone.max_len"),
                info=ctx.t("ui.tone.max_len_info"),
                min_width=220,
            )
        with gr.Row(elem_classes="tokka-wrap"):
            patience = gr.Slider(
                0,
                10,
                value=3,
                step=1,
                label=ctx.t("ui.tone.patience"),
                info=ctx.t("ui.tone.patience_info"),
                min_width=220,
            )
            targets = gr.CheckboxGroup(
                TARGET_MODULES,
                value=TARGET_MODULES,
                label=ctx.t("ui.tone.targets"),
                info=ctx.t("ui.tone.targets_info"),
                min_width=220,
            )
            four_bit = gr.Checkbox(
                value=True, label=ctx.t("ui.tone.four_bit"), info=ctx.t("ui.tone.four_bit_info"), min_width=220
            )
    resume = gr.Checkbox(value=False, label=ctx.t("ui.train.resume"))
    with gr.Row(elem_classes="tokka-wrap"):
        start_button = gr.Button(ctx.t("ui.tone.start"), variant="primary", elem_id="tokka-tone-start")
        cancel = gr.Button(ctx.t("ui.corpus.cancel"), elem_id="tokka-tone-cancel")
    status = gr.Markdown(elem_id="tokka-tone-status")
    plot = gr.LinePlot(None, elem_id="tokka-tone-plot", **loss_plot_kwargs(ctx))
    gr.Markdown(f"### {ctx.t('ui.tone.export')}")
    with gr.Row(elem_classes="tokka-wrap"):
        quant = gr.Radio(
            [(ctx.t("ui.export.f16"), "f16"), (ctx.t("ui.export.q8_0"), "q8_0")],
            value="f16",
            label=ctx.t("ui.export.format"),
        )
        export_button = gr.Button(ctx.t("ui.scratch.export_button"), elem_id="tokka-tone-export")
    report = gr.Markdown(elem_id="tokka-tone-report")
    modelfile = gr.Code(label="Modelfile", interactive=False)

    A = Permission.ADMIN

    def _check(d: Any, b: str) -> Iterator[tuple[Any, str, str]]:
        yield from check_data(ctx, d, b)

    on(
        ctx,
        check.click,
        _check,
        [data, base],
        [preview, notes, template],
        permission=A,
        message=notes,
        api_name="check_data",
    )
    fields = {
        "name": name,
        "data": data,
        "base": base,
        "strength": strength,
        "memory": memory,
        "rank": rank,
        "alpha": alpha,
        "targets": targets,
        "max_len": max_len,
        "epochs": epochs,
        "steps": steps,
        "lr": lr,
        "patience": patience,
        "four_bit": four_bit,
        "resume": resume,
        "detailed": detailed,
    }

    def _start(values: dict[str, Any], request: gr.Request | None) -> Iterator[tuple[Any, ...]]:
        yield from start(ctx, ToneForm(**values), request)

    on(
        ctx,
        start_button.click,
        named(list(fields), _start),
        list(fields.values()),
        [plot, status],
        permission=A,
        message=status,
        api_name="train_tone",
        show_progress="hidden",
    )
    on(
        ctx,
        cancel.click,
        lambda request: cancel_job(ctx, "tone", request),
        None,
        status,
        permission=A,
        api_name="cancel_tone",
    )

    def _export(n: str, q: str, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        run_folder(ctx, n)  # checks the name before the job starts
        job = ctx.jobs.submit(
            "export", "trainer", ctx.user(request), ctx.t("ui.job.export", name=n), export_work(ctx, n, q)
        )
        yield from follow_job(ctx, job, export_view)

    on(
        ctx,
        export_button.click,
        _export,
        [name, quant],
        [report, modelfile],
        permission=A,
        message=report,
        api_name="export_tone",
        show_progress="hidden",
    )

    def _attach(request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from attach_job(ctx, "tone", tone_view, request)

    ctx.on_load(_attach, [plot, status])
    return {"plot": plot, "status": status, "report": report, "notes": notes, "preview": preview}
