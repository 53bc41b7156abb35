"""The assistant builder tab (administrators only): make an assistant from a form, edit any assistant's YAML with
Validate / Try / Save / Duplicate / Delete and a version history, and evaluate retrieval on a question sheet.

Every handler checks the caller: when the app has logins, only the users given with `--admin` may change files.
Hiding the tab is for clarity; the check in each handler is what protects the files (the API is reachable too).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from apps.context import AppContext
from apps.corpus import collection_names
from corpus.embeddings import ollama_models
from pipelines import assistant_files, evaluation
from pipelines.builder import ANSWER_STYLES, AssistantSpec, check_spec, render_assistant_yaml
from pipelines.local_models import local_model_names
from pipelines.validation import render_yaml, validate_text
from tokka.errors import TokkaError
from tokka.settings import REPO_ROOT

SAMPLE_SHEET = REPO_ROOT / "pipelines" / "evaluation_sheets" / "samples_questions.csv"


def _guard(ctx: AppContext, request: gr.Request | None) -> None:
    if not ctx.is_admin(request):
        raise gr.Error(ctx.t("err.not_admin"))


def _fail(ctx: AppContext, error: TokkaError) -> gr.Error:
    return gr.Error(error.message(ctx.lang))


def model_choices(ctx: AppContext, generator: str) -> list[str]:
    """Ollama's pulled models (when reachable), or the local GGUF models."""
    if generator == "ollama":
        return ollama_models(ctx.settings.ollama_url, timeout=1.5) or [ctx.settings.chat_model]
    return local_model_names()


def assistant_ids(ctx: AppContext) -> list[tuple[str, str]]:
    """(label, id) of every assistant file."""
    return [(f"{a.name} ({a.id})" if a.ok else f"⚠ {a.name} ({a.id})", a.id) for a in ctx.registry.assistants()]


def issues_markdown(ctx: AppContext, issues: list, file: str) -> str:
    """Validation issues as a list, or an all-clear line."""
    if not issues:
        return "✓ " + ctx.t("ui.builder.valid")
    return "\n".join(f"- {'❌' if i.severity == 'error' else '⚠'} {i.message(ctx.lang, file)}" for i in issues)


def form_yaml(ctx: AppContext, *values: Any, request: gr.Request | None = None) -> tuple[str, str]:  # noqa: ANN401
    """The form as YAML text (not saved), and its validation."""
    _guard(ctx, request)
    spec = AssistantSpec(*values)
    problems = check_spec(spec)
    if problems:
        raise gr.Error("\n".join(ctx.t(key, **params) for key, params in problems))
    text = render_assistant_yaml(spec)
    return text, issues_markdown(ctx, validate_text(render_yaml(text)), f"{spec.assistant_id}.yaml")


def create_from_form(ctx: AppContext, *values: Any, request: gr.Request | None = None) -> tuple[Any, ...]:  # noqa: ANN401
    """Write the form's assistant file (refused if the id exists) and open it in the editor."""
    text, _ = form_yaml(ctx, *values, request=request)
    assistant_id = values[0]
    if (ctx.registry.directory / f"{assistant_id}.yaml").exists():
        raise gr.Error(ctx.t("err.builder_exists", id=assistant_id))
    return save(ctx, assistant_id, text, request=request)


def load(ctx: AppContext, assistant_id: str | None, request: gr.Request | None = None) -> tuple[Any, ...]:
    """An assistant's YAML into the editor, with its issues and version list."""
    _guard(ctx, request)
    if not assistant_id:
        return "", "", gr.Dropdown(choices=[], value=None)
    try:
        assistant = ctx.registry.get(assistant_id)
    except TokkaError as e:
        raise _fail(ctx, e) from e
    return assistant.text, issues_markdown(ctx, assistant.issues, assistant.path.name), _versions(assistant_id)


def _versions(assistant_id: str) -> gr.Dropdown:
    choices = [(v.saved, v.id) for v in assistant_files.list_versions(assistant_id)]
    return gr.Dropdown(choices=choices, value=None)


def validate(ctx: AppContext, assistant_id: str | None, text: str, request: gr.Request | None = None) -> str:
    """Check the editor's text (line numbers as in the editor)."""
    _guard(ctx, request)
    return issues_markdown(ctx, validate_text(render_yaml(text or "")), f"{assistant_id or 'YAML'}.yaml")


def save(ctx: AppContext, assistant_id: str | None, text: str, request: gr.Request | None = None) -> tuple[Any, ...]:
    """Validate and save (the previous version is kept); refused with the errors when the text has any."""
    _guard(ctx, request)
    try:
        issues = assistant_files.save_assistant(ctx.registry, assistant_id or "", text or "", ctx.lang)
    except TokkaError as e:
        raise _fail(ctx, e) from e
    message = (
        ctx.t("ui.builder.saved", file=f"{assistant_id}.yaml")
        + "\n\n"
        + issues_markdown(ctx, issues, f"{assistant_id}.yaml")
    )
    return gr.Dropdown(choices=assistant_ids(ctx), value=assistant_id), text, message, _versions(assistant_id)


def duplicate(
    ctx: AppContext, assistant_id: str | None, new_id: str, request: gr.Request | None = None
) -> tuple[Any, ...]:
    """Copy the selected assistant under a new file name and open the copy."""
    _guard(ctx, request)
    try:
        created = assistant_files.duplicate_assistant(
            ctx.registry, assistant_id or "", (new_id or "").strip(), ctx.t("ui.builder.copy_suffix")
        )
    except TokkaError as e:
        raise _fail(ctx, e) from e
    text, issues, versions = load(ctx, created, request=request)
    return (
        gr.Dropdown(choices=assistant_ids(ctx), value=created),
        text,
        ctx.t("ui.builder.duplicated", file=f"{created}.yaml") + "\n\n" + issues,
        versions,
    )


def delete(
    ctx: AppContext, assistant_id: str | None, confirm: bool, request: gr.Request | None = None
) -> tuple[Any, ...]:
    """Delete the selected assistant (its last version stays restorable)."""
    _guard(ctx, request)
    if not confirm:
        raise gr.Error(ctx.t("ui.builder.confirm_delete"))
    try:
        assistant_files.delete_assistant(ctx.registry, assistant_id or "")
    except TokkaError as e:
        raise _fail(ctx, e) from e
    return (
        gr.Dropdown(choices=assistant_ids(ctx), value=None),
        "",
        ctx.t("ui.builder.deleted", file=f"{assistant_id}.yaml"),
        _versions(assistant_id or "x"),
        False,
    )


def restore(
    ctx: AppContext, assistant_id: str | None, version: str | None, request: gr.Request | None = None
) -> tuple[Any, ...]:
    """Make an earlier version current (the current one becomes a version too)."""
    _guard(ctx, request)
    try:
        assistant_files.restore_version(ctx.registry, assistant_id or "", version or "")
    except TokkaError as e:
        raise _fail(ctx, e) from e
    text, issues, versions = load(ctx, assistant_id, request=request)
    return (
        gr.Dropdown(choices=assistant_ids(ctx), value=assistant_id),
        text,
        ctx.t("ui.builder.restored", version=version) + "\n\n" + issues,
        versions,
    )


def try_text(ctx: AppContext, text: str, question: str, request: gr.Request | None = None) -> tuple[Any, ...]:
    """Ask the editor's (unsaved) assistant a question: answer, retrieved chunks and prompt."""
    from apps.chat import notice_text, prompt_text, sources_table

    _guard(ctx, request)
    if not (question or "").strip():
        raise gr.Error(ctx.t("ui.chat.empty_question"))
    try:
        result = ctx.runner.ask_text(text or "", question.strip(), lang=ctx.lang)
    except TokkaError as e:
        raise _fail(ctx, e) from e
    answer = result.answer or f"⚠ {result.error}"
    return answer, sources_table(ctx, result.sources), prompt_text(result), notice_text(ctx, result)


def run_evaluation(
    ctx: AppContext,
    sheet: str | None,
    use_sample: bool,
    chosen: list[str] | None,
    k: float,
    with_answers: bool,
    request: gr.Request | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Evaluate one or two assistants on a question sheet; yields progress, then the tables and a CSV file."""
    _guard(ctx, request)
    path = SAMPLE_SHEET if use_sample or not sheet else Path(sheet)
    chosen = list(chosen or [])[:2]
    if not chosen:
        raise gr.Error(ctx.t("ui.builder.choose_assistant"))
    try:
        questions = evaluation.load_questions(path)
        reports = []
        for assistant_id in chosen:
            pipeline = ctx.registry.pipeline(assistant_id)
            answer = (lambda q, a=assistant_id: ctx.runner.ask(a, q, lang=ctx.lang).answer) if with_answers else None
            results = []
            for result in evaluation.evaluate(assistant_id, pipeline, questions, int(k), answer):
                results.append(result)
                yield (
                    None,
                    None,
                    None,
                    ctx.t("ui.builder.evaluating", assistant=assistant_id, done=len(results), total=len(questions)),
                )
            reports.append(evaluation.EvaluationReport(assistant_id, int(k), results))
    except TokkaError as e:
        raise _fail(ctx, e) from e
    per_question = evaluation.report_frame(reports)
    folder = ctx.settings.data_dir / "evaluations"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"evaluation-{datetime.datetime.now():%Y%m%d-%H%M%S}.csv"
    per_question.to_csv(out, index=False, encoding="utf-8-sig")
    shown = per_question.drop(columns=["answer"]) if not with_answers else per_question
    yield evaluation.summary_frame(reports), shown, str(out), ctx.t("ui.builder.evaluated", n=len(questions))


def build(ctx: AppContext, chat_parts: dict[str, Any]) -> tuple[gr.Tab, dict[str, Any]]:
    """Lay out the builder tab (hidden until the visitor is known to be an admin); returns (tab, components)."""
    with gr.Tab(ctx.t("ui.tab.builder"), visible=not ctx.auth_enabled) as tab, gr.Tabs() as sections:
        with gr.Tab(ctx.t("ui.builder.form"), id="form"):
            with gr.Row():
                new_id = gr.Textbox(label=ctx.t("ui.builder.id"), placeholder="my_assistant")
                name = gr.Textbox(label=ctx.t("ui.builder.name"))
                names = collection_names(ctx)
                collection = gr.Dropdown(
                    names,
                    value=names[0] if names else None,
                    label=ctx.t("ui.corpus.collection"),
                    allow_custom_value=True,
                )
            description = gr.Textbox(label=ctx.t("ui.builder.description"))
            with gr.Row():
                generator = gr.Radio(
                    [(ctx.t("ui.generator.ollama"), "ollama"), (ctx.t("ui.generator.local"), "local")],
                    value="ollama",
                    label=ctx.t("ui.builder.generator"),
                )
                model = gr.Dropdown(
                    model_choices(ctx, "ollama"),
                    value=ctx.settings.chat_model,
                    label=ctx.t("ui.builder.model"),
                    allow_custom_value=True,
                )
            persona = gr.Textbox(label=ctx.t("ui.builder.persona"), lines=3, value=ctx.t("ui.builder.persona_default"))
            style = gr.Radio(
                [(ctx.t(f"ui.builder.style.{k}"), k) for k in ANSWER_STYLES],
                value="polite",
                label=ctx.t("ui.builder.style"),
            )
            with gr.Row():
                top_k = gr.Slider(1, 20, value=5, step=1, label=ctx.t("ui.builder.top_k"))
                bm25_weight = gr.Slider(0, 1, value=1.0, step=0.05, label=ctx.t("ui.builder.bm25_weight"))
                vector_weight = gr.Slider(0, 1, value=0.2, step=0.05, label=ctx.t("ui.builder.vector_weight"))
                temperature = gr.Slider(0, 1.5, value=0.2, step=0.05, label=ctx.t("ui.builder.temperature"))
                context = gr.Slider(2048, 32768, value=8192, step=1024, label=ctx.t("ui.builder.context"))
                max_tokens = gr.Slider(32, 2048, value=512, step=32, label=ctx.t("ui.builder.max_tokens"))
            with gr.Row():
                preview = gr.Button(ctx.t("ui.builder.preview"))
                create = gr.Button(ctx.t("ui.builder.create"), variant="primary")
        with gr.Tab(ctx.t("ui.builder.editor"), id="editor"):
            with gr.Row():
                # A new name typed here saves the editor's text as a new assistant ("save as").
                picker = gr.Dropdown(
                    assistant_ids(ctx), label=ctx.t("ui.chat.assistant"), scale=3, allow_custom_value=True
                )
                versions = gr.Dropdown([], label=ctx.t("ui.builder.versions"), scale=2)
                restore_button = gr.Button(ctx.t("ui.builder.restore"), scale=1)
            editor = gr.Code(language="yaml", interactive=True, label="YAML", elem_id="tokka-yaml-editor")
            message = gr.Markdown(elem_id="tokka-builder-message")  # what the last action did
            issues_view = gr.Markdown(elem_id="tokka-builder-issues")  # the file's current problems
            with gr.Row():
                validate_button = gr.Button(ctx.t("ui.builder.validate"))
                save_button = gr.Button(ctx.t("ui.builder.save"), variant="primary")
                copy_id = gr.Textbox(label=ctx.t("ui.builder.copy_id"), scale=2)
                duplicate_button = gr.Button(ctx.t("ui.builder.duplicate"))
                confirm = gr.Checkbox(label=ctx.t("ui.builder.confirm_delete_box"), value=False)
                delete_button = gr.Button(ctx.t("ui.builder.delete"), variant="stop")
            with gr.Accordion(ctx.t("ui.builder.try"), open=True):
                with gr.Row():
                    try_question = gr.Textbox(label=ctx.t("ui.corpus.query"), scale=4)
                    try_button = gr.Button(ctx.t("ui.builder.try_button"), scale=1)
                try_answer = gr.Markdown()
                try_notice = gr.Markdown()
                try_sources = gr.Dataframe(label=ctx.t("ui.chat.sources"), interactive=False, wrap=True)
                try_prompt = gr.Code(language="markdown", interactive=False, label=ctx.t("ui.chat.prompt"))
        with gr.Tab(ctx.t("ui.builder.evaluation"), id="evaluation"):
            gr.Markdown(ctx.t("ui.builder.evaluation_help"))
            with gr.Row():
                sheet = gr.File(label=ctx.t("ui.builder.sheet"), file_types=[".csv", ".xlsx"], type="filepath")
                use_sample = gr.Checkbox(label=ctx.t("ui.builder.use_sample"), value=True)
            with gr.Row():
                chosen = gr.Dropdown(
                    assistant_ids(ctx), multiselect=True, max_choices=2, label=ctx.t("ui.builder.compare")
                )
                eval_k = gr.Slider(1, 20, value=5, step=1, label="k")
                with_answers = gr.Checkbox(label=ctx.t("ui.builder.with_answers"), value=False)
            eval_button = gr.Button(ctx.t("ui.builder.evaluate"), variant="primary")
            eval_message = gr.Markdown()
            summary = gr.Dataframe(label=ctx.t("ui.builder.summary"), interactive=False)
            per_question = gr.Dataframe(label=ctx.t("ui.builder.per_question"), interactive=False, wrap=True)
            download = gr.File(label=ctx.t("ui.builder.download"))

    form = [
        new_id,
        name,
        description,
        collection,
        generator,
        model,
        persona,
        style,
        top_k,
        bm25_weight,
        vector_weight,
        temperature,
        context,
        max_tokens,
    ]
    picker_out = [picker, editor, message, versions]
    chat_picker, chat_version = chat_parts["picker"], chat_parts["version"]

    def refresh_chat(event: Any) -> None:  # noqa: ANN401 - a Gradio event dependency
        from apps.chat import refresh_picker

        event.then(
            lambda a, v: refresh_picker(ctx, a, v),
            [chat_picker, chat_version],
            [chat_picker, chat_version],
            api_name=False,
        )

    generator.change(
        lambda g: gr.Dropdown(choices=model_choices(ctx, g), value=model_choices(ctx, g)[0]),
        generator,
        model,
        api_name=False,
    )

    # Gradio injects `request` only into functions with explicit parameters (not *args), hence the long signatures.
    def _preview(i, n, d, c, g, m, p, s, k, bw, vw, t, cw, mt, request: gr.Request) -> tuple[str, str]:  # noqa: ANN001
        return form_yaml(ctx, i, n, d, c, g, m, p, s, k, bw, vw, t, cw, mt, request=request)

    preview.click(_preview, form, [editor, issues_view], api_name="preview")

    def _create(i, n, d, c, g, m, p, s, k, bw, vw, t, cw, mt, request: gr.Request) -> tuple[Any, ...]:  # noqa: ANN001
        return create_from_form(ctx, i, n, d, c, g, m, p, s, k, bw, vw, t, cw, mt, request=request)

    def _load(a: str | None, request: gr.Request) -> tuple[Any, ...]:
        return load(ctx, a, request=request)

    def _validate(a: str | None, text: str, request: gr.Request) -> str:
        return validate(ctx, a, text, request=request)

    def _save(a: str | None, text: str, request: gr.Request) -> tuple[Any, ...]:
        return save(ctx, a, text, request=request)

    def _duplicate(a: str | None, n: str, request: gr.Request) -> tuple[Any, ...]:
        return duplicate(ctx, a, n, request=request)

    def _delete(a: str | None, c: bool, request: gr.Request) -> tuple[Any, ...]:
        return delete(ctx, a, c, request=request)

    def _restore(a: str | None, v: str | None, request: gr.Request) -> tuple[Any, ...]:
        return restore(ctx, a, v, request=request)

    def _try(text: str, q: str, request: gr.Request) -> tuple[Any, ...]:
        return try_text(ctx, text, q, request=request)

    def _evaluate(
        s: str | None, u: bool, c: list[str] | None, k: float, w: bool, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        yield from run_evaluation(ctx, s, u, c, k, w, request=request)

    created = create.click(_create, form, picker_out, api_name="create_assistant")
    created.success(lambda: gr.Tabs(selected="editor"), None, sections, api_name=False)  # show the new file
    refresh_chat(created)
    picker.change(_load, picker, [editor, issues_view, versions], api_name="load_assistant")
    validate_button.click(_validate, [picker, editor], issues_view, api_name="validate")
    refresh_chat(save_button.click(_save, [picker, editor], picker_out, api_name="save_assistant"))
    refresh_chat(duplicate_button.click(_duplicate, [picker, copy_id], picker_out, api_name="duplicate_assistant"))
    refresh_chat(delete_button.click(_delete, [picker, confirm], [*picker_out, confirm], api_name="delete_assistant"))
    refresh_chat(restore_button.click(_restore, [picker, versions], picker_out, api_name="restore_version"))
    try_button.click(
        _try, [editor, try_question], [try_answer, try_sources, try_prompt, try_notice], api_name="try_assistant"
    )
    eval_button.click(
        _evaluate,
        [sheet, use_sample, chosen, eval_k, with_answers],
        [summary, per_question, download, eval_message],
        api_name="evaluate",
    )
    return tab, {"picker": picker, "editor": editor, "message": message, "summary": summary}


def visible_for(ctx: AppContext, request: gr.Request) -> gr.Tab:
    """Show the builder tab only to admins (called when a page loads)."""
    return gr.Tab(visible=ctx.is_admin(request))
