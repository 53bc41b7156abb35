"""One `gr.Blocks` with a status line and one tab per module (chat, corpus, builder, tone tuning, from-scratch LM)."""

from __future__ import annotations

import gradio as gr

from apps import builder, chat, corpus, scratch, tone
from apps.context import AppContext


def build_app(ctx: AppContext) -> gr.Blocks:
    """The whole UI for one app context."""
    with gr.Blocks(title=ctx.t("ui.title")) as demo:
        gr.Markdown(f"# {ctx.t('ui.title')}")
        with gr.Row():
            status = gr.Markdown(ctx.t("ui.status.loading"), elem_id="tokka-status")
            refresh = gr.Button(ctx.t("ui.status.refresh"), size="sm", scale=0)
        with gr.Tabs():
            with gr.Tab(ctx.t("ui.tab.chat")):
                chat_parts = chat.build(ctx)
            with gr.Tab(ctx.t("ui.tab.corpus")):
                corpus.build(ctx)
            builder_tab, _ = builder.build(ctx, chat_parts)
            with gr.Tab(ctx.t("ui.tab.tone")):
                tone.build(ctx)
            with gr.Tab(ctx.t("ui.tab.scratch")):
                scratch.build(ctx)
        demo.load(ctx.status_markdown, None, status, api_name=False)

        def builder_visibility(request: gr.Request) -> gr.Tab:
            return builder.visible_for(ctx, request)

        demo.load(builder_visibility, None, builder_tab, api_name=False)
        refresh.click(ctx.status_markdown, None, status, api_name="status")
    return demo
