"""Hostile files and servers, generated in code and bounded in size and time (nothing is stored in the repo)."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path


def sparse_xlsx(path: Path) -> Path:
    """A few-KB workbook that declares A1:XFD1048576 (one cell at each corner): openpyxl pads to the declared size."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "見出し"
    sheet["XFD1048576"] = "最後のセル"
    workbook.save(path)
    assert path.stat().st_size < 10_000
    return path


def docx_bomb(path: Path, inflated_mb: int = 120) -> Path:
    """A valid-looking .docx whose document.xml inflates to `inflated_mb` MB (compressed: well under 1 MB)."""
    paragraph = "<w:p><w:r><w:t>あ</w:t></w:r></w:p>" * 2000
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
            'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
            'main+xml"/></Types>',
        )
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head.encode())
            block = paragraph.encode()
            for _ in range(inflated_mb * 2**20 // len(block)):
                member.write(block)
            member.write(b"</w:body></w:document>")
    assert path.stat().st_size < 2 * 2**20
    return path


def gzip_bomb(inflated_mb: int) -> bytes:
    """gzip data of `inflated_mb` MB of a repeated sitemap line (about 1,000× smaller)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    line = b"<url><loc>https://example.org/a</loc></url>\n" * 20000
    out = [compressor.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')]
    for _ in range(inflated_mb * 2**20 // len(line)):
        out.append(compressor.compress(line))
    out.append(compressor.flush())
    return b"".join(out)


def yaml_alias_bomb() -> str:
    """The classic "billion laughs" in YAML: about 600 bytes, billions of nodes once expanded."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghi"
    for previous, name in zip(names, names[1:], strict=False):
        lines.append(
            f"{name}: &{name} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]"
        )
    return "\n".join(lines) + "\n"
