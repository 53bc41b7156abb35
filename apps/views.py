"""How things look, shared by every tab: times, file names, status tables, source cards, loss plots, messages.

Tables that show the progress of a job are HTML (they wrap on a phone and never squeeze a header into one
character per line); lists the user picks from are `gr.Dataframe`s. Every piece of user or document text is
HTML-escaped before it is shown.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from apps.context import AppContext
    from apps.jobs import Job
    from pipelines.runner import AnswerResult


def when(timestamp: float | None) -> str:
    """A local date and time for tables (`2026-12-06 14:05`)."""
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M") if timestamp else "-"


def clock(timestamp: float | None) -> str:
    """A local time of day (`14:05:09`)."""
    return datetime.datetime.fromtimestamp(timestamp).strftime("%H:%M:%S") if timestamp else "-"


def short(source: str) -> str:
    """A file's name, or a URL as is."""
    return source if "://" in source else Path(source).name


def esc(value: object) -> str:
    """HTML-escaped text."""
    return html.escape("" if value is None else str(value), quote=True)


def score(value: object) -> str:
    """A score with three decimals, or `-`."""
    return f"{value:.3f}" if isinstance(value, int | float) else "-"


def html_table(headers: Sequence[str], rows: Sequence[Sequence[object]], elem_class: str = "tokka-table") -> str:
    """A scrollable HTML table (escaped cells; headers never wrap per character)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    table = f'<table class="{elem_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    return f'<div class="tokka-scroll">{table}</div>'


def progress_bar(fraction: float | None) -> str:
    """A text progress bar (`▓▓▓░░░ 50%`)."""
    if fraction is None:
        return ""
    filled = round(fraction * 20)
    return f"{'▓' * filled}{'░' * (20 - filled)} {fraction:.0%}"


def job_line(ctx: AppContext, job: Job) -> str:
    """When a job started, how it ended and how long it took (the message area's first line)."""
    if job.running:
        head = ctx.t("ui.job.running", label=job.label, started=clock(job.started))
        bar = progress_bar(job.progress)
        return "  ".join(p for p in (head, bar, esc(job.note)) if p)
    took = f"{(job.finished or job.started) - job.started:.0f}"
    key = {"done": "ui.job.done", "cancelled": "ui.job.cancelled", "failed": "ui.job.failed"}[job.state]
    line = ctx.t(key, label=job.label, started=clock(job.started), finished=clock(job.finished), seconds=took)
    if job.state == "failed" and job.error is not None:
        from tokka.errors import TokkaError

        detail = (
            job.error.message(ctx.lang, ui=True)
            if isinstance(job.error, TokkaError)
            else ctx.t("err.unexpected", kind=type(job.error).__name__)
        )
        line += f"\n\n⚠ {esc(detail)}"
    elif job.note:
        line += f"\n\n{esc(job.note)}"
    return line


def sources_html(ctx: AppContext, sources: list[dict[str, Any]]) -> str:
    """Retrieved chunks as cards: number, cited mark, file or URL, title › section, scores, then the text."""
    if not sources:
        return f'<div class="tokka-empty">{esc(ctx.t("ui.chat.no_sources"))}</div>'
    cards = []
    for s in sources:
        cited = f'<span class="tokka-cited">✓ {esc(ctx.t("ui.chat.cited"))}</span>' if s.get("cited") else ""
        title = s.get("title") or ""
        if s.get("heading") and s["heading"] != title:
            title = f"{title} › {s['heading']}" if title else s["heading"]
        where = f" p.{s['page']}" if s.get("page") else ""
        scores = ctx.t(
            "ui.chat.scores",
            bm25=score(s.get("bm25_score")),
            vector=score(s.get("vector_score")),
            fused=score(s.get("fused_score")),
        )
        cards.append(
            '<div class="tokka-card">'
            f'<div class="tokka-card-head"><b>[{esc(s["number"])}]</b> {cited} '
            f'<span class="tokka-source">{esc(short(s.get("source", "")))}{esc(where)}</span> — {esc(title)}</div>'
            f'<div class="tokka-scores">{esc(scores)}</div>'
            f'<div class="tokka-text">{esc(s.get("content", ""))}</div></div>'
        )
    return '<div class="tokka-cards">' + "".join(cards) + "</div>"


SERIES = ("train", "validation")


def loss_frame(ctx: AppContext, points: list[tuple[int, float, str]]) -> pd.DataFrame | None:
    """Loss points for the plot, with Japanese (or English) series names; None before the first point.

    Gradio fixes a plot's drawing from the first data it gets: an empty frame left the lines undrawn for good (its
    object columns also made the loss axis a list of categories), so an empty plot is given no data at all.
    """
    names = {s: ctx.t(f"ui.plot.{s}") for s in SERIES}
    rows = [(step, loss, names[series]) for step, loss, series in points if loss == loss]  # drop NaN
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["step", "loss", "series"])
    return frame.astype({"step": "int64", "loss": "float64", "series": "str"})


def loss_plot_kwargs(ctx: AppContext) -> dict[str, Any]:
    """Axis titles, legend and colours of a loss plot."""
    return {
        "x": "step",
        "y": "loss",
        "color": "series",
        "x_title": ctx.t("ui.plot.step"),
        "y_title": ctx.t("ui.plot.loss"),
        "color_title": ctx.t("ui.plot.series"),
        "color_map": {ctx.t("ui.plot.train"): "#2563eb", ctx.t("ui.plot.validation"): "#ea580c"},
        "label": ctx.t("ui.plot.title"),
        "height": 280,
    }


def overfitting(points: list[tuple[int, float, str]], ratio: float = 3.0) -> bool:
    """True when validation loss rose over its last evaluations while training loss fell, or when training loss is
    far below validation loss (`ratio`×): the model is learning its examples by heart."""
    train = [loss for _, loss, series in points if series == "train"]
    validation = [loss for _, loss, series in points if series == "validation"]
    if len(validation) < 2 or len(train) < 4:
        return False
    rising = validation[-1] > min(validation) * 1.05 and train[-1] < train[0]
    apart = validation[-1] > ratio * max(train[-1], 1e-6) and validation[-1] - train[-1] > 1.0
    return rising or apart


def prompt_text(result: AnswerResult) -> str:
    """The exact messages sent to the model."""
    return "\n\n".join(f"### {m['role']}\n{m['text']}" for m in result.prompt)


def notice_text(ctx: AppContext, result: AnswerResult) -> str:
    """Retrieval mode, query tokens, timings, and any notice or error."""
    parts = []
    if result.error:
        parts.append(f"⚠ **{esc(result.error)}**")
    if result.notice:
        parts.append(f"ℹ {esc(result.notice)}")
    if result.query_tokens or result.mode:
        mode = ctx.t(f"ui.mode.{result.mode}") if result.mode else "-"
        parts.append(ctx.t("ui.chat.retrieval", mode=mode, tokens=esc(" / ".join(result.query_tokens))))
    if result.timings:
        parts.append(ctx.t("ui.chat.timings", seconds=f"{result.timings.get('total', 0):.1f}"))
    return "\n\n".join(parts)
