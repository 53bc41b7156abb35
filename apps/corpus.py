"""The corpus tab: collections, file uploads with per-file status, documents, re-indexing, and trying a search.

Uploads and re-indexing are jobs (`apps.jobs`): they run apart from the page, the page follows them, Cancel stops
them between two files (re-indexing writes nothing until the end, so cancelling leaves the collection as it was).
The web-crawl section is a separate module (`apps.crawl`) that this tab places among its sections.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from apps.context import AppContext
from apps.guard import Permission, escape, on
from apps.jobs import Job, attach_job, cancel_job, follow_job
from apps.uploads import discard, uploaded_file
from apps.views import html_table, job_line, score, short, when
from corpus import backfill, manage
from corpus.files import IngestResult, describe_extraction
from corpus.loaders import SUPPORTED_EXTENSIONS
from corpus.search import MODES, search_collection
from pipelines.ingest import Ingestor
from tokka.errors import TokkaError


class CorpusInputError(TokkaError):
    """A form that cannot be acted on (no collection chosen, no files)."""


def collections_table(ctx: AppContext) -> pd.DataFrame:
    """Every collection with its counts, embedding model and last update."""
    headers = [ctx.t(f"ui.corpus.col.{c}") for c in ("name", "documents", "chunks", "model", "updated")]
    rows = [
        [
            c.name,
            c.documents,
            c.chunks,
            _model_cell(ctx, c) if c.has_embeddings else ctx.t("ui.corpus.embedder.none"),
            when(c.updated),
        ]
        for c in ctx.backend().collections()
    ]
    return pd.DataFrame(rows, columns=headers)


def _model_cell(ctx: AppContext, info: Any) -> str:
    """The model, and how far its background embedding is when it is not finished (「意味検索の準備 63%」)."""
    cell = f"{info.embedding_model} ({info.embedding_dim or '?'})"
    failed = backfill.errors().get(info.name)
    if failed:
        return f"{cell} · {ctx.t('ui.corpus.embedding_failed', error=failed)}"
    done = backfill.progress(info.name)
    if done is not None and done[0] < done[1]:
        percent = int(100 * done[0] / done[1])
        return f"{cell} · {ctx.t('ui.corpus.embedding_progress', percent=percent)}"
    return cell


def documents_table(ctx: AppContext, collection: str | None) -> pd.DataFrame:
    """The documents of one collection."""
    headers = [ctx.t(f"ui.corpus.col.{c}") for c in ("file", "type", "title", "chars", "chunks", "updated")]
    records = ctx.backend().sources(collection) if collection and ctx.backend().collection(collection) else []
    rows = [[short(r.source), r.type, r.title, r.chars, r.chunks, when(r.updated)] for r in records]
    return pd.DataFrame(rows, columns=headers)


def source_picker(ctx: AppContext, collection: str | None) -> gr.Dropdown:
    """The remove picker: (file name, full source) of each document."""
    records = ctx.backend().sources(collection) if collection and ctx.backend().collection(collection) else []
    return gr.Dropdown(choices=[(short(r.source), r.source) for r in records], value=None)


def status_row(ctx: AppContext, result: IngestResult) -> list[Any]:
    """One line of the ingestion status table."""
    status = ctx.t(f"ui.status.{result.status}")
    reason = result.reason(ctx.lang, ui=True)
    return [
        short(result.source),
        ctx.t(f"ui.type.{result.type}") if result.type else Path(result.source).suffix.lstrip("."),
        result.chars,
        result.chunks,
        f"{status}: {reason}" if reason else status,
        describe_extraction(result.method, ctx.lang),
    ]


def status_html(ctx: AppContext, results: list[IngestResult]) -> str:
    """The ingestion status table."""
    headers = [ctx.t(f"ui.corpus.col.{c}") for c in ("file", "type", "chars", "chunks", "status", "how")]
    return html_table(headers, [status_row(ctx, r) for r in results])


def _require(collection: str | None) -> str:
    if not collection:
        raise CorpusInputError("ui.corpus.no_collection")
    return collection


def create(ctx: AppContext, name: str, embedder: str) -> tuple[str, str]:
    """Create a collection. :returns: (message, cleared name box)."""
    info = manage.create_collection(name, embedder)
    model = info.embedding_model if info.has_embeddings else ctx.t("ui.corpus.embedder.none")
    return ctx.t("ui.corpus.created", collection=escape(info.name), model=model), ""


def delete(ctx: AppContext, collection: str | None, confirmation: str) -> tuple[str, str]:
    """Delete the selected collection when the confirmation repeats its name (refused while a job uses it)."""
    collection = _require(collection)
    busy = ctx.jobs.busy(f"collection:{collection}")
    if busy is not None:
        raise CorpusInputError("err.job_busy", running=busy.label, since=when(busy.started))
    manage.delete_collection(collection, confirmation)
    return ctx.t("ui.corpus.deleted", collection=escape(collection)), ""


def upload_work(ctx: AppContext, collection: str, files: list[Any]) -> Callable[[Job], None]:
    """The upload job: each file checked, kept in `data/uploads/<collection>/`, ingested, reported."""

    def work(job: Job) -> None:
        ingestor = Ingestor(collection)
        results: list[IngestResult] = []
        for done, value in enumerate(files, start=1):
            name = Path(str(getattr(value, "path", value))).name
            if job.cancel.is_set():
                results += [
                    IngestResult(Path(str(getattr(v, "path", v))).name, "cancelled", code="err.cancelled")
                    for v in files[done - 1 :]
                ]
                break
            job.publish(
                progress=(done - 1) / len(files),
                note=ctx.t("ui.corpus.progress", done=done, total=len(files), name=name),
            )
            results.append(_ingest_one(ingestor, collection, value, _pages(ctx, job, name, done, len(files))))
            job.publish(snapshot=list(results))
        counts = {
            s: sum(1 for r in results if r.status == s)
            for s in ("added", "updated", "unchanged", "failed", "skipped", "cancelled")
        }
        job.publish(snapshot=list(results), progress=1.0, note=ctx.t("ui.corpus.done", **counts))

    return work


def _pages(ctx: AppContext, job: Job, name: str, done: int, total: int) -> Callable[[str, int, int], None]:
    """The note shown while a long file is read: 「3/5 件目 案内.pdf: OCR 4/12 ページ」."""

    def note(stage: str, page: int, pages: int) -> None:
        job.publish(
            note=ctx.t(f"ui.corpus.{stage}_progress", done=done, total=total, name=name, page=page, pages=pages)
        )

    return note


def _ingest_one(
    ingestor: Ingestor, collection: str, value: Any, pages: Callable[[str, int, int], None] | None = None
) -> IngestResult:
    try:
        path = uploaded_file(value)
    except TokkaError as e:
        return IngestResult(str(getattr(value, "path", value)), "failed", code=e.code, params=e.params)
    try:
        staged = manage.stage_upload(collection, path)
    except TokkaError as e:
        discard(path)
        return IngestResult(path.name, "failed", code=e.code, params=e.params)
    try:
        result = ingestor.ingest_file(staged.target, pages=pages)
    except BaseException:
        staged.drop()
        raise
    finally:
        discard(path)
    if result.status in ("failed", "skipped"):
        staged.drop()  # a refused file is not kept; an earlier good copy comes back
    else:
        staged.keep()
    return result


def upload_view(ctx: AppContext, job: Job | None) -> tuple[str, str]:
    """(status table, message) of an upload job."""
    if job is None:
        return status_html(ctx, []), ""
    return status_html(ctx, job.snapshot or []), job_line(ctx, job)


def start_upload(
    ctx: AppContext, collection: str | None, files: list[Any] | None, request: gr.Request | None = None
) -> Iterator[tuple[Any, ...]]:
    """Start ingesting uploaded files into the chosen collection and follow the job."""
    collection = _require(collection)
    if not files:
        raise CorpusInputError("ui.corpus.no_files")
    ctx.backend().require_collection(collection)
    label = ctx.t("ui.job.upload", collection=collection, n=len(files))
    job = ctx.jobs.submit(
        "upload", f"collection:{collection}", ctx.user(request), label, upload_work(ctx, collection, list(files))
    )
    yield from follow_job(ctx, job, upload_view)


def reindex_work(ctx: AppContext, collection: str, embedder: str) -> Callable[[Job], None]:
    """The re-index job: all new embeddings are computed first and written in one transaction at the end."""

    def work(job: Job) -> None:
        for done, total in manage.reindex_embeddings(collection, embedder, cancel=job.cancel):
            job.publish(
                progress=done / total if total else 1.0,
                note=ctx.t("ui.corpus.reindex_progress", done=done, total=total),
            )
        if not job.cancel.is_set():
            found = ctx.backend().embedding_of(collection)
            model = found[0] if found and found[0] not in (None, "none") else ctx.t("ui.corpus.embedder.none")
            job.publish(note=ctx.t("ui.corpus.reindexed", collection=collection, model=model))
        else:
            job.publish(note=ctx.t("ui.corpus.reindex_cancelled"))

    return work


def reindex_view(ctx: AppContext, job: Job | None) -> str:
    """The message of a re-index job (its only output)."""
    return job_line(ctx, job) if job is not None else ""


def start_reindex(
    ctx: AppContext, collection: str | None, embedder: str, request: gr.Request | None = None
) -> Iterator[tuple[Any, ...]]:
    """Start re-embedding the collection with the chosen model and follow the job."""
    collection = _require(collection)
    ctx.backend().require_collection(collection)
    label = ctx.t("ui.job.reindex", collection=collection)
    job = ctx.jobs.submit(
        "reindex", f"collection:{collection}", ctx.user(request), label, reindex_work(ctx, collection, embedder)
    )
    yield from follow_job(ctx, job, reindex_view)


def remove(ctx: AppContext, collection: str | None, source: str | None) -> str:
    """Remove one document from the selected collection."""
    collection = _require(collection)
    if not source:
        raise CorpusInputError("ui.corpus.no_document")
    chunks = manage.remove_document(collection, source)
    return ctx.t("ui.corpus.removed", source=escape(short(source)), chunks=chunks)


def search(ctx: AppContext, collection: str | None, query: str, mode: str, top_k: float) -> tuple[Any, ...]:
    """Try retrieval: ranked chunks with their three scores, the query's tokens, and a chunk picker."""
    collection = _require(collection)
    if not (query or "").strip():
        raise CorpusInputError("ui.chat.empty_question")
    found = search_collection(collection, query.strip(), int(top_k), mode)
    headers = result_headers(ctx)
    rows, choices = [], []
    for rank, doc in enumerate(found.documents, start=1):
        meta = doc.meta
        source = short(str(meta.get("source", "")))
        page = f" p.{meta['page']}" if meta.get("page") else ""
        rows.append(
            [
                rank,
                source + page,
                meta.get("title", ""),
                score(meta.get("bm25_score")),
                score(meta.get("vector_score")),
                score(doc.score),
                doc.content,
            ]
        )
        choices.append((f"{rank}. {source}{page} — {meta.get('title', '')}", doc.id))
    info = [
        ctx.t("ui.corpus.tokens", tokens=escape(" / ".join(found.query_tokens) or "-")),
        ctx.t("ui.corpus.mode_used", mode=ctx.t(f"ui.mode.{found.mode}")),
        *(escape(n) for n in found.notices),
    ]
    return (
        pd.DataFrame(rows, columns=headers),
        "\n\n".join(info),
        gr.Dropdown(choices=choices, value=choices[0][1] if choices else None),
    )


def result_headers(ctx: AppContext) -> list[str]:
    """Headers of the search results table."""
    return [ctx.t(f"ui.corpus.col.{c}") for c in ("rank", "file", "title", "bm25", "vector", "fused", "content")]


def open_chunk(ctx: AppContext, collection: str | None, chunk_id: str | None) -> tuple[str, dict[str, Any]]:
    """A chunk in context: its document, position, the chunks before and after it, and its metadata."""
    collection = _require(collection)
    if not chunk_id:
        raise CorpusInputError("ui.corpus.no_chunk")
    details = manage.chunk_details(collection, chunk_id)
    chunk, record = details["chunk"], details["source"]
    page = f" · p.{chunk.meta['page']}" if chunk.meta.get("page") else ""
    kind = ctx.t("ui.type." + record.type) if record and record.type else ""
    position = ctx.t("ui.corpus.chunk_position", position=details["position"], count=details["count"])
    lines = [
        f"### {ctx.t('ui.corpus.chunk_doc')}: {escape(str(chunk.meta.get('title', '')))}",
        f"`{short(str(chunk.meta.get('source', '')))}` · {kind}{page} · {position}",
        "",
        escape(chunk.content or ""),
    ]
    for key, label in (("previous", "ui.corpus.previous"), ("next", "ui.corpus.next")):
        if details[key] is not None:
            lines += ["", f"#### {ctx.t(label)}", "", escape(details[key].content or "")]
    meta = dict(chunk.meta)
    meta["id"] = chunk.id
    if "source" in meta:
        meta["source"] = short(str(meta["source"])) if "://" not in str(meta["source"]) else meta["source"]
    return "\n".join(lines), json.loads(json.dumps(meta, ensure_ascii=False, default=str))


Section = Callable[[AppContext, gr.Dropdown, gr.Markdown], dict[str, Any]]


def build(ctx: AppContext, sections: list[Section] | None = None) -> dict[str, Any]:
    """Lay out the corpus tab; `sections` add sub-tabs (e.g. the web crawl). Returns its components by name."""
    with gr.Row(elem_classes="tokka-wrap"):
        collection = gr.Dropdown(
            ctx.lists.collection_names(),
            label=ctx.t("ui.corpus.collection"),
            scale=3,
            min_width=200,
            elem_id="tokka-collection",
        )
        refresh_button = gr.Button(ctx.t("ui.corpus.refresh"), scale=0, size="sm", min_width=60)
    ctx.lists.dropdown("collections", collection)
    collections = gr.Dataframe(
        collections_table(ctx), label=ctx.t("ui.corpus.collections"), interactive=False, elem_id="tokka-collections"
    )
    ctx.lists.view("collections", collections, lambda: collections_table(ctx))
    message = gr.Markdown(elem_id="tokka-corpus-message")
    with gr.Accordion(ctx.t("ui.corpus.manage"), open=False) as manage_box:
        with gr.Row(elem_classes="tokka-wrap"):
            new_name = gr.Textbox(label=ctx.t("ui.corpus.new_name"), scale=2, min_width=180)
            embedder = gr.Radio(
                [(ctx.t(f"ui.corpus.embedder.{m}"), m) for m in manage.EMBEDDER_MODES],
                value="auto",
                label=ctx.t("ui.corpus.embedder"),
                scale=3,
            )
            create_button = gr.Button(ctx.t("ui.corpus.create"), variant="primary", scale=1, min_width=100)
        with gr.Row(elem_classes="tokka-wrap"):
            confirmation = gr.Textbox(label=ctx.t("ui.corpus.confirm"), scale=3, min_width=180)
            delete_button = gr.Button(ctx.t("ui.corpus.delete"), variant="stop", scale=1, min_width=100)
    ctx.gate(manage_box, Permission.ADMIN)
    extra: dict[str, Any] = {}
    with gr.Tabs():
        with gr.Tab(ctx.t("ui.corpus.tab.files"), id="files") as files_tab:
            files = gr.File(
                label=ctx.t("ui.corpus.files"),
                file_count="multiple",
                type="filepath",
                file_types=list(SUPPORTED_EXTENSIONS),
                elem_id="tokka-files",
            )
            with gr.Row(elem_classes="tokka-wrap"):
                add_button = gr.Button(ctx.t("ui.corpus.add"), variant="primary", elem_id="tokka-add")
                cancel_add = gr.Button(ctx.t("ui.corpus.cancel"), elem_id="tokka-cancel-add")
            upload_message = gr.Markdown(elem_id="tokka-upload-message")
            status = gr.HTML(status_html(ctx, []), elem_id="tokka-upload-status")
        ctx.gate(files_tab, Permission.UPLOAD)
        for section in sections or []:
            extra.update(section(ctx, collection, message))
        with gr.Tab(ctx.t("ui.corpus.tab.documents"), id="documents"):
            documents = gr.Dataframe(
                documents_table(ctx, None),
                label=ctx.t("ui.corpus.documents"),
                interactive=False,
                wrap=True,
                elem_id="tokka-documents",
            )
            ctx.lists.view("documents", documents, lambda c: documents_table(ctx, c), after=collection)
            with gr.Group() as documents_admin:
                with gr.Row(elem_classes="tokka-wrap"):
                    remove_pick = gr.Dropdown(
                        [], label=ctx.t("ui.corpus.remove_pick"), scale=3, min_width=200, allow_custom_value=True
                    )
                    remove_button = gr.Button(ctx.t("ui.corpus.remove"), variant="stop", scale=1, min_width=100)
                ctx.lists.view("documents", remove_pick, lambda c: source_picker(ctx, c), after=collection)
                gr.Markdown(f"#### {ctx.t('ui.corpus.reindex_title')}")
                with gr.Row(elem_classes="tokka-wrap"):
                    reindex_embedder = gr.Radio(
                        [(ctx.t(f"ui.corpus.embedder.{m}"), m) for m in manage.EMBEDDER_MODES],
                        value="offline",
                        label=ctx.t("ui.corpus.embedder"),
                        scale=3,
                    )
                    reindex_button = gr.Button(ctx.t("ui.corpus.reindex"), scale=1, min_width=100)
                    cancel_reindex = gr.Button(ctx.t("ui.corpus.cancel"), scale=1, min_width=100)
                reindex_text = gr.Markdown(elem_id="tokka-reindex-message")
            ctx.gate(documents_admin, Permission.ADMIN)
        with gr.Tab(ctx.t("ui.corpus.tab.search"), id="search"):
            with gr.Row(elem_classes="tokka-wrap"):
                query = gr.Textbox(label=ctx.t("ui.corpus.query"), scale=4, min_width=220, elem_id="tokka-search-query")
                mode = gr.Radio(
                    [(ctx.t(f"ui.mode.{m}"), m) for m in MODES], value="hybrid", label=ctx.t("ui.corpus.mode"), scale=2
                )
                top_k = gr.Slider(1, 20, value=5, step=1, label=ctx.t("ui.corpus.top_k"), scale=1, min_width=160)
            search_button = gr.Button(ctx.t("ui.corpus.search"), variant="primary", elem_id="tokka-search")
            tokens = gr.Markdown(elem_id="tokka-search-info")
            results = gr.Dataframe(
                pd.DataFrame(columns=result_headers(ctx)),
                label=ctx.t("ui.corpus.results"),
                interactive=False,
                wrap=True,
                elem_id="tokka-results",
                column_widths=["6%", "14%", "14%", "8%", "8%", "8%", "42%"],
            )
            with gr.Row(elem_classes="tokka-wrap"):
                chunk_pick = gr.Dropdown([], label=ctx.t("ui.corpus.chunk_pick"), scale=3, min_width=200)
                open_button = gr.Button(ctx.t("ui.corpus.open"), scale=1, min_width=100)
            chunk_view = gr.Markdown(elem_id="tokka-chunk")
            chunk_meta = gr.JSON(label=ctx.t("ui.corpus.metadata"))

    A, U, R = Permission.ADMIN, Permission.UPLOAD, Permission.READ
    ctx.lists.after(on(ctx, refresh_button.click, lambda: None, None, None, permission=R, api_name="refresh_lists"))
    ctx.lists.after(
        on(
            ctx,
            create_button.click,
            lambda n, e: create(ctx, n, e),
            [new_name, embedder],
            [message, new_name],
            permission=A,
            message=message,
            api_name="create_collection",
        )
    )
    ctx.lists.after(
        on(
            ctx,
            delete_button.click,
            lambda c, x: delete(ctx, c, x),
            [collection, confirmation],
            [message, confirmation],
            permission=A,
            message=message,
            api_name="delete_collection",
        )
    )
    ctx.lists.after(
        on(
            ctx,
            remove_button.click,
            lambda c, s: remove(ctx, c, s),
            [collection, remove_pick],
            message,
            permission=A,
            message=message,
            api_name="remove_document",
        )
    )

    def _upload(c: str | None, f: list[Any] | None, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from start_upload(ctx, c, f, request)

    ctx.lists.after(
        on(
            ctx,
            add_button.click,
            _upload,
            [collection, files],
            [status, upload_message],
            permission=U,
            message=upload_message,
            api_name="add_files",
            show_progress="hidden",
        )
    )
    on(
        ctx,
        cancel_add.click,
        lambda request: cancel_job(ctx, "upload", request),
        None,
        upload_message,
        permission=U,
        api_name="cancel_upload",
    )

    def _reindex(c: str | None, e: str, request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from start_reindex(ctx, c, e, request)

    ctx.lists.after(
        on(
            ctx,
            reindex_button.click,
            _reindex,
            [collection, reindex_embedder],
            reindex_text,
            permission=A,
            message=reindex_text,
            api_name="reindex",
            show_progress="hidden",
        )
    )
    on(
        ctx,
        cancel_reindex.click,
        lambda request: cancel_job(ctx, "reindex", request),
        None,
        reindex_text,
        permission=A,
        api_name="cancel_reindex",
    )

    def _attach_upload(request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from attach_job(ctx, "upload", upload_view, request)

    def _attach_reindex(request: gr.Request) -> Iterator[tuple[Any, ...]]:
        yield from attach_job(ctx, "reindex", reindex_view, request)

    ctx.on_load(_attach_upload, [status, upload_message])
    ctx.on_load(_attach_reindex, [reindex_text])
    on(
        ctx,
        collection.change,
        lambda c: (documents_table(ctx, c), source_picker(ctx, c)),
        collection,
        [documents, remove_pick],
        permission=R,
    )
    for trigger, api_name in ((search_button.click, "search"), (query.submit, False)):
        on(
            ctx,
            trigger,
            lambda c, q, m, k: search(ctx, c, q, m, k),
            [collection, query, mode, top_k],
            [results, tokens, chunk_pick],
            permission=R,
            message=tokens,
            api_name=api_name,
        )
    on(
        ctx,
        open_button.click,
        lambda c, i: open_chunk(ctx, c, i),
        [collection, chunk_pick],
        [chunk_view, chunk_meta],
        permission=R,
        message=chunk_view,
        api_name="open_chunk",
    )
    return {
        "collection": collection,
        "collections": collections,
        "message": message,
        "files": files,
        "status": status,
        "upload_message": upload_message,
        "documents": documents,
        "results": results,
        **extra,
    }
