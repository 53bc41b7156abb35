"""Old binary Office files: Excel `.xls` through xlrd; Word `.doc` and PowerPoint `.ppt` through LibreOffice.

xlrd reads `.xls` (BIFF) natively and is small. For `.doc` and `.ppt` no maintained pure-Python reader exists, so
LibreOffice (Debian's `libreoffice-writer-nogui` / `libreoffice-impress-nogui`, installed by
`scripts/install-system-packages.sh`) converts the file to `.docx` / `.pptx` in a private temporary folder, which the
modern loaders then read. Without LibreOffice the user is told what to install or how to save the file instead.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from corpus.errors import LoadError
from corpus.loaders.tables import markdown_table

CONVERT_TIMEOUT = 180  # seconds
CONVERT_MEMORY_MB = 4096  # LibreOffice maps much more address space than it uses


def load_xls(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A legacy `.xls` workbook: each sheet as a Markdown table under `## sheet name`."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except (xlrd.XLRDError, ValueError, KeyError, IndexError, AssertionError, OSError) as e:
        raise LoadError("err.office_corrupt", kind="Excel (.xls)", detail=str(e)[:120]) from e
    blocks: list[str] = []
    try:
        for sheet in book.sheets():
            rows = [sheet.row_values(r) for r in range(sheet.nrows)]
            table = markdown_table(rows)
            if table:
                blocks.append(f"## {sheet.name}\n\n{table}")
    finally:
        book.release_resources()
    return "\n\n".join(blocks), "", {"sheets": len(blocks)}


def soffice() -> str | None:
    """LibreOffice's program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _limits() -> None:  # pragma: no cover - runs in the child process
    limit = CONVERT_MEMORY_MB * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard >= limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def convert(data: bytes, source_ext: str, target_ext: str) -> bytes:
    """Convert an old Office file with LibreOffice headless (no user profile of ours is touched).

    :raises LoadError: `err.libreoffice_missing` (what to install), `err.office_corrupt` when it cannot convert.
    """
    program = soffice()
    kind = {".doc": "Word (.doc)", ".ppt": "PowerPoint (.ppt)"}.get(source_ext, source_ext)
    if program is None:
        raise LoadError("err.libreoffice_missing", kind=kind, ext=source_ext, modern=target_ext)
    with tempfile.TemporaryDirectory(prefix="tokka-office-") as folder:
        work = Path(folder)
        original = work / f"document{source_ext}"
        original.write_bytes(data)
        env = {**os.environ, "HOME": str(work)}  # LibreOffice writes its profile under HOME
        try:
            subprocess.run(
                [
                    program,
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    target_ext.lstrip("."),
                    "--outdir",
                    str(work / "out"),
                    str(original),
                ],
                capture_output=True,
                timeout=CONVERT_TIMEOUT,
                env=env,
                check=False,
                preexec_fn=_limits,  # sets a memory limit only
            )
        except subprocess.TimeoutExpired as e:
            raise LoadError("err.office_corrupt", kind=kind, detail=f"timeout {CONVERT_TIMEOUT}s") from e
        converted = work / "out" / f"document{target_ext}"
        if not converted.is_file():
            raise LoadError("err.office_corrupt", kind=kind, detail="LibreOffice")
        return converted.read_bytes()


def load_doc(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A legacy Word `.doc`, converted to `.docx` by LibreOffice."""
    from corpus.loaders.docx import load_docx

    body, title, meta = load_docx(path, convert(data, ".doc", ".docx"))
    return body, title, {**meta, "converted": "LibreOffice"}


def load_ppt(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A legacy PowerPoint `.ppt`, converted to `.pptx` by LibreOffice."""
    from corpus.loaders.pptx import load_pptx

    body, title, meta = load_pptx(path, convert(data, ".ppt", ".pptx"))
    return body, title, {**meta, "converted": "LibreOffice"}
