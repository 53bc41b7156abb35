"""OCR for scans: Tesseract with its Japanese models (horizontal `jpn`, vertical `jpn_vert`), run as a program.

Why Tesseract through its command line: it is packaged by Debian with the Japanese models (`tesseract-ocr`,
`tesseract-ocr-jpn`, `tesseract-ocr-jpn-vert`, installed by `scripts/install-system-packages.sh`), needs no model
download, and a separate process keeps its memory out of ours. Each page is read horizontally first; when the
words come out unsure (low mean confidence), it is read again as vertical text and the surer reading is kept.
Tesseract puts spaces between Japanese characters; they are removed here (kept between Latin words).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corpus.errors import LoadError

TIMEOUT_PER_PAGE = 120  # seconds
_CJK = r"\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SPACES = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_UNSURE = 70.0  # mean word confidence below which a vertical reading is tried
# Tesseract's Japanese model often reads the comma 、 as the iteration mark ヽ, which follows only katakana.
_COMMA = re.compile(r"(?<![\u30a1-\u30fa\u30fc])ヽ")


@dataclass(frozen=True)
class OcrText:
    """What Tesseract read on one image, and how sure it was (mean word confidence, 0–100)."""

    text: str
    confidence: float
    vertical: bool = False


def tesseract() -> str | None:
    """The `tesseract` program, or None when it is not installed."""
    return shutil.which("tesseract")


@lru_cache(maxsize=1)
def languages() -> frozenset[str]:
    """The Tesseract language models installed (`jpn`, `jpn_vert`, `eng` …); empty without Tesseract."""
    program = tesseract()
    if program is None:
        return frozenset()
    result = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    return frozenset(line.strip() for line in result.stdout.splitlines()[1:] if line.strip())


def require_ocr() -> None:
    """:raises LoadError: `err.ocr_missing` (with how to install it) when Tesseract or its Japanese model is absent."""
    if tesseract() is None or "jpn" not in languages():
        raise LoadError("err.ocr_missing")


def _run(image: Path, language: str, psm: int) -> OcrText:
    program = tesseract()
    if program is None:
        raise LoadError("err.ocr_missing")
    try:
        result = subprocess.run(
            [program, str(image), "stdout", "-l", language, "--psm", str(psm), "tsv"],
            capture_output=True,
            timeout=TIMEOUT_PER_PAGE,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        raise LoadError("err.ocr_failed", detail=f"timeout {TIMEOUT_PER_PAGE}s") from e
    if result.returncode != 0:
        raise LoadError("err.ocr_failed", detail=result.stderr.decode("utf-8", "replace")[-200:])
    return _from_tsv(result.stdout.decode("utf-8", "replace"), vertical=language.endswith("_vert"))


def _from_tsv(tsv: str, vertical: bool) -> OcrText:
    """Text (a line per Tesseract line, a blank line between blocks) and the mean confidence of its words."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append(word)
        confidences.append(max(0.0, float(row.get("conf") or 0)))
    out: list[str] = []
    previous_block = None
    for (block, _par, _line), words in lines.items():
        if previous_block is not None and block != previous_block:
            out.append("")
        out.append(_COMMA.sub("、", _CJK_SPACES.sub("", " ".join(words))))
        previous_block = block
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrText("\n".join(out).strip(), mean, vertical)


def ocr_image(data: bytes, suffix: str = ".png") -> OcrText:
    """Read the text of one image (PNG, JPEG or TIFF bytes).

    :raises LoadError: `err.ocr_missing`, `err.ocr_failed`.
    """
    require_ocr()
    with tempfile.TemporaryDirectory(prefix="tokka-ocr-") as folder:
        image = Path(folder) / f"page{suffix}"
        image.write_bytes(data)
        horizontal = _run(image, "jpn", 3)
        if horizontal.confidence >= _UNSURE or "jpn_vert" not in languages():
            return horizontal
        vertical = _run(image, "jpn_vert", 5)
        return vertical if vertical.confidence > horizontal.confidence else horizontal
