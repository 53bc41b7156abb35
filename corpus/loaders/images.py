"""Images of text (`.png`, `.jpg`, `.jpeg`, `.tif`, `.tiff`): scans and photos, read by OCR (`corpus.loaders.ocr`).

Without Tesseract the file fails with a message that says what to install. A damaged or truncated image is found
by Pillow (already installed with Gradio) before Tesseract sees it, so the message says so plainly instead of
passing on Tesseract's own error text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from corpus.errors import LoadError
from corpus.loaders.ocr import ocr_image, require_ocr


def load_image(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """An image file: its text by OCR."""
    suffix = path.suffix.lower() if path.suffix.lower() in (".png", ".jpg", ".jpeg", ".tif", ".tiff") else ".png"
    require_ocr()  # first what to install, then whether this file is whole
    _check_image(data)
    read = ocr_image(data, suffix)
    if not read.text.strip():
        raise LoadError("err.image_no_text")
    return read.text, "", {"extraction": {"ocr": 1}, "ocr_confidence": round(read.confidence, 1)}


def _check_image(data: bytes) -> None:
    """:raises LoadError: `err.image_damaged` when the image cannot be decoded whole."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes every pixel: a truncated file fails here
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as e:
        raise LoadError("err.image_damaged") from e
