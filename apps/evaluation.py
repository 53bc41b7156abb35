"""The evaluation section of the builder tab: does an assistant find the right documents, and are its answers right?

A question sheet (the sample, or an uploaded CSV/XLSX — one choice, and uploading a sheet selects it) is run for
one or two assistants side by side. Retrieval gives recall@k and MRR; with "answers", every question is asked of
the whole assistant and scored with the answer metrics (`pipelines.answer_eval`: exact match, character F1,
contains, citation precision, refusal, time). An evaluation is a job: it shows progress and can be cancelled.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from apps.context import AppContext
from apps.guard import Permission, on
from apps.jobs import Job, attach_job, cancel_job, follow_job
from apps.uploads import uploaded_file
from apps.views import job_line
from pipelines import answer_eval, evaluation
from tokka.errors import TokkaError
from tokka.settings import REPO_ROOT

SAMPLE_SHEET = REPO_ROOT / "pipelines" / "evaluation_sheets" / "samples_questions.csv"


class EvaluationInputError(TokkaError):
    """An evaluation that cannot start (no sheet, no assistant)."""


@dataclass
class EvaluationRun:
    """What an evaluation job has produced so far."""

    retrieval: list[evaluation.EvaluationReport] = field(default_factory=list)
    answers: list[answer_eval.AnswerReport] = field(default_factory=list)
    csv: str | None = None


RETRIEVAL_COLUMNS = ("assistant", "questions", "k", "recall@k", "MRR", "keywords_contained")
QUESTION_COLUMNS = (
    "assistant", "question", "expected", "rank", "hit", "reciprocal_rank", "retrieved", "keywords", "keyword_hits",
    "answer",
)  # fmt: skip
ANSWER_COLUMNS = (
    "assistant", "questions", "answerable", "unanswerable", *answer_eval.METRICS,
)  # fmt: skip
ANSWER_ROW_COLUMNS = (
    "assistant", "question", "accepted", "answer", "exact", "f1", "contains", "refused", "citation_precision",
    "seconds",
)  # fmt: skip


def headers(ctx: AppContext, names: tuple[str, ...]) -> dict[str, str]:
    """Column names in the UI language."""
    return {name: ctx.t(f"ui.eval.col.{name.replace('@', '_at_')}") for name in names}


def evaluation_work(
    ctx: AppContext, sheet: Path, chosen: list[str], k: int, with_answers: bool
) -> Callable[[Job], None]:
    """The evaluation job: retrieval for every assistant, then (optionally) the answers."""

    def work(job: Job) -> None:
        questions = evaluation.load_questions(sheet)
        run = EvaluationRun()
        steps = len(chosen) * len(questions) * (2 if with_answers else 1)
        done = 0
        for assistant_id in chosen:
            pipeline = ctx.registry.pipeline(assistant_id)
            results = []
            for result in evaluation.evaluate(assistant_id, pipeline, questions, k):
                if job.cancel.is_set():
                    return
                results.append(result)
                done += 1
                job.publish(
                    progress=done / steps,
                    note=ctx.t(
                        "ui.builder.evaluating", assistant=assistant_id, done=len(results), total=len(questions)
                    ),
                )
            run.retrieval.append(evaluation.EvaluationReport(assistant_id, k, results))
            if with_answers:
                asked = [
                    answer_eval.AnswerQuestion(q.question, q.answers, q.expected)
                    for q in questions
                    if q.has_answer_key or q.keywords
                ]
                rows = []
                for row in answer_eval.evaluate_answers(
                    asked,
                    lambda q, a=assistant_id: ctx.runner.ask(a, q, lang=ctx.lang, ui=True),
                    evaluation.source_matches,
                    cancel=job.cancel.is_set,
                ):
                    rows.append(row)
                    done += 1
                    job.publish(
                        progress=done / steps,
                        note=ctx.t("ui.builder.answering", assistant=assistant_id, done=len(rows), total=len(asked)),
                    )
                    _keyword_hits(run.retrieval[-1], row)
                run.answers.append(answer_eval.AnswerReport(assistant_id, rows))
            job.publish(snapshot=run)
        run.csv = _write_csv(ctx, run)
        job.publish(snapshot=run, progress=1.0, note=ctx.t("ui.builder.evaluated", n=len(questions)))

    return work


def _keyword_hits(report: evaluation.EvaluationReport, row: answer_eval.AnswerRow) -> None:
    """Record the answer and the keywords it contains on the retrieval row of the same question."""
    for result in report.results:
        if result.question == row.question.question:
            result.answer = row.answer
            result.keyword_hits = [w for w in result.keywords if w in row.answer]


def _write_csv(ctx: AppContext, run: EvaluationRun) -> str:
    folder = ctx.settings.data_dir / "evaluations"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"evaluation-{datetime.datetime.now():%Y%m%d-%H%M%S}.csv"
    frame = (
        answer_eval.rows_frame(run.answers, headers(ctx, ANSWER_ROW_COLUMNS))
        if run.answers
        else evaluation.report_frame(run.retrieval, headers(ctx, QUESTION_COLUMNS))
    )
    frame.to_csv(out, index=False, encoding="utf-8-sig")
    return str(out)


def empty(ctx: AppContext, names: tuple[str, ...]) -> pd.DataFrame:
    """A table with only its (localised) headers, so an empty table never shows 1 2 3."""
    return pd.DataFrame(columns=list(headers(ctx, names).values()))


def evaluation_view(ctx: AppContext, job: Job | None) -> tuple[Any, ...]:
    """(message, retrieval summary, answers summary, per question, CSV file) of an evaluation job."""
    if job is None:
        return "", empty(ctx, RETRIEVAL_COLUMNS), empty(ctx, ANSWER_COLUMNS), empty(ctx, QUESTION_COLUMNS), None
    run: EvaluationRun = job.snapshot or EvaluationRun()
    retrieval = (
        evaluation.summary_frame(run.retrieval, headers(ctx, RETRIEVAL_COLUMNS))
        if run.retrieval
        else empty(ctx, RETRIEVAL_COLUMNS)
    )
    answers = (
        pd.DataFrame(answer_eval.summary_rows(run.answers)).rename(columns=headers(ctx, ANSWER_COLUMNS))
        if run.answers
        else empty(ctx, ANSWER_COLUMNS)
    )
    if run.answers:
        per_question = answer_eval.rows_frame(run.answers, headers(ctx, ANSWER_ROW_COLUMNS))
    elif run.retrieval:
        per_question = evaluation.report_frame(run.retrieval, headers(ctx, QUESTION_COLUMNS)).drop(
            columns=[ctx.t("ui.eval.col.answer")]
        )
    else:
        per_question = empty(ctx, QUESTION_COLUMNS)
    return job_line(ctx, job), retrieval, answers, per_question, run.csv


def start_evaluation(
    ctx: AppContext,
    source: str,
    sheet: Any,
    chosen: list[str] | None,
    k: float,
    with_answers: bool,
    request: gr.Request | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Check the form, start the evaluation job and follow it."""
    if source == "uploaded":
        if not sheet:
            raise EvaluationInputError("ui.builder.no_sheet")
        path = uploaded_file(sheet)
    else:
        path = SAMPLE_SHEET
    chosen = list(chosen or [])[:2]
    if not chosen:
        raise EvaluationInputError("ui.builder.choose_assistant")
    label = ctx.t("ui.job.evaluation", assistants=", ".join(chosen))
    job = ctx.jobs.submit(
        "evaluation",
        "evaluation",
        ctx.user(request),
        label,
        evaluation_work(ctx, path, chosen, int(k), bool(with_answers)),
    )
    yield from follow_job(ctx, job, evaluation_view)


def build(ctx: AppContext) -> dict[str, Any]:
    """Lay out the evaluation section (inside the builder tab)."""
    with gr.Tab(ctx.t("ui.builder.evaluation"), id="evaluation"):
        gr.Markdown(ctx.t("ui.builder.evaluation_help"))
        with gr.Row(elem_classes="tokka-wrap"):
            source = gr.Radio(
                [(ctx.t("ui.builder.sheet.sample"), "sample"), (ctx.t("ui.builder.sheet.uploaded"), "uploaded")],
                value="sample",
                label=ctx.t("ui.builder.sheet_source"),
                min_width=220,
                elem_id="tokka-sheet-source",
            )
            sheet = gr.File(
                label=ctx.t("ui.builder.sheet"),
                file_types=[".csv", ".xlsx"],
                type="filepath",
                min_width=220,
                elem_id="tokka-sheet",
            )
        with gr.Row(elem_classes="tokka-wrap"):
            chosen = gr.Dropdown(
                ctx.lists.assistant_choices(),
                multiselect=True,
                max_choices=2,
                label=ctx.t("ui.builder.compare"),
                min_width=240,
                elem_id="tokka-eval-assistants",
            )
            eval_k = gr.Slider(1, 20, value=5, step=1, label=ctx.t("ui.builder.k"), min_width=160)
            with_answers = gr.Checkbox(label=ctx.t("ui.builder.with_answers"), value=False, min_width=200)
        ctx.lists.dropdown("assistants", chosen)
        with gr.Row(elem_classes="tokka-wrap"):
            run_button = gr.Button(ctx.t("ui.builder.evaluate"), variant="primary", elem_id="tokka-evaluate")
            cancel_button = gr.Button(ctx.t("ui.corpus.cancel"), elem_id="tokka-cancel-evaluation")
        message = gr.Markdown(elem_id="tokka-eval-message")
        summary = gr.Dataframe(label=ctx.t("ui.builder.summary"), interactive=False, elem_id="tokka-eval-summary")
        answers = gr.Dataframe(
            label=ctx.t("ui.builder.answers_summary"), interactive=False, elem_id="tokka-eval-answers"
        )
        per_question = gr.Dataframe(
            label=ctx.t("ui.builder.per_question"), interactive=False, wrap=True, elem_id="tokka-eval-questions"
        )
        download = gr.File(label=ctx.t("ui.builder.download"))

    A = Permission.ADMIN
    outputs = [message, summary, answers, per_question, download]
    on(ctx, sheet.upload, lambda _: "uploaded", sheet, source, permission=A)

    def _run(s: str, f: Any, c: list[str] | None, k: float, w: bool, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from start_evaluation(ctx, s, f, c, k, w, request)

    on(
        ctx,
        run_button.click,
        _run,
        [source, sheet, chosen, eval_k, with_answers],
        outputs,
        permission=A,
        message=message,
        api_name="evaluate",
        show_progress="hidden",
    )
    on(
        ctx,
        cancel_button.click,
        lambda request: cancel_job(ctx, "evaluation", request),
        None,
        message,
        permission=A,
        api_name="cancel_evaluation",
    )

    def _attach(request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from attach_job(ctx, "evaluation", evaluation_view, request)

    ctx.on_load(_attach, outputs)
    return {"summary": summary, "answers": answers, "per_question": per_question, "eval_message": message}
