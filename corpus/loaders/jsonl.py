"""JSON and JSON Lines: records with a text field (and optionally a title or a question/answer pair).

Each record becomes a `## title` section of one document, so one file stays one source (re-adding and removing
work per file) while the chunker keeps each record's heading with its text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from corpus.encoding import decode_text
from corpus.errors import LoadError

TEXT_FIELDS = ("text", "content", "body", "本文", "内容", "answer", "回答")
TITLE_FIELDS = ("title", "question", "タイトル", "題名", "質問", "name")


def _record_section(record: object) -> str | None:
    if isinstance(record, str):
        return record
    if not isinstance(record, dict):
        return None
    text = next((str(record[f]) for f in TEXT_FIELDS if isinstance(record.get(f), str | int | float)), None)
    if text is None or not text.strip():
        return None
    title_field = next((f for f in TITLE_FIELDS if isinstance(record.get(f), str) and record[f].strip()), None)
    text_field = next(f for f in TEXT_FIELDS if isinstance(record.get(f), str | int | float))
    # Other short scalar fields (date, category, place …) stay searchable as "key: value" lines.
    details = [
        f"{key}: {value}"
        for key, value in record.items()
        if key not in (title_field, text_field) and isinstance(value, str | int | float) and len(str(value)) <= 100
    ]
    body = "\n".join([*details, text.strip()]) if details else text.strip()
    return f"## {record[title_field].strip()}\n\n{body}" if title_field else body


def _sections(records: list[object]) -> str:
    sections = [s for s in (_record_section(r) for r in records) if s]
    if not sections:
        raise LoadError("err.json_no_text_field", fields=", ".join(TEXT_FIELDS))
    return "\n\n".join(sections)


def load_json(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A `.json` file: a list of records, one record, or an object holding a list of records."""
    body, _ = decode_text(data)
    try:
        value = json.loads(body)
    except json.JSONDecodeError as e:
        raise LoadError("err.json_bad", line=e.lineno, detail=e.msg) from e
    if isinstance(value, dict):
        lists = [v for v in value.values() if isinstance(v, list)]
        records: list[object] = lists[0] if lists and _record_section(value) is None else [value]
    elif isinstance(value, list):
        records = value
    else:
        records = [value]
    title = str(value.get("title", "")) if isinstance(value, dict) and isinstance(value.get("title"), str) else ""
    return _sections(records), title if len(records) > 1 else "", {"records": len(records)}


def load_jsonl(path: Path, data: bytes) -> tuple[str, str, dict[str, Any]]:
    """A `.jsonl` file: one JSON record per line."""
    body, _ = decode_text(data)
    records: list[object] = []
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise LoadError("err.json_bad", line=number, detail=e.msg) from e
    return _sections(records), "", {"records": len(records)}
