"""PDF files through pypdf (pure Python, handles Japanese CID fonts with ToUnicode maps)."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

from corpus.errors import LoadError

logger = logging.getLogger(__name__)


def load_pdf(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A `.pdf` file: text per page, pages separated by a blank line; title from the PDF metadata."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise LoadError("err.pdf_corrupt", detail="no %PDF header")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many PDFs are "encrypted" only with an owner password (printing restrictions) and open with "".
            try:
                if not reader.decrypt(""):
                    raise LoadError("err.pdf_encrypted")
            except (FileNotDecryptedError, NotImplementedError) as e:
                raise LoadError("err.pdf_encrypted") from e
        pages = [page.extract_text() or "" for page in reader.pages]
        info_title = ""
        try:
            info_title = (reader.metadata.title if reader.metadata else "") or ""
        except (PyPdfError, AttributeError, TypeError):
            info_title = ""
    except LoadError:
        raise
    except FileNotDecryptedError as e:
        raise LoadError("err.pdf_encrypted") from e
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as e:
        raise LoadError("err.pdf_corrupt", detail=type(e).__name__ + ": " + str(e)[:120]) from e
    body = "\n\n".join(p.strip() for p in pages if p.strip())
    if not body.strip():
        raise LoadError("err.pdf_no_text")
    title = info_title.strip()
    if not title:
        first = body.strip().splitlines()[0].strip()
        title = first if len(first) <= 80 else ""
    return body, title, {"pages": len(pages)}
