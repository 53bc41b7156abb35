"""Are the answers right? Answer metrics for an assistant on a question sheet or a BEIR folder with answers.

A question sheet may carry an `answer` column (several accepted answers separated by `;`) and mark questions the
documents cannot answer with `answer` = `なし` or an `unanswerable` column (1 / true / はい). Each question is
asked of the whole assistant (retrieval, prompt, generator, citations) and scored:

- **exact match** and **character F1** against the best accepted answer, after :func:`normalize_answer`
  (NFKC, whitespace removed, citation marks `[n]`, a leading 「 and a trailing 」/。 dropped);
- **contains**: an accepted answer appears inside the generated text (a long but right answer still counts);
- **citation precision**: of the chunks the answer cites, the share that come from the expected source;
- **refusal rate** on unanswerable questions (the answer says the documents do not answer), and the rate of
  refusals on answerable ones;
- **time to answer** (p50 / p95).

Exact match and F1 are computed over answerable questions only; refusal over unanswerable ones.
"""

from __future__ import annotations

import re
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipelines.runner import AnswerResult

# What a grounded answer says when the documents do not answer (ours, and what tuned models write).
REFUSALS = (
    "資料に見つかりませんでした",
    "資料には見つかりませんでした",
    "資料に記載がありません",
    "資料には記載がありません",
    "資料からは分かりません",
    "資料からはわかりません",
    "not found in the documents",
    "the documents do not say",
)
_CITATION = re.compile(r"\[\d+(?:\s*[,、]\s*\d+)*\]")
_SPACE = re.compile(r"\s+")


def normalize_answer(text: str) -> str:
    """Text as compared: NFKC, citations and whitespace removed, outer 「」 and a final 。 dropped."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _CITATION.sub("", text)
    text = _SPACE.sub("", text).rstrip("。.")
    return text.strip("「」『』\"'").rstrip("。.")


def char_f1(prediction: str, gold: str) -> float:
    """Character-level F1 of two normalised strings (bag of characters, as SQuAD's token F1 on characters)."""
    if not prediction or not gold:
        return float(prediction == gold)
    common = Counter(prediction) & Counter(gold)
    overlap = sum(common.values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(prediction), overlap / len(gold)
    return 2 * precision * recall / (precision + recall)


def is_refusal(answer: str, not_found: bool = False) -> bool:
    """True when the answer says the documents do not answer (or the assistant found nothing relevant)."""
    if not_found:
        return True
    text = unicodedata.normalize("NFKC", answer or "")
    return any(marker in text for marker in REFUSALS)


@dataclass
class AnswerQuestion:
    """One question to answer: accepted answers (empty = unanswerable) and the expected sources."""

    question: str
    answers: list[str]
    expected: list[str] = field(default_factory=list)
    id: str = ""

    @property
    def answerable(self) -> bool:
        """False for a question the documents cannot answer."""
        return bool(self.answers)


@dataclass
class AnswerRow:
    """How one answer went."""

    question: AnswerQuestion
    answer: str
    exact: float
    f1: float
    contains: bool
    refused: bool
    cited: int
    cited_expected: int
    seconds: float
    error: str = ""

    @property
    def citation_precision(self) -> float | None:
        """Cited chunks from an expected source / cited chunks (None without citations or expected sources)."""
        if not self.cited or not self.question.expected:
            return None
        return self.cited_expected / self.cited


def score_answer(
    question: AnswerQuestion,
    result: AnswerResult,
    seconds: float,
    matches: Callable[[str, str], bool],
) -> AnswerRow:
    """Score one assistant result against a question.

    :param matches: `(source, expected) -> bool`, how a cited chunk's source is compared with an expected one.
    """
    answer = result.answer or ""
    refused = is_refusal(answer, result.not_found)
    prediction = normalize_answer(answer)
    golds = [normalize_answer(a) for a in question.answers]
    exact = max((float(prediction == g) for g in golds), default=0.0)
    f1 = max((char_f1(prediction, g) for g in golds), default=0.0)
    contains = any(g and g in prediction for g in golds)
    cited = [s for s in result.sources if s.get("cited")]
    cited_expected = sum(1 for s in cited if any(matches(str(s.get("source", "")), e) for e in question.expected))
    return AnswerRow(question, answer, exact, f1, contains, refused, len(cited), cited_expected, seconds, result.error)


def evaluate_answers(
    questions: list[AnswerQuestion],
    ask: Callable[[str], AnswerResult],
    matches: Callable[[str, str], bool],
    cancel: Callable[[], bool] | None = None,
) -> Iterator[AnswerRow]:
    """Ask every question and yield its scored row (stops early when `cancel()` is true)."""
    for question in questions:
        if cancel is not None and cancel():
            return
        started = time.perf_counter()
        result = ask(question.question)
        yield score_answer(question, result, time.perf_counter() - started, matches)


@dataclass
class AnswerReport:
    """The rows of one assistant, and its metrics."""

    assistant: str
    rows: list[AnswerRow]

    def _answerable(self) -> list[AnswerRow]:
        return [r for r in self.rows if r.question.answerable]

    def _unanswerable(self) -> list[AnswerRow]:
        return [r for r in self.rows if not r.question.answerable]

    @property
    def metrics(self) -> dict[str, float | None]:
        """exact_match, f1, contains, citation_precision, refusal, false_refusal, p50_seconds, p95_seconds."""
        answerable, unanswerable = self._answerable(), self._unanswerable()
        precisions = [r.citation_precision for r in self.rows if r.citation_precision is not None]
        seconds = sorted(r.seconds for r in self.rows)

        def mean(values: list[float]) -> float | None:
            return sum(values) / len(values) if values else None

        return {
            "exact_match": mean([r.exact for r in answerable]),
            "f1": mean([r.f1 for r in answerable]),
            "contains": mean([float(r.contains) for r in answerable]),
            "citation_precision": mean(precisions),
            "refusal": mean([float(r.refused) for r in unanswerable]),
            "false_refusal": mean([float(r.refused) for r in answerable]),
            "p50_seconds": statistics.median(seconds) if seconds else None,
            "p95_seconds": seconds[min(len(seconds) - 1, int(round(0.95 * (len(seconds) - 1))))] if seconds else None,
        }


METRICS = (
    "exact_match",
    "f1",
    "contains",
    "citation_precision",
    "refusal",
    "false_refusal",
    "p50_seconds",
    "p95_seconds",
)


def summary_rows(reports: list[AnswerReport]) -> list[dict[str, Any]]:
    """One dict per assistant: questions, answerable, unanswerable, and every metric (rounded)."""
    out = []
    for report in reports:
        metrics = report.metrics
        row: dict[str, Any] = {
            "assistant": report.assistant,
            "questions": len(report.rows),
            "answerable": len(report._answerable()),
            "unanswerable": len(report._unanswerable()),
        }
        row.update({k: (None if metrics[k] is None else round(metrics[k], 4)) for k in METRICS})
        out.append(row)
    return out


def rows_frame(reports: list[AnswerReport], headers: dict[str, str] | None = None) -> pd.DataFrame:
    """Per-question rows of one or more reports (for the table and the CSV download)."""
    records = []
    for report in reports:
        for r in report.rows:
            records.append(
                {
                    "assistant": report.assistant,
                    "question": r.question.question,
                    "accepted": "; ".join(r.question.answers) or "なし",
                    "answer": r.answer,
                    "exact": r.exact,
                    "f1": round(r.f1, 4),
                    "contains": r.contains,
                    "refused": r.refused,
                    "citation_precision": "" if r.citation_precision is None else round(r.citation_precision, 4),
                    "seconds": round(r.seconds, 2),
                }
            )
    frame = pd.DataFrame(records)
    return frame.rename(columns=headers) if headers else frame
