"""Sentence-aware chunking for Japanese, measured in characters.

Haystack's own splitters cannot do this (no Japanese sentence model; `split_by="function"` ignores length and
overlap; see docs/libraries.md §2.1), so we group sentences ourselves:

1. The text is parsed into *units*: Markdown headings, table rows, and sentences (ending in 。！？!? or a line end).
2. Units are packed into chunks up to `chunk_size` characters. A sentence is never cut unless it alone is longer
   than `chunk_size`.
3. The next chunk starts with the last whole sentences of the previous one, up to `overlap` characters.
4. A heading never ends a chunk: it moves to the chunk that holds its text. A new section starts a new chunk when
   the current one is already half full. Every chunk records the heading path it belongs to.
5. A table row is never split; a chunk that continues a table repeats the table's header row.
6. Page breaks (`\f`, from the PDF loader) are not text: each unit remembers its page, and a chunk's page is the
   page its text starts on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE = re.compile(r".+?(?:[。！？!?]+[」』）)\]]*|\.(?=\s|$|[^\x00-\x7f])[」』）)]*|$)", re.S)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


@dataclass(frozen=True)
class Chunk:
    """One chunk of a document.

    :param content: the chunk text (with a table header repeated when it continues a table).
    :param heading: the heading path in effect (`章 > 節`), or "".
    :param index: position of the chunk in its document, from 0.
    :param page: the page its text starts on (1 for text without page breaks).
    """

    content: str
    heading: str
    index: int
    page: int = 1


@dataclass(frozen=True)
class _Unit:
    text: str
    kind: str  # "heading" | "row" | "sentence"
    sep: str  # what joins it to the previous unit: "\n\n", "\n" or ""
    section: str
    table_header: str = ""
    page: int = 1


def _parse(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    headings: dict[int, str] = {}
    blocks = [(page, block) for page, body in enumerate(text.split("\f"), 1) for block in re.split(r"\n\s*\n", body)]
    for page, block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        table_header = ""
        for i, line in enumerate(lines):
            sep = "\n\n" if i == 0 else "\n"
            section = " > ".join(headings[k] for k in sorted(headings))
            match = _HEADING.match(line)
            if match:
                level = len(match.group(1))
                headings = {k: v for k, v in headings.items() if k < level}
                headings[level] = match.group(2)
                units.append(_Unit(line, "heading", sep, " > ".join(headings[k] for k in sorted(headings)), "", page))
                continue
            if line.lstrip().startswith("|"):
                if _TABLE_SEPARATOR.match(line.strip()):
                    continue  # the separator is re-emitted with the header
                is_header = i + 1 < len(lines) and bool(_TABLE_SEPARATOR.match(lines[i + 1].strip()))
                if is_header:
                    width = line.count("|") - 1
                    table_header = line + "\n|" + "---|" * max(width, 1)
                    units.append(_Unit(table_header, "row", sep, section, table_header, page))
                else:
                    units.append(_Unit(line, "row", sep, section, table_header, page))
                continue
            for j, sentence in enumerate(s for s in _SENTENCE.findall(line) if s.strip()):
                units.append(_Unit(sentence, "sentence", sep if j == 0 else "", section, "", page))
    return units


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` (ending in 。！？!? or a line end); a Markdown table row counts as one sentence."""
    sentences: list[str] = []
    for line in text.replace("\f", "\n").split("\n"):
        if not line.strip() or _TABLE_SEPARATOR.match(line.strip()):
            continue
        if line.lstrip().startswith("|"):
            sentences.append(line.strip())
            continue
        sentences += [s.strip() for s in _SENTENCE.findall(line) if s.strip()]
    return sentences


def _split_long(unit: _Unit, size: int) -> list[_Unit]:
    if len(unit.text) <= size:
        return [unit]
    pieces = [unit.text[i : i + size] for i in range(0, len(unit.text), size)]
    return [
        _Unit(p, unit.kind, unit.sep if k == 0 else "", unit.section, unit.table_header, unit.page)
        for k, p in enumerate(pieces)
    ]


def _leads(unit: _Unit) -> bool:
    """Units that introduce what follows and so must not end a chunk."""
    return unit.kind == "heading" or (unit.kind == "row" and unit.text == unit.table_header)


def _length(units: list[_Unit]) -> int:
    return sum(len(u.text) + len(u.sep) for u in units) - (len(units[0].sep) if units else 0)


def _render(units: list[_Unit]) -> str:
    parts: list[str] = []
    first_row = next((u for u in units if u.kind != "heading"), None)
    if first_row is not None and first_row.kind == "row" and first_row.table_header and first_row is units[0]:
        if first_row.text != first_row.table_header:
            parts.append(first_row.table_header + "\n")
    for k, unit in enumerate(units):
        parts.append(("" if k == 0 else unit.sep) + unit.text)
    return "".join(parts).strip()


def chunk_text(text: str, chunk_size: int = 400, overlap: int = 80) -> list[Chunk]:
    """Split normalised text into chunks.

    :param text: normalised text (see `corpus.japanese.normalize.normalize_text`).
    :param chunk_size: target maximum length of a chunk in characters.
    :param overlap: characters of whole sentences repeated at the start of the next chunk (0 for none).
    :returns: the chunks in document order.
    :raises ValueError: when `chunk_size` is not positive or `overlap` is not smaller than `chunk_size`.
    """
    if chunk_size <= 0:
        msg = f"chunk_size must be positive, got {chunk_size}"
        raise ValueError(msg)
    if not 0 <= overlap < chunk_size:
        msg = f"overlap must be between 0 and chunk_size - 1, got {overlap}"
        raise ValueError(msg)
    units = [piece for unit in _parse(text) for piece in _split_long(unit, chunk_size)]
    chunks: list[Chunk] = []
    for group in _group(units, chunk_size, overlap):
        content = _render(group)
        if not content:
            continue
        body = next((u for u in group if u.kind != "heading"), group[0])
        chunks.append(Chunk(content=content, heading=body.section, index=len(chunks), page=body.page))
    return chunks


def _group(units: list[_Unit], chunk_size: int, overlap: int) -> list[list[_Unit]]:
    """Pack units into chunks (steps 2–4 of the module docstring)."""
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    length = 0  # _length(current), kept as units are added (recounting made long files quadratic per chunk)
    for unit in units:
        new_section = unit.kind == "heading" and length >= chunk_size // 2
        too_long = current and length + len(unit.text) + len(unit.sep) > chunk_size
        if current and (new_section or too_long) and not all(_leads(u) for u in current):
            carried: list[_Unit] = []
            while current and _leads(current[-1]):  # a heading or table header goes with what follows it
                carried.insert(0, current.pop())
            groups.append(current)
            tail = _overlap_tail(current, overlap) if overlap and not new_section and not carried else []
            current = [*tail, *carried]
            length = _length(current)
        length = length + len(unit.text) + len(unit.sep) if current else len(unit.text)
        current.append(unit)
    if current and not all(_leads(u) for u in current):
        groups.append(current)
    elif current and groups:
        groups[-1].extend(current)
    elif current:
        groups.append(current)
    return groups


def _overlap_tail(group: list[_Unit], overlap: int) -> list[_Unit]:
    """The last whole sentences of a finished chunk, up to `overlap` characters, to start the next one."""
    tail: list[_Unit] = []
    for previous in reversed(group[1:]):
        if previous.kind != "sentence" or _length([previous, *tail]) > overlap:
            break
        tail.insert(0, previous)
    return tail
