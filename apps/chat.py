"""The chat tab: pick an assistant, ask, watch the answer stream in, and see the sources it used and why.

Handlers are plain functions (tested directly); `build()` lays out the tab and wires them through `apps.guard.on`.
The conversation is kept per browser session in a `gr.State`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import gradio as gr

from apps.context import AppContext
from apps.guard import Permission, escape, on
from apps.views import esc, notice_text, prompt_text, sources_html
from corpus.embeddings import ollama_models
from pipelines.runner import AnswerResult
from tokka.errors import TokkaError


def default_assistant(ctx: AppContext) -> str | None:
    """The first working assistant whose generator can run now (a local one when Ollama is down)."""
    working = [a for a in ctx.registry.assistants() if a.ok]
    if ollama_models(ctx.settings.ollama_url, timeout=1.0) is None:
        local = [a for a in working if a.generator in ("local", "none")]
        working = local or working
    return working[0].id if working else None


def ask(
    ctx: AppContext, question: str, assistant_id: str, history: list[dict[str, str]] | None
) -> Iterator[tuple[Any, ...]]:
    """Answer one question, streaming: yields (chat, sources, prompt, notice, history, cleared question box)."""
    history = list(history or [])
    question = (question or "").strip()
    if not question:
        raise ChatInputError("ui.chat.empty_question")
    if not assistant_id:
        raise ChatInputError("ui.chat.no_assistant")
    history = [*history, {"role": "user", "content": question}, {"role": "assistant", "content": ""}]
    empty = sources_html(ctx, [])
    yield history, empty, "", ctx.t("ui.chat.searching"), history, ""

    tokens: queue.Queue[str] = queue.Queue()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = ctx.runner.ask(assistant_id, question, on_token=tokens.put, lang=ctx.lang, ui=True)
        except TokkaError as e:
            outcome["error"] = e.message(ctx.lang, ui=True)
        except Exception as e:
            outcome["error"] = ctx.t("err.unexpected", kind=type(e).__name__)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    text = ""
    while worker.is_alive() or not tokens.empty():
        try:
            text += tokens.get(timeout=0.1)
        except queue.Empty:
            continue
        while not tokens.empty():
            text += tokens.get_nowait()
        history[-1] = {"role": "assistant", "content": text}
        yield history, empty, "", ctx.t("ui.chat.answering"), history, ""
    worker.join()
    if "error" in outcome:
        history[-1] = {"role": "assistant", "content": f"⚠ {outcome['error']}"}
        yield history, empty, "", f"⚠ **{escape(outcome['error'])}**", history, ""
        return
    result: AnswerResult = outcome["result"]
    history[-1] = {"role": "assistant", "content": result.answer or f"⚠ {result.error}"}
    yield history, sources_html(ctx, result.sources), prompt_text(result), notice_text(ctx, result), history, ""


class ChatInputError(TokkaError):
    """A question that cannot be asked (empty, or no assistant chosen)."""


def assistant_details(ctx: AppContext, assistant_id: str | None) -> tuple[str, str]:
    """(description markdown, YAML text) of the chosen assistant, with its errors if the file is broken."""
    if not assistant_id:
        return "", ""
    try:
        assistant = ctx.registry.get(assistant_id)
    except TokkaError as e:
        return f"⚠ {escape(e.message(ctx.lang, ui=True))}", ""
    kind = ctx.t(f"ui.generator.{assistant.generator}") if assistant.generator in ("ollama", "local", "none") else "-"
    lines = [
        f"**{esc(assistant.name)}** — {esc(assistant.description)}",
        ctx.t(
            "ui.chat.assistant_info",
            generator=kind,
            model=assistant.model or "-",
            collection=assistant.collection or "-",
            file=assistant.path.name,
        ),
    ]
    lines += [f"- ⚠ {escape(m)}" for m in assistant.messages(ctx.lang, ui=True)]
    return "\n\n".join(lines), assistant.text


def build(ctx: AppContext) -> dict[str, Any]:
    """Lay out the chat tab inside the current `gr.Blocks`; returns its components by name."""
    initial = default_assistant(ctx)
    with gr.Row(elem_classes="tokka-wrap"):
        picker = gr.Dropdown(
            ctx.lists.assistant_choices(),
            value=initial,
            label=ctx.t("ui.chat.assistant"),
            scale=3,
            min_width=240,
            elem_id="tokka-assistant",
        )
        show_prompt = gr.Checkbox(label=ctx.t("ui.chat.show_prompt"), value=False, scale=1, min_width=160)
        show_yaml = gr.Checkbox(label=ctx.t("ui.chat.show_yaml"), value=False, scale=1, min_width=160)
    ctx.lists.dropdown("assistants", picker)
    description, yaml_text = assistant_details(ctx, initial)
    info = gr.Markdown(description, elem_id="tokka-assistant-info")
    chatbot = gr.Chatbot(label=ctx.t("ui.chat.conversation"), height=420, elem_id="tokka-chat")
    with gr.Row(elem_classes="tokka-wrap"):
        question = gr.Textbox(
            label=ctx.t("ui.chat.question"),  # hidden, but read out (Gradio would say "Textbox")
            placeholder=ctx.t("ui.chat.placeholder"),
            show_label=False,
            scale=5,
            min_width=220,
            lines=1,
            elem_id="tokka-question",
        )
        send = gr.Button(ctx.t("ui.chat.send"), variant="primary", scale=1, min_width=80, elem_id="tokka-send")
        clear = gr.Button(ctx.t("ui.chat.clear"), scale=1, min_width=80, elem_id="tokka-clear")
    notice = gr.Markdown(elem_id="tokka-notice")
    gr.Markdown(f"#### {ctx.t('ui.chat.sources')}")
    sources = gr.HTML(sources_html(ctx, []), elem_id="tokka-sources")
    with gr.Accordion(ctx.t("ui.chat.prompt"), open=True, visible=False) as prompt_box:
        prompt = gr.Code(language="markdown", interactive=False, show_label=False)
    with gr.Accordion(ctx.t("ui.chat.yaml"), open=True, visible=False) as yaml_box:
        yaml_view = gr.Code(value=yaml_text, language="yaml", interactive=False, show_label=False)
    history = gr.State([])

    outputs = [chatbot, sources, prompt, notice, history, question]

    def _ask(q: str, a: str, h: list[dict[str, str]] | None) -> Iterator[tuple[Any, ...]]:
        yield from ask(ctx, q, a, h)

    for trigger, api_name in ((send.click, "ask"), (question.submit, False)):
        on(
            ctx,
            trigger,
            _ask,
            [question, picker, history],
            outputs,
            permission=Permission.READ,
            message=notice,
            api_name=api_name,
        )
    on(
        ctx,
        clear.click,
        lambda: ([], [], sources_html(ctx, []), "", ""),
        None,
        [chatbot, history, sources, prompt, notice],
        permission=Permission.READ,
        api_name="clear",
    )
    on(ctx, picker.change, lambda a: assistant_details(ctx, a), picker, [info, yaml_view], permission=Permission.READ)
    on(ctx, show_prompt.change, lambda v: gr.Accordion(visible=v), show_prompt, prompt_box, permission=Permission.READ)
    on(ctx, show_yaml.change, lambda v: gr.Accordion(visible=v), show_yaml, yaml_box, permission=Permission.READ)
    return {
        "picker": picker,
        "chatbot": chatbot,
        "question": question,
        "send": send,
        "sources": sources,
        "notice": notice,
        "prompt": prompt,
        "yaml": yaml_view,
        "history": history,
    }
