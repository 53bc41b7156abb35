"""Turn one file into text: one loader module per format, chosen by what the file is.

The extension proposes, the content decides (`corpus.loaders.sniff`): a Shift_JIS text saved as `.DOC` is read as
text, a PDF named `.dat` as a PDF, and a file whose content matches no format is refused with the reason.

Each loader returns Markdown-flavoured plain text so that structure survives into chunking: headings as `# …`,
tables as `| … |` rows with a header row. A bad file raises :class:`corpus.errors.LoadError` with a reason the
user can act on; nothing is ever half-loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import LoadError
from corpus.loaders import docx, html, images, jsonl, legacy, mail, pdf, pptx, tables, text
from corpus.loaders.sniff import sniff
from tokka.settings import get_settings


@dataclass
class LoadedDocument:
    """A file's text and the metadata every chunk keeps.

    :param text: the extracted text (not yet normalised).
    :param source: where it came from (an absolute file path or a URL); the key for re-adding and removing.
    :param title: a human title (document title, first heading, or the file name).
    :param type: the format (`txt`, `md`, `html`, `pdf`, `docx`, `csv`, `xlsx`, `json`, `jsonl`, `web`).
    :param modified: modification time (Unix seconds).
    :param meta: format-specific extras (encoding, pages, sheets …).
    """

    text: str
    source: str
    title: str
    type: str
    modified: float
    meta: dict[str, Any] = field(default_factory=dict)


# extension -> (type, loader). A loader takes (path, raw bytes) and returns (text, title or "", extra meta).
Loader = Callable[[Path, bytes], tuple[str, str, dict[str, Any]]]
LOADERS: dict[str, tuple[str, Loader]] = {
    ".txt": ("txt", text.load_text),
    ".text": ("txt", text.load_text),
    ".md": ("md", text.load_markdown),
    ".markdown": ("md", text.load_markdown),
    ".html": ("html", html.load_html),
    ".htm": ("html", html.load_html),
    ".pdf": ("pdf", pdf.load_pdf),
    ".docx": ("docx", docx.load_docx),
    ".csv": ("csv", tables.load_csv),
    ".tsv": ("csv", tables.load_csv),
    ".xlsx": ("xlsx", tables.load_xlsx),
    ".xls": ("xls", legacy.load_xls),
    ".pptx": ("pptx", pptx.load_pptx),
    ".doc": ("doc", legacy.load_doc),
    ".ppt": ("ppt", legacy.load_ppt),
    ".json": ("json", jsonl.load_json),
    ".jsonl": ("jsonl", jsonl.load_jsonl),
    ".eml": ("eml", mail.load_eml),
    ".png": ("image", images.load_image),
    ".jpg": ("image", images.load_image),
    ".jpeg": ("image", images.load_image),
    ".tif": ("image", images.load_image),
    ".tiff": ("image", images.load_image),
}
SUPPORTED_EXTENSIONS = tuple(LOADERS)
# Extensions whose files are text: their content may be any text (an HTML page saved as .txt stays text).
TEXT_EXTENSIONS = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".csv", ".tsv", ".json", ".jsonl", ".eml"}


def choose_loader(ext: str, data: bytes) -> tuple[str, str | None]:
    """The extension whose loader reads `data`, and what the content was detected as when that overrides `ext`.

    :raises LoadError: `err.unsupported_type` when neither the extension nor the content is a supported format.
    """
    found = sniff(data)
    if ext in LOADERS:
        text_named = ext in TEXT_EXTENSIONS
        if found is None or found == ext or (text_named and found in TEXT_EXTENSIONS):
            return ext, None
        if ext in (".jpg", ".jpeg") and found == ".jpg" or ext in (".tif", ".tiff") and found == ".tif":
            return ext, None
        return found, found  # the content is another format than the name says
    if found is not None and found in LOADERS:
        return found, found
    raise LoadError("err.unsupported_type", ext=ext or "(none)", supported=" ".join(SUPPORTED_EXTENSIONS))


def is_supported(path: Path) -> bool:
    """True when the file's extension has a loader."""
    return path.suffix.lower() in LOADERS


def load_file(path: Path | str, max_bytes: int | None = None) -> LoadedDocument:
    """Load one file.

    :param path: the file.
    :param max_bytes: refuse larger files (`err.too_large`); `None` means no limit.
    :returns: the loaded document.
    :raises LoadError: with a reason for every kind of bad input.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise LoadError("err.not_found", path=str(path)) from None
    if stat.st_size == 0:
        raise LoadError("err.empty_file")
    if max_bytes is not None and stat.st_size > max_bytes:
        raise LoadError("err.too_large", size_mb=round(stat.st_size / 2**20, 1), limit_mb=round(max_bytes / 2**20, 1))
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LoadError("err.read_failed", detail=e.strerror or str(e)) from e
    return load_bytes(data, path.name, str(path.resolve()), stat.st_mtime)


def load_bytes(
    data: bytes, name: str, source: str, modified: float, max_bytes: int | None = None, kind: str | None = None
) -> LoadedDocument:
    """Load content that is already in memory (a downloaded page or document).

    :param name: a file name whose extension chooses the loader (e.g. `page.html`).
    :param source: what the document is known by (a URL or a path).
    :param kind: overrides the recorded type (e.g. `web`).
    :raises LoadError: as :func:`load_file`.
    """
    path = Path(name)
    if not data:
        raise LoadError("err.empty_file")
    if max_bytes is not None and len(data) > max_bytes:
        raise LoadError("err.too_large", size_mb=round(len(data) / 2**20, 1), limit_mb=round(max_bytes / 2**20, 1))
    ext, detected = choose_loader(path.suffix.lower(), data)
    loaded_kind, loader = LOADERS[ext]
    body, title, meta = loader(path, data)
    if detected:
        meta = {**meta, "detected_as": detected}
    if not body.strip():
        raise LoadError("err.no_text", detail=name)
    limit = get_settings().max_chars
    if len(body) > limit:
        raise LoadError("err.too_many_chars", chars=f"{len(body):,}", limit=f"{limit:,}")
    return LoadedDocument(
        text=body,
        source=source,
        title=(title or path.stem).strip()[:200],
        type=kind or loaded_kind,
        modified=modified,
        meta=meta,
    )
