"""Ingest files into a collection through the collection's indexing pipeline, one file at a time.

One file = one pipeline run = one store transaction, which gives per-file progress, cancellation between files, and
crash safety (a killed run leaves every finished file complete; running it again does the rest, because unchanged
files are skipped by content hash). A file whose bytes and pipeline settings are unchanged is not converted again.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from haystack.core.errors import PipelineError, PipelineRuntimeError
from haystack.dataclasses import ByteStream

from tokka.errors import TokkaError
from corpus.loaders import SUPPORTED_EXTENSIONS, is_supported
from corpus.stores import open_store
from pipelines.loading import load_indexing_pipeline
from tokka.locales import t

logger = logging.getLogger(__name__)

STATUSES = ("added", "updated", "unchanged", "failed", "skipped", "cancelled")


@dataclass
class IngestResult:
    """What happened to one file.

    :param status: one of `added`, `updated`, `unchanged`, `failed`, `skipped` (unsupported file in a folder),
        `cancelled`.
    :param code: a locale key explaining a failure or skip (see `tokka.locales`).
    """

    source: str
    status: str
    chunks: int = 0
    chars: int = 0
    type: str = ""
    title: str = ""
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def reason(self, lang: str | None = None) -> str:
        """The failure reason in the user's language ("" when it did not fail)."""
        return t(self.code, lang, **self.params) if self.code else ""


@dataclass
class IngestSummary:
    """All results of one ingestion run."""

    results: list[IngestResult] = field(default_factory=list)
    cancelled: bool = False

    def count(self, status: str) -> int:
        """How many files ended with `status`."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def counts(self) -> dict[str, int]:
        """Counts per status."""
        return {s: self.count(s) for s in STATUSES}


def discover(paths: Iterable[Path | str]) -> tuple[list[Path], list[IngestResult]]:
    """Expand folders (recursively, skipping hidden files) into supported files.

    A file named explicitly is always attempted (so an unsupported type gets its own error); inside folders, files
    of unsupported types are reported as `skipped`.

    :returns: `(files to ingest, results for paths that were skipped or missing)`.
    """
    files: list[Path] = []
    early: list[IngestResult] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if not child.is_file() or any(part.startswith(".") for part in relative.parts):
                    continue
                if is_supported(child):
                    if child.resolve() not in seen:
                        seen.add(child.resolve())
                        files.append(child)
                else:
                    params = {"ext": child.suffix or "(none)", "supported": " ".join(SUPPORTED_EXTENSIONS)}
                    early.append(
                        IngestResult(str(child.resolve()), "skipped", code="err.unsupported_type", params=params)
                    )
        elif path.exists():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                files.append(path)
        else:
            early.append(IngestResult(str(path), "failed", code="err.not_found", params={"path": str(path)}))
    return files, early


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes, read in blocks (bounded memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
        self.store = open_store(collection)

    def run(
        self,
        paths: Iterable[Path | str],
        progress: Callable[[int, int, IngestResult], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> IngestSummary:
        """Ingest files and folders.

        :param progress: called after each file with `(done, total, result)`.
        :param cancel: set it to stop after the current file; the remaining files are reported `cancelled`.
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
            result = self.ingest_file(path)
            summary.results.append(result)
            if progress is not None:
                progress(done, total, result)
        return summary

    def ingest_file(self, path: Path, force: bool = False) -> IngestResult:
        """Ingest one file (a no-op when its content and the pipeline settings are unchanged, unless `force`)."""
        source = str(path.resolve())
        try:
            content_hash = file_hash(path)
        except OSError as e:
            return IngestResult(source, "failed", code="err.read_failed", params={"detail": e.strerror or str(e)})
        return self._ingest(source, source, content_hash, force)

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

    def _ingest(self, source: str, item: str | ByteStream, content_hash: str, force: bool) -> IngestResult:
        previous = self.store.source(source)
        unchanged = previous and previous.content_hash == content_hash and previous.pipeline_hash == self.pipeline_hash
        if unchanged and not force:
            return IngestResult(source, "unchanged", previous.chunks, previous.chars, previous.type, previous.title)
        try:
            output = self.pipeline.run(
                {
                    "converter": {"sources": [item]},
                    "writer": {"content_hashes": {source: content_hash}, "pipeline_hash": self.pipeline_hash},
                }
            )
        except (PipelineError, PipelineRuntimeError) as e:
            cause = e.__cause__
            if isinstance(cause, TokkaError):
                return IngestResult(source, "failed", code=cause.code, params=cause.params)
            logger.exception("Indexing %s failed", source)
            return IngestResult(source, "failed", code="err.read_failed", params={"detail": str(cause or e)[:300]})
        for failure in (f for value in output.values() for f in value.get("failures", [])):
            return IngestResult(source, "failed", code=failure["code"], params=failure["params"])
        record = self.store.source(source)
        if record is None:  # the pipeline wrote nothing for this source and reported no failure
            return IngestResult(source, "failed", code="err.no_text", params={"detail": source})
        status = "updated" if previous else "added"
        return IngestResult(source, status, record.chunks, record.chars, record.type, record.title)
