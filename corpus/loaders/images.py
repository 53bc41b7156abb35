"""Images of text (`.png`, `.jpg`, `.jpeg`, `.tif`, `.tiff`): scans and photos, read by OCR (`corpus.loaders.ocr`).

Without Tesseract the file fails with a message that says what to install.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.errors import LoadError
from corpus.loaders.ocr import ocr_image


def load_image(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """An image file: its text by OCR."""
    suffix = path.suffix.lower() if path.suffix.lower() in (".png", ".jpg", ".jpeg", ".tif", ".tiff") else ".png"
    read = ocr_image(data, suffix)
    if not read.text.strip():
        raise LoadError("err.image_no_text")
    return read.text, "", {"extraction": {"ocr": 1}, "ocr_confidence": round(read.confidence, 1)}
