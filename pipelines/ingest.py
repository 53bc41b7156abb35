"""Ingest files into a collection through the collection's indexing pipeline, one file at a time.

One file = one pipeline run = one store transaction, which gives per-file progress, cancellation between files, and
crash safety (a killed run leaves every finished file complete; running it again does the rest, because unchanged
files are skipped by content hash). A file whose bytes and pipeline settings are unchanged is not converted again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from haystack.core.errors import PipelineError, PipelineRuntimeError
from haystack.dataclasses import ByteStream

from corpus.files import IngestResult, IngestSummary, discover, file_hash
from corpus.sample_corpus import SAMPLE_COLLECTION, SAMPLES_DIR
from corpus.stores import open_store
from pipelines.direct_run import DirectRun
from pipelines.loading import load_indexing_pipeline
from tokka.errors import TokkaError

logger = logging.getLogger(__name__)


class Ingestor:
    """Add files to one collection.

    ### Usage example
    ```python
    summary = Ingestor("samples").run(["docs/"], progress=lambda done, total, result: print(done, total))
    summary.counts   # {"added": 4, "updated": 0, "unchanged": 0, "failed": 1, ...}
    ```

    :param collection: the target collection (created on first write).
    :param pipeline_path: an indexing YAML to use instead of the collection's own or the default one.
    """

    def __init__(self, collection: str, pipeline_path: Path | None = None) -> None:
        self.collection = collection
        self.pipeline, self.pipeline_hash = load_indexing_pipeline(collection, pipeline_path)
        self._direct = DirectRun(self.pipeline)  # no per-component deep copies when nothing is shared
        self.store = open_store(collection)

    def run(
        self,
        paths: Iterable[Path | str],
        progress: Callable[[int, int, IngestResult], None] | None = None,
        cancel: threading.Event | None = None,
        pages: Callable[[Path, str, int, int], None] | None = None,
    ) -> IngestSummary:
        """Ingest files and folders.

        :param progress: called after each file with `(done, total, result)`.
        :param cancel: set it to stop after the current file; the remaining files are reported `cancelled`.
        :param pages: called while a long file is read, with `(file, stage, page, pages)`; stage `page` or `ocr`.
        """
        files, early = discover(paths)
        summary = IngestSummary(results=list(early))
        total = len(files)
        for done, path in enumerate(files, start=1):
            if cancel is not None and cancel.is_set():
                summary.cancelled = True
                summary.results.extend(
                    IngestResult(str(p.resolve()), "cancelled", code="err.cancelled") for p in files[done - 1 :]
                )
                break
            result = self.ingest_file(path, pages=(lambda s, d, t, p=path: pages(p, s, d, t)) if pages else None)
            summary.results.append(result)
            if progress is not None:
                progress(done, total, result)
        return summary

    def ingest_file(
        self, path: Path, force: bool = False, pages: Callable[[str, int, int], None] | None = None
    ) -> IngestResult:
        """Ingest one file (a no-op when its content and the pipeline settings are unchanged, unless `force`).

        :param pages: called with `(stage, page, pages)` while a long file is read (`page`, or `ocr` for OCR).
        """
        source = str(path.resolve())
        try:
            content_hash = file_hash(path)
        except OSError as e:
            return IngestResult(source, "failed", code="err.read_failed", params={"detail": e.strerror or str(e)})
        return self._ingest(source, source, content_hash, force, pages)

    def ingest_bytes(
        self,
        source: str,
        data: bytes,
        file_name: str,
        modified: float,
        content_hash: str,
        kind: str | None = None,
        force: bool = False,
    ) -> IngestResult:
        """Ingest a downloaded document (e.g. a web page) known by `source` (its URL).

        :param file_name: a name whose extension chooses the loader (`page.html`, `a.pdf` …).
        :param content_hash: what decides "unchanged" (e.g. a hash of the page's extracted text).
        :param kind: the recorded type (e.g. `web`).
        """
        stream = ByteStream(
            data=data, meta={"source": source, "file_name": file_name, "modified": modified, "type": kind}
        )
        return self._ingest(source, stream, content_hash, force)

    def _ingest(
        self,
        source: str,
        item: str | ByteStream,
        content_hash: str,
        force: bool,
        pages: Callable[[str, int, int], None] | None = None,
    ) -> IngestResult:
        previous = self.store.source(source)
        unchanged = previous and previous.content_hash == content_hash and previous.pipeline_hash == self.pipeline_hash
        if unchanged and not force:
            return IngestResult(source, "unchanged", previous.chunks, previous.chars, previous.type, previous.title)
        try:
            data = {
                "converter": {"sources": [item], "progress": pages},
                "writer": {"content_hashes": {source: content_hash}, "pipeline_hash": self.pipeline_hash},
            }
            output = self._direct.run(data) if self._direct.applicable else self.pipeline.run(data)
        except (PipelineError, PipelineRuntimeError) as e:
            cause = e.__cause__
            if isinstance(cause, TokkaError):
                return IngestResult(source, "failed", code=cause.code, params=cause.params)
            logger.exception("Indexing %s failed", source)
            return IngestResult(source, "failed", code="err.read_failed", params={"detail": str(cause or e)[:300]})
        for failure in (f for value in output.values() for f in value.get("failures", [])):
            status = "skipped" if failure["code"] == "err.unsupported_type" else "failed"
            return IngestResult(source, status, code=failure["code"], params=failure["params"])
        record = self.store.source(source)
        if record is None:  # the pipeline wrote nothing for this source and reported no failure
            return IngestResult(source, "failed", code="err.no_text", params={"detail": source})
        status = "updated" if previous else "added"
        method = (output.get("writer") or {}).get("methods", {}).get(source, "")
        return IngestResult(source, status, record.chunks, record.chars, record.type, record.title, method=method)


def ensure_sample_collection(collection: str = SAMPLE_COLLECTION) -> bool:
    """Index the samples into `collection` when it does not exist yet (first start).

    :returns: True when the samples were indexed now, False when the collection already existed.
    """
    info = open_store(collection).info()
    if info is not None and info.chunks > 0:
        return False
    Ingestor(collection).run([SAMPLES_DIR])
    return True
