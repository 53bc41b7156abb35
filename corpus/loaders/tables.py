"""Tables: CSV/TSV (any detected encoding) and Excel `.xlsx` (openpyxl), rendered as Markdown tables.

A Markdown table keeps each row on one line and the header row on top, so the chunker can keep a row whole and
repeat the header in every chunk that continues the table.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from pathlib import Path
from typing import Any

from corpus.encoding import decode_text
from corpus.errors import LoadError


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0, 0):
        return value.date().isoformat()
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("|", "｜").strip()
    return text[:-2] if text.endswith(".0") and text[:-2].lstrip("-").isdigit() else text


def markdown_table(rows: list[list[object]]) -> str:
    """Render rows (the first is the header) as a Markdown table; empty rows are dropped."""
    cleaned = [[_cell(c) for c in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return ""
    width = max(len(r) for r in cleaned)
    cleaned = [r + [""] * (width - len(r)) for r in cleaned]
    header, *body = cleaned
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)


def load_csv(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A `.csv` / `.tsv` file; the delimiter is sniffed (comma, tab, semicolon)."""
    body, encoding = decode_text(data)
    sample = body[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))
    except csv.Error as e:
        raise LoadError("err.table_bad", detail=str(e)) from e
    table = markdown_table(rows)
    if not table:
        raise LoadError("err.no_text", detail="CSV")
    return table, "", {"encoding": encoding, "rows": max(0, len(rows) - 1)}


def load_xlsx(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """An `.xlsx` workbook: each non-empty sheet becomes `## sheet name` and a table."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise LoadError("err.office_corrupt", kind="Excel (.xlsx)", detail=type(e).__name__) from e
    except Exception as e:  # openpyxl raises assorted errors for damaged workbooks
        raise LoadError("err.office_corrupt", kind="Excel (.xlsx)", detail=type(e).__name__) from e
    parts: list[str] = []
    sheets = 0
    try:
        for sheet in workbook.worksheets:
            table = markdown_table([list(row) for row in sheet.iter_rows(values_only=True)])
            if table:
                sheets += 1
                parts.append(f"## {sheet.title}\n\n{table}")
    finally:
        workbook.close()
    title = (workbook.properties.title or "") if workbook.properties else ""
    return "\n\n".join(parts), title, {"sheets": sheets}
