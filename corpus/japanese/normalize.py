"""Japanese normalisation: NFKC, the ideographic space, line endings, and hard-wrapped lines.

- NFKC turns full-width ASCII (ＡＢＣ１２３) into ASCII, half-width katakana (ｶﾀｶﾅ) into full-width, and U+3000 into
  a normal space.
- Paragraph breaks (blank lines) are kept; runs of blank lines become one.
- Hard-wrapped lines (PDF or fixed-width text, where a sentence is cut by a line break) are joined. Japanese needs
  no space at the join; Latin words do. A line is treated as wrapped only when it is nearly as long as the document's
  usual full line and does not end a sentence, so short lines (lists, addresses, table rows) stay as they are.
- Page breaks (a form feed, `\f`, as the PDF loader separates pages) are kept, on a line of their own, so chunks
  know their page; nothing is joined across them.
"""

from __future__ import annotations

import re
import unicodedata

_SENTENCE_END = tuple("。．.！!？?」』）)：:")
_STRUCTURAL = re.compile(r"^\s*(#{1,6}\s|[|｜]|[-*+・●○■□◆◇※]\s?|\d+[.)）]\s|[（(]\d+[)）]|第.{1,4}[章節条項])")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\u3000-\u303f]")


def normalize_text(text: str, join_wrapped_lines: bool = True) -> str:
    """Normalise Japanese text for chunking and search.

    :param text: raw extracted text.
    :param join_wrapped_lines: join lines that were broken mid-sentence by a fixed line width.
    :returns: NFKC text with `\\n` line endings, single spaces, at most one blank line between paragraphs; page
        breaks as a line holding only `\\f`.
    """
    if "\f" in text:
        pages = [normalize_text(page, join_wrapped_lines) for page in text.split("\f")]
        return "\n\f\n".join(pages).strip(" \n")
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u200b", "").replace("\ufeff", "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    if join_wrapped_lines:
        lines = _join_wrapped(lines)
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _join_wrapped(lines: list[str]) -> list[str]:
    lengths = sorted(len(line) for line in lines if line)
    if len(lengths) < 3:
        return lines
    full = lengths[int(len(lengths) * 0.9) - 1]  # the usual length of a full line
    if full < 20:
        return lines
    joined: list[str] = []
    last_physical = ""  # the previous line as it was in the file, before any joining
    for line in lines:
        if joined and _is_wrapped(last_physical, line, full):
            glue = "" if _CJK.match(joined[-1][-1]) or _CJK.match(line[0]) else " "
            joined[-1] = joined[-1] + glue + line
        else:
            joined.append(line)
        last_physical = line
    return joined


def _is_wrapped(previous: str, line: str, full: int) -> bool:
    """Whether `line` continues `previous`: the previous physical line is near full width and ends mid-sentence."""
    if not previous or not line or _STRUCTURAL.match(line) or _STRUCTURAL.match(previous):
        return False
    if previous.endswith(_SENTENCE_END):
        return False
    return len(previous) >= full * 0.8
