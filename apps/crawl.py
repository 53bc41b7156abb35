"""The web-crawl section of the corpus tab: start URLs or a sitemap, limits and patterns, a live status table.

A crawl is a job (`apps.jobs`) on its collection: the page follows it, Cancel stops it between two pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from apps.context import AppContext
from apps.guard import Permission, named, on
from apps.jobs import Job, attach_job, cancel_job, follow_job
from apps.views import clock, html_table, job_line
from corpus.web.crawler import Crawler, CrawlResult
from pipelines.ingest import Ingestor
from tokka.errors import TokkaError

STATUSES = ("added", "updated", "unchanged", "duplicate", "skipped", "removed", "failed")


class CrawlInputError(TokkaError):
    """A crawl form that cannot be started (no collection, no URL, a bad pattern)."""


@dataclass
class CrawlForm:
    """What the crawl form asks (one value per field, passed as one object)."""

    urls: str = ""
    use_sitemap: bool = False
    depth: float = 2
    max_pages: float = 100
    include: str = ""
    exclude: str = ""
    same_site: bool = True
    prune: bool = False
    delay: float = 1.0


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _patterns(text: str | None) -> list[str]:
    patterns = _lines(text)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as e:
            raise CrawlInputError("ui.crawl.bad_pattern", pattern=pattern, detail=str(e)) from e
    return patterns


def crawl_html(ctx: AppContext, results: list[CrawlResult]) -> str:
    """URL, title, status with its reason, chunks and fetch time for every page."""
    headers = [ctx.t(f"ui.crawl.col.{c}") for c in ("url", "title", "status", "chunks", "fetched")]
    rows = []
    for r in results:
        status = ctx.t(f"ui.status.{r.status}")
        reason = r.reason(ctx.lang, ui=True)
        rows.append([r.url, r.title, f"{status}: {reason}" if reason else status, r.chunks, clock(r.fetched or None)])
    return html_table(headers, rows)


def crawl_view(ctx: AppContext, job: Job | None) -> tuple[str, str]:
    """(status table, message) of a crawl job."""
    if job is None:
        return crawl_html(ctx, []), ""
    return crawl_html(ctx, job.snapshot or []), job_line(ctx, job)


def crawl_work(ctx: AppContext, crawler: Crawler, starts: list[str], max_pages: int) -> Callable[[Job], None]:
    """The crawl job: one status row per URL as soon as it is done."""

    def work(job: Job) -> None:
        results: list[CrawlResult] = []
        for result in crawler.crawl(starts, job.cancel):
            results.append(result)
            note = ctx.t("ui.crawl.progress", done=len(results), url=result.url)
            job.publish(snapshot=list(results), progress=min(len(results) / max(max_pages, 1), 1.0), note=note)
        counts = {s: sum(1 for r in results if r.status == s) for s in STATUSES}
        job.publish(snapshot=list(results), progress=1.0, note=ctx.t("ui.crawl.done", **counts))

    return work


def start_crawl(
    ctx: AppContext, collection: str | None, form: CrawlForm, request: gr.Request | None = None
) -> Iterator[tuple[Any, ...]]:
    """Check the form, start the crawl job and follow it."""
    if not collection:
        raise CrawlInputError("ui.corpus.no_collection")
    starts = _lines(form.urls)
    if not starts:
        raise CrawlInputError("ui.crawl.no_urls")
    ctx.backend().require_collection(collection)
    crawler = Crawler(
        Ingestor(collection),
        depth=int(form.depth),
        max_pages=int(form.max_pages),
        same_site=bool(form.same_site),
        include=_patterns(form.include),
        exclude=_patterns(form.exclude),
        use_sitemap=bool(form.use_sitemap),
        delay=float(form.delay),
        prune=bool(form.prune),
    )
    label = ctx.t("ui.job.crawl", collection=collection, url=starts[0])
    job = ctx.jobs.submit(
        "crawl",
        f"collection:{collection}",
        ctx.user(request),
        label,
        crawl_work(ctx, crawler, starts, int(form.max_pages)),
    )
    yield from follow_job(ctx, job, crawl_view)


def build(ctx: AppContext, collection: gr.Dropdown, _message: gr.Markdown) -> dict[str, Any]:
    """Lay out the crawl section (a sub-tab of the corpus tab, administrators only)."""
    with gr.Tab(ctx.t("ui.crawl.tab"), id="crawl") as tab:
        urls = gr.Textbox(
            label=ctx.t("ui.crawl.urls"), lines=3, placeholder="https://example.org/", elem_id="tokka-crawl-urls"
        )
        with gr.Row(elem_classes="tokka-wrap"):
            use_sitemap = gr.Checkbox(label=ctx.t("ui.crawl.sitemap"), value=False, min_width=160)
            same_site = gr.Checkbox(label=ctx.t("ui.crawl.same_site"), value=True, min_width=160)
            prune = gr.Checkbox(label=ctx.t("ui.crawl.prune"), value=False, min_width=160)
        with gr.Row(elem_classes="tokka-wrap"):
            depth = gr.Slider(0, 5, value=2, step=1, label=ctx.t("ui.crawl.depth"), min_width=160)
            max_pages = gr.Slider(1, 1000, value=100, step=1, label=ctx.t("ui.crawl.max_pages"), min_width=160)
            delay = gr.Slider(
                0, 10, value=ctx.settings.crawl_delay, step=0.5, label=ctx.t("ui.crawl.delay"), min_width=160
            )
        with gr.Row(elem_classes="tokka-wrap"):
            include = gr.Textbox(label=ctx.t("ui.crawl.include"), lines=2, min_width=200)
            exclude = gr.Textbox(label=ctx.t("ui.crawl.exclude"), lines=2, min_width=200)
        with gr.Row(elem_classes="tokka-wrap"):
            start = gr.Button(ctx.t("ui.crawl.start"), variant="primary", elem_id="tokka-crawl-start")
            cancel = gr.Button(ctx.t("ui.corpus.cancel"), elem_id="tokka-crawl-cancel")
        message = gr.Markdown(elem_id="tokka-crawl-message")
        table = gr.HTML(crawl_html(ctx, []), elem_id="tokka-crawl-status")
    ctx.gate(tab, Permission.ADMIN)
    fields = {
        "urls": urls,
        "use_sitemap": use_sitemap,
        "depth": depth,
        "max_pages": max_pages,
        "include": include,
        "exclude": exclude,
        "same_site": same_site,
        "prune": prune,
        "delay": delay,
    }

    def _start(values: dict[str, Any], request: gr.Request | None) -> Iterator[tuple[Any, ...]]:
        collection_name = values.pop("collection")
        yield from start_crawl(ctx, collection_name, CrawlForm(**values), request)

    ctx.lists.after(
        on(
            ctx,
            start.click,
            named(["collection", *fields], _start),
            [collection, *fields.values()],
            [table, message],
            permission=Permission.ADMIN,
            message=message,
            api_name="crawl",
            show_progress="hidden",
        )
    )
    on(
        ctx,
        cancel.click,
        lambda request: cancel_job(ctx, "crawl", request),
        None,
        message,
        permission=Permission.ADMIN,
        api_name="cancel_crawl",
    )

    def _attach(request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from attach_job(ctx, "crawl", crawl_view, request)

    ctx.on_load(_attach, [table, message])
    return {"crawl_table": table, "crawl_message": message}
