"""The assistant builder tab (administrators only): make an assistant from a form, and edit any assistant's YAML
with Validate / Try / Save / Duplicate / Delete and a version history. The evaluation section is `apps.evaluation`.

Every handler is wired with `apps.guard.on(..., permission=ADMIN)`: hiding the tab is for clarity; the check in
each handler is what protects the files (the API is reachable too). A failed action shows its message in the
message area and leaves the editor as it was.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import gradio as gr

from apps.context import AppContext
from apps.guard import Permission, escape, named, on
from apps.views import notice_text, prompt_text, sources_html
from corpus.embeddings import ollama_models
from pipelines import assistant_files
from pipelines.builder import ANSWER_STYLES, FUSIONS, AssistantSpec, check_spec, render_assistant_yaml
from pipelines.local_models import local_model_names
from pipelines.registry import AssistantError
from pipelines.validation import Issue, render_yaml, validate_text
from tokka.errors import TokkaError


class BuilderInputError(TokkaError):
    """A form or an editor action that cannot be carried out."""


def model_choices(ctx: AppContext, generator: str) -> list[str]:
    """Ollama's pulled models (when reachable), or the local GGUF models; none for the extractive generator."""
    if generator == "ollama":
        return ollama_models(ctx.settings.ollama_url, timeout=1.5) or [ctx.settings.chat_model]
    if generator == "none":
        return ["-"]
    return local_model_names()


def issues_markdown(ctx: AppContext, issues: list[Issue], file: str) -> str:
    """Validation issues as a list (each with its line), or one all-clear line."""
    if not issues:
        return "✓ " + ctx.t("ui.builder.valid")
    marks = {"error": "❌", "missing": "⚠", "warning": "⚠"}
    return "\n".join(f"- {marks.get(i.severity, '⚠')} {escape(i.message(ctx.lang, file, ui=True))}" for i in issues)


def spec_from_form(values: dict[str, Any]) -> AssistantSpec:
    """The form's values (by field name) as an `AssistantSpec`."""
    known = {f.name for f in fields(AssistantSpec)}
    spec = AssistantSpec(**{k: v for k, v in values.items() if k in known})
    spec.top_k = int(spec.top_k)
    spec.vector_share = float(spec.vector_share)
    spec.context_window = int(spec.context_window)
    spec.max_tokens = int(spec.max_tokens)
    return spec


def form_yaml(ctx: AppContext, spec: AssistantSpec) -> tuple[str, str]:
    """The form as YAML text (not saved), and its validation.

    :raises BuilderInputError: with every problem of the form.
    """
    problems = check_spec(spec)
    if problems:
        raise BuilderInputError("ui.builder.form_problems", problems="; ".join(ctx.t(k, **p) for k, p in problems))
    text = render_assistant_yaml(spec, ctx.lang)
    return text, issues_markdown(ctx, validate_text(render_yaml(text)), f"{spec.assistant_id}.yaml")


def create_from_form(ctx: AppContext, spec: AssistantSpec) -> tuple[Any, ...]:
    """Write the form's assistant file (refused if the id exists) and open it in the editor."""
    text, _ = form_yaml(ctx, spec)
    if (ctx.registry.directory / f"{spec.assistant_id}.yaml").exists():
        raise AssistantError("err.builder_exists", id=spec.assistant_id)
    return save(ctx, spec.assistant_id, text)


def _versions(assistant_id: str | None) -> gr.Dropdown:
    if not assistant_id:
        return gr.Dropdown(choices=[], value=None)
    choices = [(v.saved, v.id) for v in assistant_files.list_versions(assistant_id)]
    return gr.Dropdown(choices=choices, value=None)


def load(ctx: AppContext, assistant_id: str | None) -> tuple[Any, ...]:
    """An assistant's YAML into the editor: (picker value, editor, message, issues, versions)."""
    if not assistant_id:
        return gr.skip(), "", "", "", _versions(None)
    assistant = ctx.registry.get(assistant_id)
    issues = issues_markdown(ctx, assistant.issues, assistant.path.name)
    return assistant_id, assistant.text, "", issues, _versions(assistant_id)


def validate(ctx: AppContext, assistant_id: str | None, text: str) -> tuple[str, str]:
    """Check the editor's text (line numbers as in the editor): (cleared message, issues)."""
    return "", issues_markdown(ctx, validate_text(render_yaml(text or "")), f"{assistant_id or 'YAML'}.yaml")


def save(ctx: AppContext, assistant_id: str | None, text: str) -> tuple[Any, ...]:
    """Validate and save (the previous version is kept); refused with the errors when the text has any."""
    if not assistant_id:
        raise BuilderInputError("ui.builder.no_id")
    issues = assistant_files.save_assistant(ctx.registry, assistant_id, text or "", ctx.lang)
    message = "✓ " + ctx.t("ui.builder.saved", file=f"{assistant_id}.yaml")
    return assistant_id, text, message, issues_markdown(ctx, issues, f"{assistant_id}.yaml"), _versions(assistant_id)


def duplicate(ctx: AppContext, assistant_id: str | None, new_id: str) -> tuple[Any, ...]:
    """Copy the selected assistant under a new file name and open the copy."""
    created = assistant_files.duplicate_assistant(
        ctx.registry, assistant_id or "", (new_id or "").strip(), ctx.t("ui.builder.copy_suffix")
    )
    _, text, _, issues, versions = load(ctx, created)
    return created, text, "✓ " + ctx.t("ui.builder.duplicated", file=f"{created}.yaml"), issues, versions


def delete(ctx: AppContext, assistant_id: str | None, confirm: bool) -> tuple[Any, ...]:
    """Delete the selected assistant (its last version stays restorable)."""
    if not confirm:
        raise BuilderInputError("ui.builder.confirm_delete")
    assistant_files.delete_assistant(ctx.registry, assistant_id or "")
    message = "✓ " + ctx.t("ui.builder.deleted", file=f"{assistant_id}.yaml")
    return None, "", message, "", _versions(assistant_id), False


def restore(ctx: AppContext, assistant_id: str | None, version: str | None) -> tuple[Any, ...]:
    """Make an earlier version current (the current one becomes a version too)."""
    if not version:
        raise BuilderInputError("ui.builder.no_version")
    assistant_files.restore_version(ctx.registry, assistant_id or "", version)
    _, text, _, issues, versions = load(ctx, assistant_id)
    return assistant_id, text, "✓ " + ctx.t("ui.builder.restored", version=version), issues, versions


def try_text(ctx: AppContext, text: str, question: str) -> tuple[Any, ...]:
    """Ask the editor's (unsaved) assistant a question: answer, retrieved chunks, prompt and notice."""
    if not (question or "").strip():
        raise BuilderInputError("ui.chat.empty_question")
    result = ctx.runner.ask_text(text or "", question.strip(), lang=ctx.lang, ui=True)
    answer = escape(result.answer) if result.answer else f"⚠ {escape(result.error)}"
    return answer, sources_html(ctx, result.sources), prompt_text(result), notice_text(ctx, result)


FORM_FIELDS = (
    "assistant_id",
    "name",
    "description",
    "collection",
    "generator",
    "model",
    "persona",
    "answer_style",
    "top_k",
    "bm25_weight",
    "vector_weight",
    "fusion",
    "vector_share",
    "temperature",
    "context_window",
    "max_tokens",
)


def _form(ctx: AppContext) -> dict[str, Any]:
    """The form's components by `AssistantSpec` field name."""
    with gr.Row(elem_classes="tokka-wrap"):
        assistant_id = gr.Textbox(label=ctx.t("ui.builder.id"), placeholder="my_assistant", min_width=180)
        name = gr.Textbox(label=ctx.t("ui.builder.name"), min_width=180)
        collection = gr.Dropdown(ctx.lists.collection_names(), label=ctx.t("ui.corpus.collection"), min_width=180)
    ctx.lists.dropdown("collections", collection)
    description = gr.Textbox(label=ctx.t("ui.builder.description"))
    with gr.Row(elem_classes="tokka-wrap"):
        generator = gr.Radio(
            [(ctx.t(f"ui.generator.{g}"), g) for g in ("ollama", "local", "none")],
            value="ollama",
            label=ctx.t("ui.builder.generator"),
            min_width=240,
        )
        model = gr.Dropdown(
            model_choices(ctx, "ollama"),
            value=ctx.settings.chat_model,
            label=ctx.t("ui.builder.model"),
            allow_custom_value=True,
            min_width=200,
        )
    persona = gr.Textbox(label=ctx.t("ui.builder.persona"), lines=3, value=ctx.t("ui.builder.persona_default"))
    answer_style = gr.Radio(
        [(ctx.t(f"ui.builder.style.{k}"), k) for k in ANSWER_STYLES], value="polite", label=ctx.t("ui.builder.style")
    )
    with gr.Accordion(ctx.t("ui.builder.advanced"), open=False):
        with gr.Row(elem_classes="tokka-wrap"):
            top_k = gr.Slider(
                1,
                20,
                value=5,
                step=1,
                label=ctx.t("ui.builder.top_k"),
                info=ctx.t("ui.builder.top_k_info"),
                min_width=200,
            )
        with gr.Row(elem_classes="tokka-wrap"):
            fusion = gr.Radio(
                [(ctx.t(f"ui.builder.fusion.{f}"), f) for f in FUSIONS],
                value="auto",
                label=ctx.t("ui.builder.fusion"),
                info=ctx.t("ui.builder.fusion_info"),
                min_width=240,
            )
            vector_share = gr.Slider(
                0,
                1,
                value=0.35,
                step=0.05,
                label=ctx.t("ui.builder.vector_share"),
                info=ctx.t("ui.builder.vector_share_info"),
                min_width=200,
            )
        with gr.Row(elem_classes="tokka-wrap"):
            bm25_weight = gr.Slider(
                0,
                1,
                value=1.0,
                step=0.05,
                label=ctx.t("ui.builder.bm25_weight"),
                info=ctx.t("ui.builder.weights_info"),
                min_width=200,
            )
            vector_weight = gr.Slider(
                0, 1, value=0.2, step=0.05, label=ctx.t("ui.builder.vector_weight"), min_width=200
            )
        with gr.Row(elem_classes="tokka-wrap"):
            temperature = gr.Slider(
                0,
                1.5,
                value=0.2,
                step=0.05,
                label=ctx.t("ui.builder.temperature"),
                info=ctx.t("ui.builder.temperature_info"),
                min_width=200,
            )
            context_window = gr.Slider(
                2048, 32768, value=8192, step=1024, label=ctx.t("ui.builder.context"), min_width=200
            )
            max_tokens = gr.Slider(32, 2048, value=512, step=32, label=ctx.t("ui.builder.max_tokens"), min_width=200)
    on(
        ctx,
        generator.change,
        lambda g: gr.Dropdown(choices=model_choices(ctx, g), value=model_choices(ctx, g)[0]),
        generator,
        model,
        permission=Permission.ADMIN,
    )
    components = (
        assistant_id, name, description, collection, generator, model, persona, answer_style,
        top_k, bm25_weight, vector_weight, fusion, vector_share, temperature, context_window, max_tokens,
    )  # fmt: skip
    return dict(zip(FORM_FIELDS, components, strict=True))


def build(ctx: AppContext, sections: gr.Tabs) -> dict[str, Any]:
    """Lay out the form and editor sections inside the builder tab's `sections`. Returns the components by name."""
    with gr.Tab(ctx.t("ui.builder.form"), id="form"):
        form = _form(ctx)
        with gr.Row(elem_classes="tokka-wrap"):
            preview = gr.Button(ctx.t("ui.builder.preview"), elem_id="tokka-preview")
            create = gr.Button(ctx.t("ui.builder.create"), variant="primary", elem_id="tokka-create")
        form_message = gr.Markdown(elem_id="tokka-form-message")
    with gr.Tab(ctx.t("ui.builder.editor"), id="editor"):
        with gr.Row(elem_classes="tokka-wrap"):
            # A new name typed here saves the editor's text as a new assistant ("save as").
            picker = gr.Dropdown(
                ctx.lists.assistant_choices(),
                label=ctx.t("ui.chat.assistant"),
                scale=3,
                allow_custom_value=True,
                min_width=220,
                elem_id="tokka-editor-picker",
            )
            versions = gr.Dropdown([], label=ctx.t("ui.builder.versions"), scale=2, min_width=180)
            restore_button = gr.Button(ctx.t("ui.builder.restore"), scale=1, min_width=100)
        ctx.lists.dropdown("assistants", picker, default_first=False)
        editor = gr.Code(language="yaml", interactive=True, label="YAML", elem_id="tokka-yaml-editor")
        message = gr.Markdown(elem_id="tokka-builder-message")  # what the last action did
        issues_view = gr.Markdown(elem_id="tokka-builder-issues")  # the text's current problems
        with gr.Row(elem_classes="tokka-wrap"):
            validate_button = gr.Button(ctx.t("ui.builder.validate"), min_width=100, elem_id="tokka-validate")
            save_button = gr.Button(ctx.t("ui.builder.save"), variant="primary", min_width=100, elem_id="tokka-save")
        with gr.Row(elem_classes="tokka-wrap"):
            copy_id = gr.Textbox(label=ctx.t("ui.builder.copy_id"), scale=2, min_width=180)
            duplicate_button = gr.Button(ctx.t("ui.builder.duplicate"), min_width=100)
            confirm = gr.Checkbox(label=ctx.t("ui.builder.confirm_delete_box"), value=False, min_width=180)
            delete_button = gr.Button(ctx.t("ui.builder.delete"), variant="stop", min_width=100)
        with gr.Accordion(ctx.t("ui.builder.try"), open=True):
            with gr.Row(elem_classes="tokka-wrap"):
                try_question = gr.Textbox(
                    label=ctx.t("ui.corpus.query"), scale=4, min_width=220, elem_id="tokka-try-question"
                )
                try_button = gr.Button(ctx.t("ui.builder.try_button"), scale=1, min_width=100, elem_id="tokka-try")
            try_answer = gr.Markdown(elem_id="tokka-try-answer")
            try_notice = gr.Markdown()
            try_sources = gr.HTML(elem_id="tokka-try-sources")
            try_prompt = gr.Code(language="markdown", interactive=False, label=ctx.t("ui.chat.prompt"))

    A = Permission.ADMIN
    editor_out = [picker, editor, message, issues_view, versions]
    inputs = list(form.values())

    def _preview(values: dict[str, Any], _request: object) -> tuple[Any, ...]:
        return (*form_yaml(ctx, spec_from_form(values)), "")

    def _create(values: dict[str, Any], _request: object) -> tuple[Any, ...]:
        created = create_from_form(ctx, spec_from_form(values))
        return (*created, "✓ " + ctx.t("ui.builder.created"), gr.Tabs(selected="editor"))

    on(
        ctx,
        preview.click,
        named(list(FORM_FIELDS), _preview),
        inputs,
        [editor, issues_view, form_message],
        permission=A,
        message=form_message,
        api_name="preview",
    )

    ctx.lists.after(
        on(
            ctx,
            create.click,
            named(list(FORM_FIELDS), _create),
            inputs,
            [*editor_out, form_message, sections],
            permission=A,
            message=form_message,
            api_name="create_assistant",
        )
    )
    on(
        ctx,
        picker.input,
        lambda a: load(ctx, a),
        picker,
        editor_out,
        permission=A,
        message=message,
        api_name="load_assistant",
    )
    on(
        ctx,
        validate_button.click,
        lambda a, t: validate(ctx, a, t),
        [picker, editor],
        [message, issues_view],
        permission=A,
        message=message,
        api_name="validate",
    )
    ctx.lists.after(
        on(
            ctx,
            save_button.click,
            lambda a, t: save(ctx, a, t),
            [picker, editor],
            editor_out,
            permission=A,
            message=message,
            api_name="save_assistant",
        )
    )
    ctx.lists.after(
        on(
            ctx,
            duplicate_button.click,
            lambda a, n: duplicate(ctx, a, n),
            [picker, copy_id],
            editor_out,
            permission=A,
            message=message,
            api_name="duplicate_assistant",
        )
    )
    ctx.lists.after(
        on(
            ctx,
            delete_button.click,
            lambda a, c: delete(ctx, a, c),
            [picker, confirm],
            [*editor_out, confirm],
            permission=A,
            message=message,
            api_name="delete_assistant",
        )
    )
    ctx.lists.after(
        on(
            ctx,
            restore_button.click,
            lambda a, v: restore(ctx, a, v),
            [picker, versions],
            editor_out,
            permission=A,
            message=message,
            api_name="restore_version",
        )
    )
    on(
        ctx,
        try_button.click,
        lambda t, q: try_text(ctx, t, q),
        [editor, try_question],
        [try_answer, try_sources, try_prompt, try_notice],
        permission=A,
        message=try_notice,
        api_name="try_assistant",
    )
    return {"picker": picker, "editor": editor, "message": message, "issues": issues_view, **form}
