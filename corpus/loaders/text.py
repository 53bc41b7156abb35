"""Plain text and Markdown, in any of the encodings `corpus.encoding` detects."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from corpus.encoding import decode_text

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_MD_TITLE = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def _first_line(body: str, limit: int = 80) -> str:
    for line in body.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= limit else ""
    return ""


def load_text(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A `.txt` file: decoded, title from a short first line."""
    body, encoding = decode_text(data)
    return body, _first_line(body), {"encoding": encoding}


def load_markdown(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A Markdown file: kept as Markdown (the chunker understands headings and tables); title from `# …`."""
    body, encoding = decode_text(data)
    body = body.replace("\r\n", "\n")
    front = _FRONT_MATTER.match(body)
    title = ""
    if front:
        match = re.search(r"^title:\s*(.+)$", front.group(0), re.M)
        title = match.group(1).strip().strip("\"'") if match else ""
        body = body[front.end() :]
    if not title:
        match = _MD_TITLE.search(body)
        title = match.group(1) if match else _first_line(body)
    return body, title, {"encoding": encoding}
