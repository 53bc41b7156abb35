"""Example texts for tone tuning: CSV, XLSX or JSONL, as instruction (+ input) → output, or as chat messages.

Checks give reasons a non-programmer can act on: empty rows, duplicates, rows too long for the sequence length,
too few examples. Examples are split into training and validation sets (a fixed shuffle, so runs are repeatable).
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from corpus.encoding import decode_text
from tokka.errors import TokkaError

INSTRUCTION_COLUMNS = ("instruction", "prompt", "question", "指示", "質問", "入力文")
INPUT_COLUMNS = ("input", "context", "入力", "補足")
OUTPUT_COLUMNS = ("output", "response", "answer", "出力", "回答", "答え")
SYSTEM_COLUMNS = ("system", "システム")
MIN_EXAMPLES = 10


class ToneDataError(TokkaError):
    """A data file that cannot be used for tuning."""


@dataclass
class Example:
    """One conversation: a list of {"role", "content"} messages ending with the assistant's reply."""

    messages: list[dict[str, str]]

    @property
    def reply(self) -> str:
        """The assistant's last message."""
        return self.messages[-1]["content"]


@dataclass
class DataReport:
    """What was read, what was dropped and why, and the split."""

    examples: list[Example]
    train: list[Example] = field(default_factory=list)
    validation: list[Example] = field(default_factory=list)
    problems: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (message key, params)


def _pick(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {str(c).strip().lower(): c for c in columns}
    return next((lowered[n.lower()] for n in names if n.lower() in lowered), None)


def _cell(row: pd.Series, column: str | None) -> str:
    if column is None:
        return ""
    value = row[column]
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def _from_frame(frame: pd.DataFrame) -> tuple[list[Example | None], list[tuple[str, dict[str, Any]]]]:
    columns = list(frame.columns)
    instruction, output = _pick(columns, INSTRUCTION_COLUMNS), _pick(columns, OUTPUT_COLUMNS)
    if instruction is None or output is None:
        raise ToneDataError("err.tone_columns", found=", ".join(map(str, columns)))
    extra, system = _pick(columns, INPUT_COLUMNS), _pick(columns, SYSTEM_COLUMNS)
    rows: list[Example | None] = []
    for _, row in frame.iterrows():
        question, answer = _cell(row, instruction), _cell(row, output)
        if not question or not answer:
            rows.append(None)
            continue
        if _cell(row, extra):
            question = f"{question}\n\n{_cell(row, extra)}"
        messages = [{"role": "system", "content": _cell(row, system)}] if _cell(row, system) else []
        rows.append(
            Example([*messages, {"role": "user", "content": question}, {"role": "assistant", "content": answer}])
        )
    return rows, []


def _from_jsonl(text: str) -> list[Example | None]:
    rows: list[Example | None] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise ToneDataError("err.json_bad", line=number, detail=e.msg) from e
        if isinstance(record, dict) and isinstance(record.get("messages"), list):
            messages = [
                {"role": str(m.get("role", "")), "content": str(m.get("content", "")).strip()}
                for m in record["messages"]
                if isinstance(m, dict)
            ]
            ok = messages and messages[-1]["role"] == "assistant" and all(m["content"] for m in messages)
            rows.append(Example(messages) if ok else None)
        elif isinstance(record, dict):
            frame = pd.DataFrame([record])
            rows.extend(_from_frame(frame)[0])
        else:
            rows.append(None)
    return rows


def _read_rows(path: Path) -> list[Example | None]:
    """Every row of the file as an example, or None for an unusable row.

    :raises ToneDataError: `err.tone_columns`, `err.json_bad`, `err.sheet_unreadable`.
    """
    try:
        if path.suffix.lower() == ".jsonl":
            return _from_jsonl(decode_text(path.read_bytes())[0])
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return _from_frame(pd.read_excel(path, dtype=str))[0]
        text = decode_text(path.read_bytes())[0]
        return _from_frame(pd.read_csv(io.StringIO(text), dtype=str, sep=None, engine="python"))[0]
    except TokkaError:
        raise
    except (OSError, ValueError, pd.errors.ParserError) as e:
        raise ToneDataError("err.sheet_unreadable", detail=str(e)[:200]) from e


def _rows_note(key: str, rows: list[int], **params: object) -> tuple[str, dict[str, Any]]:
    return key, {"rows": ", ".join(map(str, rows[:10])), "n": len(rows), **params}


def _checked(
    rows: list[Example | None], count: Any, max_tokens: int
) -> tuple[list[Example], list[tuple[str, dict[str, Any]]]]:
    """The usable examples, and what was dropped and why (empty rows, duplicates, too long); rows count from 2."""
    examples: list[Example] = []
    seen: set[str] = set()
    empty, duplicates, too_long = [], [], []
    for i, example in enumerate(rows):
        key = json.dumps(example.messages, ensure_ascii=False) if example is not None else None
        if key is None:
            empty.append(i + 2)  # +2: the header line, 1-based
        elif key in seen:
            duplicates.append(i + 2)
        elif count("".join(m["content"] for m in example.messages)) > max_tokens:
            too_long.append(i + 2)
        else:
            seen.add(key)
            examples.append(example)
    problems = []
    if empty:
        problems.append(_rows_note("warn.tone_empty_rows", empty))
    if duplicates:
        problems.append(_rows_note("warn.tone_duplicates", duplicates))
    if too_long:
        problems.append(_rows_note("warn.tone_too_long", too_long, max=max_tokens))
    return examples, problems


def load_examples(
    path: Path | str,
    tokens: Any = None,
    max_tokens: int = 2048,
    validation_fraction: float = 0.1,
    seed: int = 0,
) -> DataReport:
    """Read and check a data file.

    :param tokens: a function text → token count (for the length check); without it, characters are counted.
    :raises ToneDataError: `err.tone_columns`, `err.json_bad`, `err.tone_too_few`, `err.sheet_unreadable`.
    """
    rows = _read_rows(Path(path))
    examples, problems = _checked(rows, tokens or len, max_tokens)
    if len(examples) < MIN_EXAMPLES:
        raise ToneDataError("err.tone_too_few", n=len(examples), minimum=MIN_EXAMPLES)
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    n_val = max(1, round(len(examples) * validation_fraction))
    report = DataReport(examples, problems=problems)
    report.validation = [examples[i] for i in order[:n_val]]
    report.train = [examples[i] for i in order[n_val:]]
    return report


def preview_frame(report: DataReport, headers: list[str] | None = None, limit: int = 50) -> pd.DataFrame:
    """The first examples as a table (system, question, reply); `headers` names the three columns."""
    rows = []
    for example in report.examples[:limit]:
        system = next((m["content"] for m in example.messages if m["role"] == "system"), "")
        question = next((m["content"] for m in reversed(example.messages) if m["role"] == "user"), "")
        rows.append({"system": system, "question": question, "reply": example.reply})
    frame = pd.DataFrame(rows, columns=["system", "question", "reply"])
    return frame.set_axis(headers, axis=1) if headers else frame
