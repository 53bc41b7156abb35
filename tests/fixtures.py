"""Real files in real formats, generated in code for the tests (no binary fixtures in the repository)."""

from __future__ import annotations

import io
from pathlib import Path


def write_pdf(path: Path, lines: list[str], title: str | None = None, encrypt_password: str | None = None) -> Path:
    """A Japanese PDF with reportlab's built-in CID font (HeiseiKakuGo-W5); optionally password-protected."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    encrypt = None
    if encrypt_password:
        from reportlab.lib import pdfencrypt

        encrypt = pdfencrypt.StandardEncryption(encrypt_password, ownerPassword="owner-" + encrypt_password)
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    if title:
        pdf.setTitle(title)
    pdf.setFont("HeiseiKakuGo-W5", 11)
    y = 800
    for line in lines:
        if y < 60:
            pdf.showPage()
            pdf.setFont("HeiseiKakuGo-W5", 11)
            y = 800
        pdf.drawString(50, y, line)
        y -= 18
    pdf.save()
    return path


def write_docx(path: Path, heading: str, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    """A Word document with a heading, paragraphs and an optional table."""
    import docx

    document = docx.Document()
    document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=0, cols=len(table[0]))
        for row in table:
            for cell, value in zip(grid.add_row().cells, row, strict=True):
                cell.text = value
    document.save(str(path))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """An Excel workbook with one sheet per entry."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_html(path: Path, title: str, body_html: str, charset: str = "utf-8") -> Path:
    """An HTML page with navigation and footer around the main text."""
    page = (
        f'<!DOCTYPE html><html lang="ja"><head><meta charset="{charset}"><title>{title}</title></head><body>'
        '<nav><a href="/">ホーム</a> | <a href="/a">案内</a></nav>'
        f"<main><article>{body_html}</article></main><footer>(c) 2026 テスト工房</footer></body></html>"
    )
    path.write_bytes(page.encode(charset))
    return path


def text_bytes(text: str, encoding: str) -> bytes:
    """`text` encoded; `utf-8-sig` adds the BOM, `utf-16` adds its BOM."""
    return text.encode(encoding)


def docx_bytes(heading: str, paragraphs: list[str]) -> bytes:
    """A DOCX file's bytes (for corrupting tests)."""
    import docx

    document = docx.Document()
    document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
