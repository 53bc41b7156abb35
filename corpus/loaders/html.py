"""HTML pages and files, through trafilatura (main-text extraction: drops navigation, keeps headings and tables).

trafilatura's default minimum extraction size (250 characters) is too high for dense Japanese: shorter pages fall
back to a flat "baseline" that keeps navigation text and loses headings. We lower it (see
docs/libraries.md §4.1). The crawler uses :func:`html_to_markdown` too.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.metadata import extract_metadata
from trafilatura.settings import use_config

from corpus.encoding import decode_text
from corpus.errors import LoadError


@lru_cache(maxsize=1)
def japanese_config():
    """trafilatura settings for Japanese pages (small minimum sizes; no network use here)."""
    cfg = use_config()
    cfg.set("DEFAULT", "MIN_EXTRACTED_SIZE", "20")
    cfg.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    cfg.set("DEFAULT", "MIN_EXTRACTED_COMM_SIZE", "1")
    cfg.set("DEFAULT", "MIN_OUTPUT_COMM_SIZE", "1")
    return cfg


def html_to_markdown(html: str, url: str | None = None) -> tuple[str, str]:
    """Extract the main text of a page as Markdown.

    :returns: `(markdown, title)`; markdown is empty when the page has no text.
    """
    cfg = japanese_config()
    options = {
        "url": url,
        "output_format": "markdown",
        "include_tables": True,
        "include_formatting": True,
        "include_comments": False,
        "config": cfg,
    }
    # Precision first: on short pages the default mode keeps navigation text ("ホーム | 案内").
    body = trafilatura.extract(html, favor_precision=True, **options)
    if not body:
        body = trafilatura.extract(html, favor_recall=True, **options)
        if body and _only_navigation(body, html):
            body = ""
    meta = extract_metadata(html, default_url=url)
    title = (meta.title if meta is not None and meta.title else "") or ""
    return (body or "").strip(), title.strip()


def _only_navigation(text: str, html: str) -> bool:
    """True when `text` holds nothing but link, navigation, header and footer text of the page."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return False
    for element in tree.xpath("//a|//nav|//header|//footer"):
        for piece in element.text_content().split():
            text = text.replace(piece, "")
    return len(re.findall(r"\w", text)) < 5


def load_html(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """An `.html` / `.htm` file."""
    markup, encoding = decode_html(data)
    body, title = html_to_markdown(markup)
    if not body:
        raise LoadError("err.no_text", detail="HTML")
    return body, title, {"encoding": encoding}


def decode_html(data: bytes) -> tuple[str, str]:
    """HTML bytes as text: a declared `<meta charset>` first (Shift_JIS pages are common), else detection.

    :returns: `(text, encoding)`.
    """
    head = data[:2048].decode("ascii", "ignore").lower()
    for marker in ("charset=", "encoding="):
        pos = head.find(marker)
        if pos >= 0:
            declared = head[pos + len(marker) :].strip("\"' ").split('"')[0].split("'")[0].split(";")[0].split(">")[0]
            declared = declared.strip().strip("\"' /")
            try:
                return data.decode(declared), declared
            except (LookupError, UnicodeDecodeError):
                break
    return decode_text(data)
