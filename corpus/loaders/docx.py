"""Word `.docx` files through python-docx: paragraphs in order, headings as Markdown `#`, tables as Markdown."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import docx as python_docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from corpus.errors import LoadError
from corpus.loaders.containers import check_zip
from corpus.loaders.tables import markdown_table

_HEADING = re.compile(r"^(?:Heading|見出し)\s*(\d)", re.I)


def _heading_level(paragraph: Paragraph) -> int:
    name = paragraph.style.name if paragraph.style is not None else ""
    if name in ("Title", "表題"):
        return 1
    match = _HEADING.match(name or "")
    return int(match.group(1)) if match else 0


def _blocks(document: DocxDocument) -> list[str]:
    blocks: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if not text:
                continue
            level = _heading_level(item)
            blocks.append(f"{'#' * min(level, 6)} {text}" if level else text)
        elif isinstance(item, Table):
            rows = [[cell.text.strip() for cell in row.cells] for row in item.rows]
            if rows:
                blocks.append(markdown_table(rows))
    return blocks


def load_docx(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A `.docx` file; title from the core properties, else the first heading."""
    check_zip(data, "Word (.docx)").close()
    try:
        document = python_docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise LoadError("err.office_corrupt", kind="Word (.docx)", detail=type(e).__name__) from e
    except Exception as e:  # python-docx raises assorted lxml/opc errors for damaged parts
        raise LoadError("err.office_corrupt", kind="Word (.docx)", detail=type(e).__name__) from e
    blocks = _blocks(document)
    title = (document.core_properties.title or "").strip()
    if not title:
        title = next((b.lstrip("# ").strip() for b in blocks if b.startswith("#")), "")
    return "\n\n".join(blocks), title, {}
