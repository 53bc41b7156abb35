"""One `gr.Blocks`: a header (who is logged in, log out), a folded status line, and one tab per module (chat,
corpus with the web crawl, builder with evaluation, tone tuning, from-scratch LM).

After every tab is built, the app wires what the tabs registered: which parts each role sees, the jobs a page
re-attaches to when it loads, and the lists kept current. `assert_all_guarded` then refuses to start if any event
handler lacks a role guard.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from apps import builder, chat, corpus, crawl, evaluation, scratch, tone
from apps.context import AppContext
from apps.guard import Permission, assert_all_guarded, on

CSS = """
#tokka-header { align-items: center; flex-wrap: wrap; }
#tokka-header h1 { margin: 0; }
#tokka-user { text-align: right; }
.tokka-wrap, .tokka-wrap > .form { flex-wrap: wrap !important; }
/* Gradio 6 gives a checkbox no minimum width: on a phone its label broke after every character */
.block:has(> .checkbox-container) { min-width: min(11em, 100%) !important; }
.tokka-scroll { overflow-x: auto; max-width: 100%; }
table.tokka-table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
table.tokka-table th { white-space: nowrap; text-align: left; padding: 4px 8px;
  border-bottom: 1px solid var(--border-color-primary); }
table.tokka-table td { padding: 4px 8px; vertical-align: top; overflow-wrap: anywhere;
  border-bottom: 1px solid var(--border-color-accent-subdued); }
.tokka-cards { display: grid; gap: 8px; }
.tokka-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; }
.tokka-card-head { font-size: 0.95em; overflow-wrap: anywhere; }
.tokka-cited { color: var(--color-accent); font-weight: 600; }
.tokka-scores { font-size: 0.8em; opacity: 0.75; }
.tokka-text { white-space: pre-wrap; font-size: 0.9em; margin-top: 4px; }
.tokka-empty { opacity: 0.7; font-size: 0.9em; }
.table-wrap th, .table-wrap th * { white-space: nowrap; }
@media (max-width: 640px) {
  #tokka-header h1 { font-size: 1.3em; }
  #tokka-user { text-align: left; }
  .tokka-text { font-size: 0.85em; }
}
"""


def launch_options(ctx: AppContext) -> dict[str, Any]:
    """What `launch()` needs besides host, port and logins: the style, the upload size limit, no raw errors."""
    return {
        "css": CSS,
        "max_file_size": f"{ctx.settings.max_file_mb}mb",
        "show_error": False,  # every handler turns errors into messages; nothing raw reaches the browser
        # words Gradio's own Japanese table lacks: what its status tracker announces when an event ends, and the
        # footer link to the runs kept in the browser (it appears after the first question)
        "i18n": gr.I18n(
            ja={
                "common.complete": "完了",
                "common.runs": "実行の記録",
                "common.runs_description": "このブラウザに保存された実行の記録を見る",
            }
        ),
    }


def _user_line(ctx: AppContext, request: gr.Request) -> str:
    if not ctx.auth_enabled:
        return ctx.t("ui.user.local")
    return ctx.t(
        "ui.user.logged_in", user=ctx.user(request) or "-", role=ctx.t(f"ui.role.{ctx.role(request) or 'member'}")
    )


def build_app(ctx: AppContext) -> gr.Blocks:
    """The whole UI for one app context."""
    with gr.Blocks(title=ctx.t("ui.title"), delete_cache=(3600, 3600)) as demo:
        with gr.Row(elem_id="tokka-header"):
            gr.Markdown(f"# {ctx.t('ui.title')}")
            user = gr.Markdown(elem_id="tokka-user")
            gr.Button(
                ctx.t("ui.logout"),
                link="/logout",
                size="sm",
                scale=0,
                min_width=110,
                visible=ctx.auth_enabled,
                elem_id="tokka-logout",
            )
        with gr.Accordion(ctx.t("ui.status.title"), open=False, elem_id="tokka-status-box"):
            status = gr.Markdown(ctx.t("ui.status.loading"), elem_id="tokka-status")
            refresh = gr.Button(ctx.t("ui.status.refresh"), size="sm")
        with gr.Tabs():
            with gr.Tab(ctx.t("ui.tab.chat"), id="chat"):
                chat.build(ctx)
            with gr.Tab(ctx.t("ui.tab.corpus"), id="corpus"):
                corpus.build(ctx, sections=[crawl.build])
            with gr.Tab(ctx.t("ui.tab.builder"), id="builder") as builder_tab:
                with gr.Tabs() as sections:
                    builder.build(ctx, sections)
                    evaluation.build(ctx)
            with gr.Tab(ctx.t("ui.tab.tone"), id="tone") as tone_tab:
                tone.build(ctx)
            with gr.Tab(ctx.t("ui.tab.scratch"), id="scratch"):
                scratch.build(ctx)
        ctx.gate(builder_tab, Permission.ADMIN)
        ctx.gate(tone_tab, Permission.ADMIN)
        _wire(ctx, demo, user, status, refresh)
    assert_all_guarded(demo)
    return demo


def _wire(ctx: AppContext, demo: gr.Blocks, user: gr.Markdown, status: gr.Markdown, refresh: gr.Button) -> None:
    R = Permission.READ
    on(ctx, demo.load, lambda request: _user_line(ctx, request), None, user, permission=R)
    on(ctx, demo.load, ctx.status_markdown, None, status, permission=R)
    on(ctx, refresh.click, ctx.status_markdown, None, status, permission=R, api_name="status")
    gated = [component for component, _ in ctx.gates]

    def visibility(request: gr.Request) -> list[Any]:
        return [gr.update(visible=ctx.allowed(permission, request)) for _, permission in ctx.gates]

    on(ctx, demo.load, visibility, None, gated, permission=R)
    for fn, outputs in ctx.loads:
        on(ctx, demo.load, fn, None, outputs, permission=R, show_progress="hidden")
    ctx.lists.wire(demo)
