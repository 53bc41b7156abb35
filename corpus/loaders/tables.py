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
from corpus.loaders.containers import check_zip


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


MAX_CELLS_READ = 2_000_000  # cells parsed in one workbook, empty ones included
MAX_CELLS_KEPT = 300_000  # non-empty cells turned into text


def _sheet_rows(sheet: object, budget: list[int]) -> list[list[object]]:
    """The rows of a read-only sheet that hold values, with empty columns dropped.

    openpyxl pads every row to the sheet's *declared* dimension (a 5 KB file may declare A1:XFD1048576), so the XML
    rows are read with its parser directly and only cells that are present count.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = sheet.parent
    cells: dict[tuple[int, int], object] = {}
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            workbook.shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for row_index, row in parser.parse():
            budget[0] -= len(row)
            if budget[0] < 0:
                raise LoadError("err.sheet_too_large", cells=f"{MAX_CELLS_READ:,}")
            for cell in row:
                if cell["value"] is not None and str(cell["value"]).strip():
                    cells[(row_index, cell["column"])] = cell["value"]
            if len(cells) > MAX_CELLS_KEPT:
                raise LoadError("err.sheet_too_large", cells=f"{MAX_CELLS_KEPT:,}")
    columns = sorted({column for _, column in cells})
    position = {column: i for i, column in enumerate(columns)}
    rows: dict[int, list[object]] = {}
    for (row_index, column), value in cells.items():
        rows.setdefault(row_index, [None] * len(columns))[position[column]] = value
    return [rows[i] for i in sorted(rows)]


def load_xlsx(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """An `.xlsx` workbook: each non-empty sheet becomes `## sheet name` and a table (bounded by cells present)."""
    from openpyxl import load_workbook

    archive = check_zip(data, "Excel (.xlsx)")
    archive.close()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise LoadError("err.office_corrupt", kind="Excel (.xlsx)", detail=type(e).__name__) from e
    except Exception as e:  # openpyxl raises assorted errors for damaged workbooks
        raise LoadError("err.office_corrupt", kind="Excel (.xlsx)", detail=type(e).__name__) from e
    parts: list[str] = []
    sheets = 0
    budget = [MAX_CELLS_READ]
    try:
        for sheet in workbook.worksheets:
            try:
                table = markdown_table(_sheet_rows(sheet, budget))
            except LoadError:
                raise
            except Exception as e:  # a damaged sheet part
                raise LoadError("err.office_corrupt", kind="Excel (.xlsx)", detail=type(e).__name__) from e
            if table:
                sheets += 1
                parts.append(f"## {sheet.title}\n\n{table}")
        title = (workbook.properties.title or "") if workbook.properties else ""
    finally:
        workbook.close()
    return "\n\n".join(parts), title, {"sheets": sheets}
