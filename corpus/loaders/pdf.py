"""PDF files: text per page, checked, with a second extractor and OCR behind it, and page numbers kept.

Which extractor, by measurement on Japanese PDFs (docs/documents.md §1): **PDFium** (`pypdfium2`, BSD/Apache, the
engine of Chrome's viewer) reads the CID-font PDFs that pypdf turns into mojibake (pLaTeX/dvipdfmx output, vertical
text) and is the fastest; **pdfminer.six** (MIT) reads some fonts PDFium maps wrongly. PyMuPDF is AGPL: not used.

Each page's text is checked (:func:`text_quality`: the share of characters in the scripts a Japanese office document
uses; replacement characters and private-use code points count against it). A page that fails is read again with
pdfminer; a page that fails both, or has no text layer at all (a scan, outlined text), is read by OCR when Tesseract is
installed (`corpus.loaders.ocr`), up to `TOKKA_OCR_MAX_PAGES` pages. Pages are separated by a form feed (`\\f`), which
the normaliser and chunker turn into the `page` of each chunk, so an answer can cite "p. 12".
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from pathlib import Path
from typing import Any

from corpus.errors import LoadError
from corpus.loaders.progress import report
from tokka.settings import get_settings

logger = logging.getLogger(__name__)

GOOD = 0.85  # a page's text quality from which it is used as it is
_EXPECTED = re.compile(
    r"[\s\x21-\x7e\u00a0-\u017f\u2010-\u2bff\u3000-\u30ff\u3190-\u319f\u31f0-\u31ff\u3200-\u33ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u0391-\u03c9\u0410-\u044f]"
)
_BAD = re.compile(r"[\ufffd\ue000-\uf8ff\x00-\x08\x0b\x0e-\x1f]")
MIN_TEXT = 20  # characters; a page with less is treated as having no text layer (a scan)


def text_quality(text: str) -> float:
    """Share of characters (spaces aside) a Japanese office document plausibly contains; mojibake scores low."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    sample = "".join(chars[:20000])
    bad = len(_BAD.findall(sample))
    return max(0.0, (len(_EXPECTED.findall(sample)) - 3 * bad) / len(sample))


def _open(data: bytes) -> Any:
    import pypdfium2 as pdfium

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise LoadError("err.pdf_corrupt", detail="%PDF")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        text = str(e).lower()
        if "password" in text:
            raise LoadError("err.pdf_encrypted") from e
        raise LoadError("err.pdf_corrupt", detail=str(e)[:120]) from e


def _pdfium_text(page: Any) -> str:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
        return text.replace("\ufffe", "-")  # PDFium marks a hyphen at a line end as U+FFFE: it is the text's hyphen
    finally:
        textpage.close()


def _pdfminer_text(data: bytes, index: int) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        return extract_text(io.BytesIO(data), page_numbers=[index], laparams=LAParams(detect_vertical=True))
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AssertionError, OSError) as e:
        logger.info("pdfminer could not read page %s: %s", index + 1, e)
        return ""


def _ocr_page(page: Any) -> str:
    from corpus.loaders.ocr import ocr_image

    image = page.render(scale=300 / 72).to_pil()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ocr_image(buffer.getvalue()).text


class _Pages:
    """Reads page after page, choosing per page between PDFium, pdfminer and OCR; counts what was used."""

    def __init__(self, data: bytes, ocr_limit: int) -> None:
        from corpus.loaders.ocr import languages, tesseract

        self.data = data
        self.ocr_ready = tesseract() is not None and "jpn" in languages()
        self.ocr_limit = ocr_limit
        self.methods: Counter[str] = Counter()
        self.unreadable: list[int] = []
        self.ocr_skipped = 0

    def read(self, index: int, page: Any) -> str:
        text = _pdfium_text(page)
        if len(text.strip()) >= MIN_TEXT and text_quality(text) >= GOOD:
            self.methods["pdfium"] += 1
            return text
        best, how = text, "pdfium"
        if text.strip():  # text that reads wrongly: the other extractor may map the font right
            other = _pdfminer_text(self.data, index)
            if text_quality(other) > text_quality(best):
                best, how = other, "pdfminer"
        if (len(best.strip()) < MIN_TEXT or text_quality(best) < GOOD) and self.ocr_ready:
            if self.methods["ocr"] < self.ocr_limit:
                best, how = _ocr_page(page), "ocr"
            else:
                self.ocr_skipped += 1
        if best.strip() and text_quality(best) < GOOD:
            self.unreadable.append(index + 1)
            return ""  # never index mojibake: the page is reported instead
        self.methods[how] += 1 if best.strip() else 0
        return best


def load_pdf(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A `.pdf` file: the text of each page, pages separated by `\\f`; title from the PDF metadata.

    :raises LoadError: `err.pdf_corrupt`, `err.pdf_encrypted`, `err.pdf_no_text` (with what to do),
        `err.pdf_unreadable` when every page's text is mojibake and OCR cannot help.
    """
    document = _open(data)
    try:
        reader = _Pages(data, get_settings().ocr_max_pages)
        pages = []
        for i in range(len(document)):
            ocr_before = reader.methods["ocr"]
            pages.append(reader.read(i, document[i]))
            report("ocr" if reader.methods["ocr"] > ocr_before else "page", i + 1, len(document))
        title = (document.get_metadata_dict().get("Title") or "").strip()
    finally:
        document.close()
    body = "\f".join(p.strip() for p in pages)
    if not body.replace("\f", "").strip():
        if reader.unreadable:
            raise LoadError("err.pdf_unreadable", pages=len(reader.unreadable))
        raise LoadError("err.pdf_no_text" if reader.ocr_ready else "err.pdf_no_text_no_ocr")
    if not title:
        first = next((line.strip() for line in body.splitlines() if line.strip()), "")
        title = first if len(first) <= 80 else ""
    meta: dict[str, Any] = {"pages": len(pages), "extraction": dict(reader.methods)}
    if reader.unreadable:
        meta["unreadable_pages"] = reader.unreadable[:50]
    if reader.ocr_skipped:
        meta["ocr_skipped_pages"] = reader.ocr_skipped
    return body, title, meta
