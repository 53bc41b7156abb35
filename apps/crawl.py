"""The web-crawl section of the corpus tab: start URLs or a sitemap, limits and patterns, a live status table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import gradio as gr
import pandas as pd

from apps.context import AppContext
from apps.corpus import when
from corpus.web.crawler import Crawler, CrawlResult
from pipelines.ingest import Ingestor
from tokka.errors import TokkaError

STATUSES = ("added", "updated", "unchanged", "duplicate", "skipped", "removed", "failed")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _patterns(ctx: AppContext, text: str | None) -> list[str]:
    patterns = _lines(text)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as e:
            raise gr.Error(ctx.t("ui.crawl.bad_pattern", pattern=pattern, detail=str(e))) from e
    return patterns


def crawl_table(ctx: AppContext, results: list[CrawlResult]) -> pd.DataFrame:
    """URL, title, status with its reason, chunks and fetch time for every page."""
    headers = [
        ctx.t("ui.corpus.col.file"),
        ctx.t("ui.corpus.col.title"),
        ctx.t("ui.corpus.col.status"),
        ctx.t("ui.corpus.col.chunks"),
        ctx.t("ui.crawl.col.fetched"),
    ]
    rows = []
    for r in results:
        status = ctx.t(f"ui.status.{r.status}")
        reason = r.reason(ctx.lang)
        rows.append([r.url, r.title, f"{status}: {reason}" if reason else status, r.chunks, when(r.fetched)])
    return pd.DataFrame(rows, columns=headers)


def crawl(
    ctx: AppContext,
    collection: str | None,
    urls: str,
    use_sitemap: bool,
    depth: float,
    max_pages: float,
    include: str,
    exclude: str,
    same_site: bool,
    prune: bool,
    delay: float,
    progress: gr.Progress | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Crawl and yield the growing status table after every page (Cancel stops between two pages)."""
    if not collection:
        raise gr.Error(ctx.t("ui.corpus.no_collection"))
    starts = _lines(urls)
    if not starts:
        raise gr.Error(ctx.t("ui.crawl.no_urls"))
    crawler = Crawler(
        Ingestor(collection),
        depth=int(depth),
        max_pages=int(max_pages),
        same_site=same_site,
        include=_patterns(ctx, include),
        exclude=_patterns(ctx, exclude),
        use_sitemap=use_sitemap,
        delay=float(delay),
        prune=prune,
    )
    results: list[CrawlResult] = []
    try:
        for result in crawler.crawl(starts):
            results.append(result)
            if progress is not None:
                progress(
                    min(len(results) / max(int(max_pages), 1), 1.0),
                    desc=ctx.t("ui.crawl.progress", done=len(results), url=result.url),
                )
            yield crawl_table(ctx, results), ctx.t("ui.crawl.progress", done=len(results), url=result.url)
    except TokkaError as e:
        raise gr.Error(e.message(ctx.lang)) from e
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUSES}
    yield crawl_table(ctx, results), ctx.t("ui.crawl.done", **counts)


def build(ctx: AppContext, collection: gr.Dropdown) -> dict[str, Any]:
    """Lay out the crawl section (a sub-tab of the corpus tab)."""
    with gr.Tab(ctx.t("ui.crawl.tab")):
        urls = gr.Textbox(label=ctx.t("ui.crawl.urls"), lines=3, placeholder="https://example.org/")
        with gr.Row():
            use_sitemap = gr.Checkbox(label=ctx.t("ui.crawl.sitemap"), value=False)
            same_site = gr.Checkbox(label=ctx.t("ui.crawl.same_site"), value=True)
            prune = gr.Checkbox(label=ctx.t("ui.crawl.prune"), value=False)
        with gr.Row():
            depth = gr.Slider(0, 5, value=2, step=1, label=ctx.t("ui.crawl.depth"))
            max_pages = gr.Slider(1, 1000, value=100, step=1, label=ctx.t("ui.crawl.max_pages"))
            delay = gr.Slider(0, 10, value=ctx.settings.crawl_delay, step=0.5, label=ctx.t("ui.crawl.delay"))
        with gr.Row():
            include = gr.Textbox(label=ctx.t("ui.crawl.include"), lines=2)
            exclude = gr.Textbox(label=ctx.t("ui.crawl.exclude"), lines=2)
        with gr.Row():
            start = gr.Button(ctx.t("ui.crawl.start"), variant="primary")
            cancel = gr.Button(ctx.t("ui.corpus.cancel"))
        message = gr.Markdown()
        table = gr.Dataframe(crawl_table(ctx, []), label=ctx.t("ui.corpus.status"), interactive=False, wrap=True)

    def _crawl(c, u, s, d, m, i, e, ss, p, dl, progress: gr.Progress = gr.Progress()):  # noqa: ANN001, ANN202, B008
        yield from crawl(ctx, c, u, s, d, m, i, e, ss, p, dl, progress)

    running = start.click(
        _crawl,
        [collection, urls, use_sitemap, depth, max_pages, include, exclude, same_site, prune, delay],
        [table, message],
        api_name="crawl",
    )
    cancel.click(None, None, None, cancels=[running], api_name=False)
    return {"crawl_table": table, "crawl_message": message}
