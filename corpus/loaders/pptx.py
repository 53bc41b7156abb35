"""PowerPoint `.pptx` files through python-pptx: per slide its title, text, tables and speaker notes.

Each slide becomes a Markdown section (`## スライド 3: title`), so the chunker keeps a slide's text together and
every chunk records which slide it came from (its heading).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from corpus.errors import LoadError
from corpus.loaders.containers import check_zip
from corpus.loaders.tables import markdown_table


def _shape_text(shape: Any) -> list[str]:
    """The text of one shape: its paragraphs, a table as Markdown, the shapes of a group in order."""
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [[cell.text.strip() for cell in row.cells] for row in shape.table.rows]
        return [markdown_table(rows)] if rows else []
    if shape.shape_type is not None and int(shape.shape_type) == 6:  # MSO_SHAPE_TYPE.GROUP
        return [text for child in shape.shapes for text in _shape_text(child)]
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        lines = [p.text.strip() for p in shape.text_frame.paragraphs if p.text.strip()]
        return ["\n".join(lines)] if lines else []
    return []


def _slide(number: int, slide: Any, label: str, notes_label: str) -> tuple[str, str]:
    title_shape = slide.shapes.title
    title = title_shape.text.strip() if title_shape is not None and title_shape.has_text_frame else ""
    blocks = [t for shape in slide.shapes if shape is not title_shape for t in _shape_text(shape)]
    if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
        notes = slide.notes_slide.notes_text_frame.text.strip()
        if notes:
            blocks.append(f"{notes_label}: {notes}")
    heading = f"## {label} {number}" + (f": {title}" if title else "")
    return title, "\n\n".join([heading, *blocks]) if blocks or title else ""


def load_pptx(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A `.pptx` file; title from the core properties, else the first slide's title."""
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    from tokka.locales import t

    check_zip(data, "PowerPoint (.pptx)").close()
    try:
        presentation = Presentation(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as e:
        raise LoadError("err.office_corrupt", kind="PowerPoint (.pptx)", detail=type(e).__name__) from e
    except Exception as e:  # python-pptx raises assorted lxml/opc errors for damaged parts
        raise LoadError("err.office_corrupt", kind="PowerPoint (.pptx)", detail=type(e).__name__) from e
    label, notes_label = t("doc.slide"), t("doc.notes")
    slides = [_slide(n, slide, label, notes_label) for n, slide in enumerate(presentation.slides, start=1)]
    body = "\n\n".join(text for _, text in slides if text)
    title = (presentation.core_properties.title or "").strip() or next((s for s, _ in slides if s), "")
    return body, title, {"slides": len(slides)}
