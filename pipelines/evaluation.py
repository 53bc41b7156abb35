"""Does an assistant find the right documents? Retrieval evaluation on a question sheet or a BEIR-layout folder.

A question sheet (CSV or XLSX) has one row per question: the question, the expected source (a file name, path or
URL; several may be separated by `;`) and, optionally, keywords the answer should contain. Each question is run
through the assistant's own query embedder and retriever (not the generator), so the figures are about finding:
recall@k (is an expected source among the first k documents?) and MRR (1/rank of the first expected one, 0 when not
found within k). With `with_answers`, the whole assistant answers too and the keyword hits are counted.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from haystack import Document

from corpus.encoding import decode_text
from pipelines.components.embedders import CollectionTextEmbedder
from pipelines.components.retrievers import CollectionEmbeddingRetriever, HybridRetriever, JapaneseBM25Retriever
from tokka.errors import TokkaError

QUESTION_COLUMNS = ("question", "質問", "問い", "query")
EXPECTED_COLUMNS = ("expected", "expected_source", "source", "期待する資料", "正解の資料", "資料", "正解")
KEYWORD_COLUMNS = ("keywords", "expected_keywords", "キーワード", "期待するキーワード")
ANSWER_COLUMNS = ("answer", "answers", "expected_answer", "答え", "正解", "期待する答え")
UNANSWERABLE_COLUMNS = ("unanswerable", "答えなし", "回答不能")
NO_ANSWER = {"なし", "無し", "none", "n/a", "-"}
TRUE_WORDS = {"1", "true", "yes", "y", "はい", "○", "〇", "x"}


class EvaluationError(TokkaError):
    """A question sheet or assistant that cannot be evaluated."""


@dataclass
class Question:
    """One row of a question sheet.

    :param answers: accepted answers (empty: none given, or the question is unanswerable).
    :param unanswerable: the documents cannot answer it (an `answer` of `なし`, or the `unanswerable` column).
    """

    question: str
    expected: list[str]
    keywords: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    unanswerable: bool = False

    @property
    def has_answer_key(self) -> bool:
        """True when the sheet says what the answer is (or that there is none)."""
        return bool(self.answers) or self.unanswerable


@dataclass
class QuestionResult:
    """How one question went: the rank of the first expected source (None = not within k) and what came back."""

    question: str
    expected: list[str]
    rank: int | None
    retrieved: list[str]
    keywords: list[str] = field(default_factory=list)
    keyword_hits: list[str] = field(default_factory=list)
    answer: str = ""

    @property
    def reciprocal_rank(self) -> float:
        """1/rank, or 0 when not found."""
        return 1.0 / self.rank if self.rank else 0.0


@dataclass
class EvaluationReport:
    """All results of one assistant on one sheet."""

    assistant: str
    k: int
    results: list[QuestionResult]

    @property
    def recall(self) -> float:
        """Share of questions whose expected source was within the first k."""
        return sum(1 for r in self.results if r.rank) / len(self.results) if self.results else 0.0

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank at k."""
        return sum(r.reciprocal_rank for r in self.results) / len(self.results) if self.results else 0.0

    @property
    def keyword_rate(self) -> float | None:
        """Share of expected keywords found in the answers (None when no answers were generated)."""
        asked = [r for r in self.results if r.keywords and r.answer]
        if not asked:
            return None
        return sum(len(r.keyword_hits) for r in asked) / sum(len(r.keywords) for r in asked)


def _pick(columns: list[str], names: tuple[str, ...]) -> str | None:
    lowered = {str(c).strip().lower(): c for c in columns}
    return next((lowered[n.lower()] for n in names if n.lower() in lowered), None)


def _split(value: object, separators: str) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    text = str(value)
    for separator in separators[1:]:
        text = text.replace(separator, separators[0])
    return [part.strip() for part in text.split(separators[0]) if part.strip()]


def load_questions(path: Path | str) -> list[Question]:
    """Read a CSV (any detected encoding) or XLSX question sheet.

    :raises EvaluationError: `err.sheet_columns` (which columns are needed) or `err.sheet_empty`.
    """
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str)
        else:
            text, _ = decode_text(path.read_bytes())
            frame = pd.read_csv(io.StringIO(text), dtype=str, sep=None, engine="python")
    except TokkaError:
        raise
    except (OSError, ValueError, pd.errors.ParserError) as e:
        raise EvaluationError("err.sheet_unreadable", detail=str(e)[:200]) from e
    columns = list(frame.columns)
    question_col = _pick(columns, QUESTION_COLUMNS)
    expected_col = _pick(columns, EXPECTED_COLUMNS)
    answer_col = _pick(columns, ANSWER_COLUMNS)
    if question_col is None or (expected_col is None and answer_col is None):
        raise EvaluationError("err.sheet_columns", found=", ".join(map(str, columns)))
    keyword_col = _pick(columns, KEYWORD_COLUMNS)
    flag_col = _pick(columns, UNANSWERABLE_COLUMNS)
    questions = []
    for _, row in frame.iterrows():
        question = _text(row[question_col])
        expected = _split(row[expected_col], ";；") if expected_col else []
        answers = _split(row[answer_col], ";；") if answer_col else []
        unanswerable = any(a.lower() in NO_ANSWER for a in answers) or (
            flag_col is not None and _text(row[flag_col]).lower() in TRUE_WORDS
        )
        answers = [] if unanswerable else answers
        if question and (expected or answers or unanswerable):
            keywords = _split(row[keyword_col], "、,，;；") if keyword_col else []
            questions.append(Question(question, expected, keywords, answers, unanswerable))
    if not questions:
        raise EvaluationError("err.sheet_empty")
    return questions


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def source_matches(source: str, expected: str) -> bool:
    """An expected source matches a full path, its file name, or a URL (with or without a trailing slash)."""
    source, expected = source.strip(), expected.strip()
    if not expected:
        return False
    if source == expected or source.rstrip("/") == expected.rstrip("/"):
        return True
    return "://" not in expected and (Path(source).name == expected or source.endswith("/" + expected))


def retriever_of(pipeline: Any) -> Callable[[str, int], list[Document]]:
    """A function `(question, k) -> chunks` using the assistant's own retriever (and its query embedder, when the
    retriever does not embed the question itself).

    :raises EvaluationError: `err.no_retriever` when the pipeline has none of tokka's retrievers.
    """
    components = dict(pipeline.walk())
    embedder = next((c for c in components.values() if isinstance(c, CollectionTextEmbedder)), None)
    retriever = next(
        (
            c
            for c in components.values()
            if isinstance(c, HybridRetriever | JapaneseBM25Retriever | CollectionEmbeddingRetriever)
        ),
        None,
    )
    if retriever is None:
        raise EvaluationError("err.no_retriever")

    def retrieve(question: str, k: int) -> list[Document]:
        embedding = embedder.run(text=question)["embedding"] if embedder is not None else None
        if isinstance(retriever, HybridRetriever):
            return retriever.run(query=question, query_embedding=embedding, top_k=k)["documents"]
        if isinstance(retriever, CollectionEmbeddingRetriever):
            return retriever.run(query_embedding=embedding, top_k=k)["documents"]
        return retriever.run(query=question, top_k=k)["documents"]

    return retrieve


def _ranked_sources(documents: list[Document]) -> list[str]:
    ranked: list[str] = []
    for doc in documents:
        source = str(doc.meta.get("source", ""))
        if source not in ranked:
            ranked.append(source)
    return ranked


def evaluate(
    assistant: str,
    pipeline: Any,
    questions: list[Question],
    k: int = 5,
    answer: Callable[[str], str] | None = None,
) -> Iterator[QuestionResult]:
    """Evaluate one assistant, yielding a result per question (so a UI can show progress).

    :param answer: when given, called with each question to get the assistant's full answer (keyword hits).
    """
    retrieve = retriever_of(pipeline)
    for item in (q for q in questions if q.expected):  # retrieval needs an expected source
        # Ask for more chunks than k: several chunks of one document count once.
        sources = _ranked_sources(retrieve(item.question, max(k * 4, 20)))[:k]
        rank = next(
            (i for i, s in enumerate(sources, start=1) if any(source_matches(s, e) for e in item.expected)), None
        )
        text = answer(item.question) if answer is not None and item.keywords else ""
        hits = [w for w in item.keywords if w in text]
        yield QuestionResult(item.question, item.expected, rank, sources, item.keywords, hits, text)


def report_frame(reports: list[EvaluationReport], headers: dict[str, str] | None = None) -> pd.DataFrame:
    """Per-question rows of one or more reports (for the table and the CSV download); `headers` renames columns."""
    rows = []
    for report in reports:
        for r in report.results:
            rows.append(
                {
                    "assistant": report.assistant,
                    "question": r.question,
                    "expected": "; ".join(r.expected),
                    "rank": r.rank or "",
                    "hit": bool(r.rank),
                    "reciprocal_rank": round(r.reciprocal_rank, 4),
                    "retrieved": " | ".join(Path(s).name if "://" not in s else s for s in r.retrieved),
                    "keywords": "、".join(r.keywords),
                    "keyword_hits": "、".join(r.keyword_hits),
                    "answer": r.answer,
                }
            )
    frame = pd.DataFrame(rows)
    return frame.rename(columns=headers) if headers else frame


def summary_frame(reports: list[EvaluationReport], headers: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per assistant: questions, k, recall@k, MRR and (when answered) the share of keywords contained."""
    frame = pd.DataFrame(
        [
            {
                "assistant": r.assistant,
                "questions": len(r.results),
                "k": r.k,
                "recall@k": round(r.recall, 4),
                "MRR": round(r.mrr, 4),
                "keywords_contained": "" if r.keyword_rate is None else round(r.keyword_rate, 4),
            }
            for r in reports
        ]
    )
    return frame.rename(columns=headers) if headers else frame
