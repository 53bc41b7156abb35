"""The corpus tab: collections, file uploads with per-file status, documents, re-indexing, and trying a search.

Long jobs (ingestion, re-indexing) are generators that yield after each file or batch, so the table grows as work
is done and the Cancel button (Gradio `cancels=`) stops them between two files; nothing half-done is written.
The web crawl section lives in `apps/crawl.py`.
"""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from apps.context import AppContext
from corpus import manage
from corpus.files import IngestResult
from corpus.search import MODES, search_collection
from pipelines.ingest import Ingestor
from tokka.errors import TokkaError


def when(timestamp: float | None) -> str:
    """A local date and time for tables."""
    return datetime.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M") if timestamp else "-"


def short(source: str) -> str:
    """A file's name, or a URL as is."""
    return source if "://" in source else Path(source).name


def _fail(ctx: AppContext, error: TokkaError) -> gr.Error:
    return gr.Error(error.message(ctx.lang))


def collection_names(ctx: AppContext) -> list[str]:
    """Existing collections, by name."""
    return [c.name for c in manage.backend().collections()]


def collections_table(ctx: AppContext) -> pd.DataFrame:
    """Every collection with its counts, embedding model and last update."""
    headers = [ctx.t(f"ui.corpus.col.{c}") for c in ("name", "documents", "chunks", "model", "updated")]
    rows = [
        [
            c.name,
            c.documents,
            c.chunks,
            f"{c.embedding_model} ({c.embedding_dim or '?'})" if c.has_embeddings else ctx.t("ui.corpus.embedder.none"),
            when(c.updated),
        ]
        for c in manage.backend().collections()
    ]
    return pd.DataFrame(rows, columns=headers)


def documents_table(ctx: AppContext, collection: str | None) -> pd.DataFrame:
    """The documents of one collection."""
    headers = [ctx.t(f"ui.corpus.col.{c}") for c in ("file", "type", "title", "chars", "chunks", "updated")]
    records = manage.backend().sources(collection) if collection else []
    rows = [[short(r.source), r.type, r.title, r.chars, r.chunks, when(r.updated)] for r in records]
    return pd.DataFrame(rows, columns=headers)


def source_choices(collection: str | None) -> list[tuple[str, str]]:
    """(label, full source) pairs for the remove picker."""
    records = manage.backend().sources(collection) if collection else []
    return [(short(r.source), r.source) for r in records]


def status_row(ctx: AppContext, result: IngestResult) -> list[Any]:
    """One line of the ingestion status table."""
    status = ctx.t(f"ui.status.{result.status}")
    reason = result.reason(ctx.lang)
    updated = when(datetime.datetime.now().timestamp()) if result.status in ("added", "updated") else "-"
    return [
        short(result.source),
        result.type or Path(result.source).suffix.lstrip("."),
        result.chars,
        result.chunks,
        f"{status}: {reason}" if reason else status,
        updated,
    ]


def status_table(ctx: AppContext, rows: list[list[Any]]) -> pd.DataFrame:
    """The ingestion status table."""
    headers = [ctx.t(f"ui.corpus.col.{c}") for c in ("file", "type", "chars", "chunks", "status", "updated")]
    return pd.DataFrame(rows, columns=headers)


def refresh(ctx: AppContext, collection: str | None) -> tuple[Any, ...]:
    """Collections picker, collections table, documents table and remove picker, all up to date."""
    names = collection_names(ctx)
    value = collection if collection in names else (names[0] if names else None)
    return (
        gr.Dropdown(choices=names, value=value),
        collections_table(ctx),
        documents_table(ctx, value),
        gr.Dropdown(choices=source_choices(value), value=None),
    )


def create(ctx: AppContext, name: str, embedder: str) -> tuple[Any, ...]:
    """Create a collection and select it."""
    try:
        info = manage.create_collection(name, embedder)
    except TokkaError as e:
        raise _fail(ctx, e) from e
    message = ctx.t(
        "ui.corpus.created",
        collection=info.name,
        model=info.embedding_model if info.has_embeddings else ctx.t("ui.corpus.embedder.none"),
    )
    return (*refresh(ctx, info.name), message, "")


def delete(ctx: AppContext, collection: str | None, confirmation: str) -> tuple[Any, ...]:
    """Delete the selected collection when the confirmation repeats its name."""
    if not collection:
        raise gr.Error(ctx.t("ui.corpus.no_collection"))
    try:
        manage.delete_collection(collection, confirmation)
    except TokkaError as e:
        raise _fail(ctx, e) from e
    return (*refresh(ctx, None), ctx.t("ui.corpus.deleted", collection=collection), "")


def add_files(
    ctx: AppContext, collection: str | None, files: list[str] | None, progress: gr.Progress | None = None
) -> Iterator[tuple[Any, ...]]:
    """Ingest uploaded files one by one; yields (status table, message) after each."""
    if not collection:
        raise gr.Error(ctx.t("ui.corpus.no_collection"))
    if not files:
        raise gr.Error(ctx.t("ui.corpus.no_files"))
    try:
        ingestor = Ingestor(collection)
    except TokkaError as e:
        raise _fail(ctx, e) from e
    rows: list[list[Any]] = []
    counts = dict.fromkeys(("added", "updated", "unchanged", "failed"), 0)
    for done, upload in enumerate(files, start=1):
        name = Path(upload).name
        if progress is not None:
            progress((done - 1) / len(files), desc=ctx.t("ui.corpus.progress", done=done, total=len(files), name=name))
        result = ingestor.ingest_file(manage.save_upload(collection, upload))
        counts[result.status] = counts.get(result.status, 0) + 1
        rows.append(status_row(ctx, result))
        yield status_table(ctx, rows), ctx.t("ui.corpus.progress", done=done, total=len(files), name=name)
    yield status_table(ctx, rows), ctx.t("ui.corpus.done", **counts)


def remove(ctx: AppContext, collection: str | None, source: str | None) -> tuple[Any, ...]:
    """Remove one document from the selected collection."""
    if not collection or not source:
        raise gr.Error(ctx.t("ui.corpus.no_collection"))
    try:
        chunks = manage.remove_document(collection, source)
    except TokkaError as e:
        raise _fail(ctx, e) from e
    return (*refresh(ctx, collection), ctx.t("ui.corpus.removed", source=short(source), chunks=chunks))


def reindex(
    ctx: AppContext, collection: str | None, embedder: str, progress: gr.Progress | None = None
) -> Iterator[str]:
    """Re-embed the collection with the chosen model; yields progress messages, writes only at the very end."""
    if not collection:
        raise gr.Error(ctx.t("ui.corpus.no_collection"))
    cancel = threading.Event()
    try:
        for done, total in manage.reindex_embeddings(collection, embedder, cancel=cancel):
            if progress is not None and total:
                progress(done / total, desc=ctx.t("ui.corpus.reindex_progress", done=done, total=total))
            yield ctx.t("ui.corpus.reindex_progress", done=done, total=total)
    except TokkaError as e:
        raise _fail(ctx, e) from e
    except GeneratorExit:  # cancelled from the UI: nothing was written
        cancel.set()
        raise
    model = manage.backend().embedding_of(collection)
    model = model if model and model[0] != "none" else None
    yield ctx.t(
        "ui.corpus.reindexed",
        collection=collection,
        model=(model[0] if model and model[0] not in (None, "none") else ctx.t("ui.corpus.embedder.none")),
    )


def search(ctx: AppContext, collection: str | None, query: str, mode: str, top_k: float) -> tuple[Any, ...]:
    """Try retrieval: ranked chunks with their three scores, the query's tokens, and a chunk picker."""
    if not collection:
        raise gr.Error(ctx.t("ui.corpus.no_collection"))
    if not (query or "").strip():
        raise gr.Error(ctx.t("ui.chat.empty_question"))
    try:
        found = search_collection(collection, query.strip(), int(top_k), mode)
    except TokkaError as e:
        raise _fail(ctx, e) from e
    headers = (
        [ctx.t(f"ui.corpus.col.{c}") for c in ("rank", "file", "title")]
        + [ctx.t(f"ui.chat.col.{c}") for c in ("bm25", "vector", "fused", "content")]
        + [ctx.t("ui.corpus.col.id")]
    )
    rows = []
    for rank, doc in enumerate(found.documents, start=1):
        meta = doc.meta
        rows.append(
            [
                rank,
                short(str(meta.get("source", ""))),
                meta.get("title", ""),
                _score(meta.get("bm25_score")),
                _score(meta.get("vector_score")),
                _score(doc.score),
                doc.content,
                doc.id,
            ]
        )
    info = [
        ctx.t("ui.corpus.tokens", tokens=" / ".join(found.query_tokens) or "-"),
        ctx.t("ui.corpus.mode_used", mode=found.mode),
        *found.notices,
    ]
    choices = [(f"{r[0]}. {r[1]} — {r[2]}", r[-1]) for r in rows]
    return (
        pd.DataFrame(rows, columns=headers),
        "\n\n".join(info),
        gr.Dropdown(choices=choices, value=choices[0][1] if choices else None),
    )


def _score(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else "-"


def open_chunk(ctx: AppContext, collection: str | None, chunk_id: str | None) -> tuple[str, dict[str, Any]]:
    """A chunk in context: its document, position, the chunks before and after it, and its metadata."""
    if not collection or not chunk_id:
        raise gr.Error(ctx.t("ui.corpus.no_collection"))
    try:
        details = manage.chunk_details(collection, chunk_id)
    except TokkaError as e:
        raise _fail(ctx, e) from e
    chunk, record = details["chunk"], details["source"]
    lines = [
        f"### {ctx.t('ui.corpus.chunk_doc')}: {chunk.meta.get('title', '')}",
        f"`{chunk.meta.get('source', '')}` · {record.type if record else ''} · "
        f"{ctx.t('ui.corpus.chunk_position', position=details['position'], count=details['count'])}",
        "",
        chunk.content or "",
    ]
    for key, label in (("previous", "ui.corpus.previous"), ("next", "ui.corpus.next")):
        if details[key] is not None:
            lines += ["", f"#### {ctx.t(label)}", "", details[key].content or ""]
    meta = dict(chunk.meta)
    meta["id"] = chunk.id
    return "\n".join(lines), json.loads(json.dumps(meta, ensure_ascii=False, default=str))


def build(ctx: AppContext) -> dict[str, Any]:
    """Lay out the corpus tab; returns its components by name."""
    from apps import crawl

    names = collection_names(ctx)
    with gr.Row():
        collection = gr.Dropdown(
            names,
            value=names[0] if names else None,
            label=ctx.t("ui.corpus.collection"),
            scale=3,
            elem_id="tokka-collection",
        )
        refresh_button = gr.Button(ctx.t("ui.corpus.refresh"), scale=0, size="sm")
    collections = gr.Dataframe(collections_table(ctx), label=ctx.t("ui.corpus.collections"), interactive=False)
    message = gr.Markdown(elem_id="tokka-corpus-message")
    with gr.Accordion(ctx.t("ui.corpus.manage"), open=not names):
        with gr.Row():
            new_name = gr.Textbox(label=ctx.t("ui.corpus.new_name"), scale=2)
            embedder = gr.Radio(
                [(ctx.t(f"ui.corpus.embedder.{m}"), m) for m in manage.EMBEDDER_MODES],
                value="auto",
                label=ctx.t("ui.corpus.embedder"),
                scale=3,
            )
            create_button = gr.Button(ctx.t("ui.corpus.create"), variant="primary", scale=1)
        with gr.Row():
            confirmation = gr.Textbox(label=ctx.t("ui.corpus.confirm"), scale=3)
            delete_button = gr.Button(ctx.t("ui.corpus.delete"), variant="stop", scale=1)
    with gr.Tabs():
        with gr.Tab(ctx.t("ui.corpus.tab.files")):
            files = gr.File(label=ctx.t("ui.corpus.files"), file_count="multiple", type="filepath")
            with gr.Row():
                add_button = gr.Button(ctx.t("ui.corpus.add"), variant="primary")
                cancel_add = gr.Button(ctx.t("ui.corpus.cancel"))
            progress_text = gr.Markdown()
            status = gr.Dataframe(status_table(ctx, []), label=ctx.t("ui.corpus.status"), interactive=False, wrap=True)
        crawl_parts = crawl.build(ctx, collection)
        with gr.Tab(ctx.t("ui.corpus.tab.documents")):
            documents = gr.Dataframe(
                documents_table(ctx, collection.value), label=ctx.t("ui.corpus.documents"), interactive=False, wrap=True
            )
            with gr.Row():
                remove_pick = gr.Dropdown(
                    source_choices(collection.value), label=ctx.t("ui.corpus.remove_pick"), scale=3
                )
                remove_button = gr.Button(ctx.t("ui.corpus.remove"), variant="stop", scale=1)
            gr.Markdown(f"#### {ctx.t('ui.corpus.reindex_title')}")
            with gr.Row():
                reindex_embedder = gr.Radio(
                    [(ctx.t(f"ui.corpus.embedder.{m}"), m) for m in manage.EMBEDDER_MODES],
                    value="offline",
                    label=ctx.t("ui.corpus.embedder"),
                    scale=3,
                )
                reindex_button = gr.Button(ctx.t("ui.corpus.reindex"), scale=1)
                cancel_reindex = gr.Button(ctx.t("ui.corpus.cancel"), scale=1)
            reindex_text = gr.Markdown()
        with gr.Tab(ctx.t("ui.corpus.tab.search")):
            with gr.Row():
                query = gr.Textbox(label=ctx.t("ui.corpus.query"), scale=4)
                mode = gr.Radio(list(MODES), value="hybrid", label=ctx.t("ui.corpus.mode"), scale=2)
                top_k = gr.Slider(1, 20, value=5, step=1, label=ctx.t("ui.corpus.top_k"), scale=1)
            search_button = gr.Button(ctx.t("ui.corpus.search"), variant="primary")
            tokens = gr.Markdown()
            results = gr.Dataframe(label=ctx.t("ui.corpus.results"), interactive=False, wrap=True)
            with gr.Row():
                chunk_pick = gr.Dropdown([], label=ctx.t("ui.corpus.chunk_pick"), scale=3)
                open_button = gr.Button(ctx.t("ui.corpus.open"), scale=1)
            chunk_view = gr.Markdown()
            chunk_meta = gr.JSON(label=ctx.t("ui.corpus.metadata"))

    lists = [collection, collections, documents, remove_pick]
    refresh_button.click(lambda c: refresh(ctx, c), collection, lists, api_name="collections")
    collection.change(lambda c: refresh(ctx, c)[2:], collection, [documents, remove_pick], api_name=False)
    create_button.click(
        lambda n, e: create(ctx, n, e), [new_name, embedder], [*lists, message, new_name], api_name="create_collection"
    )
    delete_button.click(
        lambda c, x: delete(ctx, c, x),
        [collection, confirmation],
        [*lists, message, confirmation],
        api_name="delete_collection",
    )

    def _add(c: str | None, f: list[str] | None, progress: gr.Progress = gr.Progress()) -> Iterator[tuple[Any, ...]]:  # noqa: B008
        yield from add_files(ctx, c, f, progress)

    adding = add_button.click(_add, [collection, files], [status, progress_text], api_name="add_files")
    adding.then(lambda c: refresh(ctx, c), collection, lists, api_name=False)
    cancel_add.click(None, None, None, cancels=[adding], api_name=False)
    remove_button.click(
        lambda c, s: remove(ctx, c, s), [collection, remove_pick], [*lists, message], api_name="remove_document"
    )

    def _reindex(c: str | None, e: str, progress: gr.Progress = gr.Progress()) -> Iterator[str]:  # noqa: B008
        yield from reindex(ctx, c, e, progress)

    reindexing = reindex_button.click(_reindex, [collection, reindex_embedder], reindex_text, api_name="reindex")
    reindexing.then(lambda c: refresh(ctx, c), collection, lists, api_name=False)
    cancel_reindex.click(None, None, None, cancels=[reindexing], api_name=False)
    search_button.click(
        lambda c, q, m, k: search(ctx, c, q, m, k),
        [collection, query, mode, top_k],
        [results, tokens, chunk_pick],
        api_name="search",
    )
    query.submit(
        lambda c, q, m, k: search(ctx, c, q, m, k),
        [collection, query, mode, top_k],
        [results, tokens, chunk_pick],
        api_name=False,
    )
    open_button.click(
        lambda c, i: open_chunk(ctx, c, i), [collection, chunk_pick], [chunk_view, chunk_meta], api_name="open_chunk"
    )
    return {
        "collection": collection,
        "collections": collections,
        "files": files,
        "status": status,
        "documents": documents,
        "results": results,
        **crawl_parts,
    }
