"""Files given to ingestion: finding them in folders, hashing them, and the record of what happened to each.

The ingestion itself runs the collection's indexing pipeline (`pipelines.ingest.Ingestor`); these records are shared
by it, the crawler, the command line and the app.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.loaders import LOADERS, SUPPORTED_EXTENSIONS, is_supported
from corpus.loaders.sniff import sniff
from tokka.locales import for_ui, t

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
    method: str = ""  # how the text was obtained when it is worth saying (e.g. the PDF extractor, OCR)

    def reason(self, lang: str | None = None, ui: bool = False) -> str:
        """The failure reason in the user's language ("" when it did not fail); `ui`: the app's wording."""
        return t(for_ui(self.code) if ui else self.code, lang, **self.params) if self.code else ""


def extraction_note(meta: dict[str, Any]) -> str:
    """How a document's text was obtained, in a compact form kept with the result (`pdfium=10;ocr=2;as=.txt`):
    extractor page counts, pages that could not be read, OCR pages over the limit, the type detected from the content
    when the name said otherwise, and a conversion by LibreOffice. Empty when there is nothing worth saying."""
    parts = [f"{k}={v}" for k, v in (meta.get("extraction") or {}).items() if v]
    if meta.get("unreadable_pages"):
        parts.append(f"unreadable={len(meta['unreadable_pages'])}")
    if meta.get("ocr_skipped_pages"):
        parts.append(f"ocr_skipped={meta['ocr_skipped_pages']}")
    if meta.get("detected_as"):
        parts.append(f"as={meta['detected_as']}")
    if meta.get("converted"):
        parts.append(f"via={meta['converted']}")
    return ";".join(parts)


def describe_extraction(note: str, lang: str | None = None) -> str:
    """`extraction_note` in the user's words (「PDFium 10 ページ、OCR 2 ページ」)."""
    words = []
    for part in filter(None, (note or "").split(";")):
        key, _, value = part.partition("=")
        words.append(t(f"extraction.{key}", lang, n=value, value=value))
    return t("extraction.join", lang).join(words)


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


def readable(path: Path) -> bool:
    """A supported extension, or content that is a supported format whatever the name (its first 64 KB decide)."""
    if is_supported(path):
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return False
    return sniff(head) in LOADERS


def discover(paths: Iterable[Path | str]) -> tuple[list[Path], list[IngestResult]]:
    """Expand folders (recursively, skipping hidden files) into readable files.

    A file named explicitly is always attempted (so an unsupported type gets its own error); inside folders, a file
    is attempted when its extension or its content is a supported format, and reported as `skipped` (with the
    reason) otherwise: every file appears in the summary.

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
                if readable(child):
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
