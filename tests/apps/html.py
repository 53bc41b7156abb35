"""Reading the app's HTML tables and cards in tests."""

from __future__ import annotations

import html
import re


def table_rows(markup: str) -> list[list[str]]:
    """The body rows of a `tokka-table` as text cells."""
    body = markup.split("<tbody>", 1)[-1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [[html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


def table_headers(markup: str) -> list[str]:
    """The header cells of a `tokka-table`."""
    return [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", markup, re.S)]
