"""What a file really is, from its first bytes: extensions lie (a Shift_JIS text saved as `MANUAL.DOC`, a PDF
named `.dat`), and offices keep files whose names lost their extension long ago.

Signatures: `%PDF`, the ZIP-based Office formats (by the part names inside), the old OLE2 compound documents of
Word / Excel / PowerPoint (by their stream names), PNG / JPEG / TIFF images, HTML, e-mail (RFC 5322 headers), and
plain text in any encoding `corpus.encoding` reads. A file that is none of these stays unknown.
"""

from __future__ import annotations

import io
import re
import zipfile

from corpus.encoding import decode_text
from corpus.errors import LoadError

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# OLE2 directory entries name their streams in UTF-16LE.
_OLE_STREAMS = (
    ("WordDocument".encode("utf-16-le"), ".doc"),
    ("Workbook".encode("utf-16-le"), ".xls"),
    ("Book".encode("utf-16-le"), ".xls"),
    ("PowerPoint Document".encode("utf-16-le"), ".ppt"),
)
_ZIP_PARTS = (("word/document.xml", ".docx"), ("xl/workbook.xml", ".xlsx"), ("ppt/presentation.xml", ".pptx"))
_IMAGES = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"))
_HTML = re.compile(r"^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
_MAIL_HEADER = re.compile(r"^(from|to|subject|date|message-id|mime-version|received|return-path):", re.I | re.M)


def sniff(data: bytes) -> str | None:
    """The extension that matches the content (`.pdf`, `.docx`, `.doc`, `.png`, `.html`, `.eml`, `.txt` …), or None."""
    head = data[:8192]
    if head.lstrip()[:5].startswith(b"%PDF"):
        return ".pdf"
    for magic, ext in _IMAGES:
        if head.startswith(magic):
            return ext
    if head.startswith(_OLE2):
        return next((ext for name, ext in _OLE_STREAMS if name in data[: 1 << 20]), None)
    if head.startswith(b"PK\x03\x04"):
        return _zip_office(data)
    return _text_kind(data)


def _zip_office(data: bytes) -> str | None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return next((ext for part, ext in _ZIP_PARTS if part in names), None)


def _text_kind(data: bytes) -> str | None:
    sample = data[:65536]
    if len(data) > len(sample) and (cut := sample.rfind(b"\n")) > 0:
        sample = sample[:cut]  # never cut a multi-byte character in two
    try:
        text, _ = decode_text(sample)
    except LoadError:
        return None
    start = text[:2048]
    if _HTML.match(start):
        return ".html"
    header = start.split("\n\n", 1)[0]
    if len(_MAIL_HEADER.findall(header)) >= 3:
        return ".eml"
    return ".txt"
