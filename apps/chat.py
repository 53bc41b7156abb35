"""The chat tab: pick an assistant, ask, watch the answer stream in, and see the sources it used and why.

Handlers are plain functions (tested directly); `build()` lays out the tab and wires them. The conversation is
kept per browser session in a `gr.State`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from apps.context import AppContext
from pipelines.runner import AnswerResult
from tokka.errors import TokkaError

SOURCE_COLUMNS = ("number", "cited", "source", "title", "content", "bm25", "vector", "fused")


def assistant_choices(ctx: AppContext) -> list[tuple[str, str]]:
    """(label, id) pairs for the picker; broken files are listed with a warning sign."""
    return [(a.name if a.ok else f"⚠ {a.name}", a.id) for a in ctx.registry.assistants()]


def default_assistant(ctx: AppContext) -> str | None:
    """The first working assistant whose generator can run now (a local one when Ollama is down)."""
    from corpus.embeddings import ollama_models

    working = [a for a in ctx.registry.assistants() if a.ok]
    if ollama_models(ctx.settings.ollama_url, timeout=1.0) is None:
        local = [a for a in working if a.generator == "local"]
        working = local or working
    return working[0].id if working else None


def sources_table(ctx: AppContext, sources: list[dict[str, Any]]) -> pd.DataFrame:
    """The sources panel: number, cited, file name or URL, title and section, text, the three scores."""
    headers = [ctx.t(f"ui.chat.col.{c}") for c in SOURCE_COLUMNS]
    rows = []
    for s in sources:
        name = s["source"] if "://" in s["source"] else Path(s["source"]).name
        title = s["title"] + (f" › {s['heading']}" if s.get("heading") and s["heading"] != s["title"] else "")
        rows.append(
            [
                s["number"],
                "✓" if s["cited"] else "",
                name,
                title,
                s["content"],
                _fmt(s.get("bm25_score")),
                _fmt(s.get("vector_score")),
                _fmt(s.get("fused_score")),
            ]
        )
    return pd.DataFrame(rows, columns=headers)


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else "-"


def prompt_text(result: AnswerResult) -> str:
    """The exact messages sent to the model."""
    return "\n\n".join(f"### {m['role']}\n{m['text']}" for m in result.prompt)


def notice_text(ctx: AppContext, result: AnswerResult) -> str:
    """Retrieval mode, query tokens, timings, and any notice or error."""
    parts = []
    if result.error:
        parts.append(f"⚠ **{result.error}**")
    if result.notice:
        parts.append(f"ℹ {result.notice}")
    if result.query_tokens or result.mode:
        parts.append(ctx.t("ui.chat.retrieval", mode=result.mode or "-", tokens=" / ".join(result.query_tokens)))
    if result.timings:
        parts.append(ctx.t("ui.chat.timings", seconds=f"{result.timings.get('total', 0):.1f}"))
    return "\n\n".join(parts)


def ask(
    ctx: AppContext, question: str, assistant_id: str, history: list[dict[str, str]] | None
) -> Iterator[tuple[Any, ...]]:
    """Answer one question, streaming: yields (chat, sources, prompt, notice, history, cleared question box)."""
    history = list(history or [])
    question = (question or "").strip()
    if not question:
        raise gr.Error(ctx.t("ui.chat.empty_question"))
    if not assistant_id:
        raise gr.Error(ctx.t("ui.chat.no_assistant"))
    history = [*history, {"role": "user", "content": question}, {"role": "assistant", "content": ""}]
    empty = sources_table(ctx, [])
    yield history, empty, "", ctx.t("ui.chat.searching"), history, ""

    tokens: queue.Queue[str] = queue.Queue()
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = ctx.runner.ask(assistant_id, question, on_token=tokens.put, lang=ctx.lang)
        except TokkaError as e:
            outcome["error"] = e.message(ctx.lang)
        except Exception as e:  # noqa: BLE001 - shown to the user instead of a silent failure
            outcome["error"] = ctx.t("err.generation_failed", detail=str(e)[:300])

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
        yield history, empty, "", f"⚠ **{outcome['error']}**", history, ""
        return
    result: AnswerResult = outcome["result"]
    history[-1] = {"role": "assistant", "content": result.answer or f"⚠ {result.error}"}
    yield history, sources_table(ctx, result.sources), prompt_text(result), notice_text(ctx, result), history, ""


def assistant_details(ctx: AppContext, assistant_id: str | None) -> tuple[str, str]:
    """(description markdown, YAML text) of the chosen assistant, with its errors if the file is broken."""
    if not assistant_id:
        return "", ""
    try:
        assistant = ctx.registry.get(assistant_id)
    except TokkaError as e:
        return f"⚠ {e.message(ctx.lang)}", ""
    kind = ctx.t(f"ui.generator.{assistant.generator}") if assistant.generator in ("ollama", "local") else "-"
    lines = [
        f"**{assistant.name}** — {assistant.description}",
        ctx.t(
            "ui.chat.assistant_info",
            generator=kind,
            model=assistant.model or "-",
            collection=assistant.collection or "-",
            file=assistant.path.name,
        ),
    ]
    lines += [f"- ⚠ {m}" for m in assistant.messages(ctx.lang)]
    return "\n\n".join(lines), assistant.text


def refresh_picker(ctx: AppContext, current: str | None, seen_version: int) -> tuple[Any, int]:
    """Update the picker when assistant files were added, changed or removed (hot reload)."""
    ctx.registry.refresh()
    if ctx.registry.version == seen_version:
        return gr.skip(), seen_version
    choices = assistant_choices(ctx)
    ids = [value for _, value in choices]
    value = current if current in ids else default_assistant(ctx)
    return gr.Dropdown(choices=choices, value=value), ctx.registry.version


def build(ctx: AppContext) -> dict[str, Any]:
    """Lay out the chat tab inside the current `gr.Blocks`; returns its components by name."""
    initial = default_assistant(ctx)
    with gr.Row():
        picker = gr.Dropdown(
            assistant_choices(ctx), value=initial, label=ctx.t("ui.chat.assistant"), scale=3, allow_custom_value=True
        )
        show_prompt = gr.Checkbox(label=ctx.t("ui.chat.show_prompt"), value=False, scale=1)
        show_yaml = gr.Checkbox(label=ctx.t("ui.chat.show_yaml"), value=False, scale=1)
    description, yaml_text = assistant_details(ctx, initial)
    info = gr.Markdown(description)
    chatbot = gr.Chatbot(label=ctx.t("ui.chat.conversation"), height=420, elem_id="tokka-chat")
    with gr.Row():
        question = gr.Textbox(
            placeholder=ctx.t("ui.chat.placeholder"), show_label=False, scale=5, lines=1, elem_id="tokka-question"
        )
        send = gr.Button(ctx.t("ui.chat.send"), variant="primary", scale=1, elem_id="tokka-send")
        clear = gr.Button(ctx.t("ui.chat.clear"), scale=1)
    notice = gr.Markdown(elem_id="tokka-notice")
    sources = gr.Dataframe(
        value=sources_table(ctx, []),
        label=ctx.t("ui.chat.sources"),
        wrap=True,
        interactive=False,
        elem_id="tokka-sources",
        column_widths=["5%", "5%", "14%", "16%", "42%", "6%", "6%", "6%"],
    )
    with gr.Accordion(ctx.t("ui.chat.prompt"), open=True, visible=False) as prompt_box:
        prompt = gr.Code(language="markdown", interactive=False, show_label=False)
    with gr.Accordion(ctx.t("ui.chat.yaml"), open=True, visible=False) as yaml_box:
        yaml_view = gr.Code(value=yaml_text, language="yaml", interactive=False, show_label=False)
    history = gr.State([])
    version = gr.State(ctx.registry.version)
    timer = gr.Timer(3.0)

    outputs = [chatbot, sources, prompt, notice, history, question]
    send.click(lambda q, a, h: (yield from ask(ctx, q, a, h)), [question, picker, history], outputs, api_name="ask")
    question.submit(
        lambda q, a, h: (yield from ask(ctx, q, a, h)), [question, picker, history], outputs, api_name=False
    )
    clear.click(
        lambda: ([], [], sources_table(ctx, []), "", ""),
        None,
        [chatbot, history, sources, prompt, notice],
        api_name="clear",
    )
    picker.change(lambda a: assistant_details(ctx, a), picker, [info, yaml_view], api_name=False)
    show_prompt.change(lambda v: gr.Accordion(visible=v), show_prompt, prompt_box, api_name=False)
    show_yaml.change(lambda v: gr.Accordion(visible=v), show_yaml, yaml_box, api_name=False)
    timer.tick(lambda a, v: refresh_picker(ctx, a, v), [picker, version], [picker, version], api_name=False)
    return {
        "version": version,
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
