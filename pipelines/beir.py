"""BEIR-layout folders (`corpus.jsonl`, `queries.jsonl`, `qrels.tsv`, optionally `answers.jsonl`) for evaluation:
read them, index their paragraphs into a temporary collection, and make answer sets.

An answer set asks a fixed, seeded sample of the questions. To measure whether an assistant says so when the
documents do not answer, the paragraphs written for a share of them are **left out of the index**: those questions
become unanswerable (a paragraph's other questions too). Other paragraphs can still hold such an answer (JSQuAD
counts only the paragraph a question was written for), so the refusal rate measured this way is a lower bound.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from haystack import Document

from pipelines.answer_eval import AnswerQuestion


def read_beir(folder: Path, query_prefix: str = "") -> tuple[list[dict], list[dict], dict[str, set[str]]]:
    """`corpus.jsonl`, `queries.jsonl` and `qrels.tsv` of a BEIR-layout folder."""

    def jsonl(name: str) -> list[dict]:
        with (folder / name).open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    qrels: dict[str, set[str]] = {}
    with (folder / "qrels.tsv").open(encoding="utf-8") as handle:
        next(handle, None)
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3 and parts[2] != "0":
                qrels.setdefault(parts[0], set()).add(parts[1])
    queries = [q for q in jsonl("queries.jsonl") if q["id"].startswith(query_prefix) and q["id"] in qrels]
    return jsonl("corpus.jsonl"), queries, qrels


def index_beir_corpus(
    corpus: list[dict], collection: str, embedder: str = "none", progress: Callable[[int, int], None] | None = None
) -> int:
    """Index BEIR paragraphs (title + text; one source per paragraph id) with the indexing components.

    :param embedder: `none`, `offline`, `e5`, `ollama` or `auto` (as for a new collection).
    :returns: the number of chunks written.
    """
    from corpus.stores import open_store
    from corpus.stores.embedded import SourceRecord
    from pipelines.components.embedders import CollectionDocumentEmbedder
    from pipelines.components.normalizer import JapaneseNormalizer
    from pipelines.components.splitter import JapaneseSentenceSplitter
    from pipelines.components.tokenizer import DEFAULT_TOKENIZER, BM25Tokenizer

    # The tokens a new collection gets from the default indexing YAML, so the measure is of what users get.
    normalizer, splitter = JapaneseNormalizer(), JapaneseSentenceSplitter()
    tokenizer = BM25Tokenizer(tokenizer=DEFAULT_TOKENIZER)
    # Embedded here, not in the background: a measurement needs every vector before the first question.
    document_embedder = CollectionDocumentEmbedder(collection=collection, embedder=embedder, background=False)
    store = open_store(collection)
    written = 0
    batch = 64
    for start in range(0, len(corpus), batch):
        docs = [
            Document(content=r["text"], meta={"source": r["id"], "title": r.get("title", "")})
            for r in corpus[start : start + batch]
        ]
        chunks = tokenizer.run(splitter.run(normalizer.run(docs)["documents"])["documents"])["documents"]
        embedded = document_embedder.run(documents=chunks)
        by_source: dict[str, list[Document]] = {}
        for chunk in embedded["documents"]:
            by_source.setdefault(str(chunk.meta["source"]), []).append(chunk)
        for source, items in by_source.items():
            written += store.replace_source(
                SourceRecord(source=source, title=items[0].meta.get("title", "")),
                items,
                embedding_model=embedded["meta"]["model"],
                tokenizer=DEFAULT_TOKENIZER,
            )
        if progress is not None:
            progress(min(start + batch, len(corpus)), len(corpus))
    return written


def read_answers(folder: Path) -> dict[str, list[str]]:
    """`answers.jsonl` of a BEIR folder (`{"id", "answers"}` per line); empty when the folder has none."""
    path = folder / "answers.jsonl"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return {str(r["id"]): [str(a) for a in r.get("answers") or []] for r in rows}


@dataclass
class AnswerSet:
    """Questions to answer, and the corpus to index for them (without the paragraphs left out)."""

    questions: list[AnswerQuestion]
    corpus: list[dict]
    left_out: set[str] = field(default_factory=set)


def answer_set(
    folder: Path, limit: int = 300, unanswerable: float = 0.0, seed: int = 0, query_prefix: str = ""
) -> AnswerSet:
    """A seeded sample of `limit` answerable questions (0 = all); the paragraphs of `unanswerable` of them left out.

    :raises FileNotFoundError: when the folder has no `answers.jsonl`.
    """
    answers = read_answers(folder)
    if not answers:
        raise FileNotFoundError(folder / "answers.jsonl")
    corpus, queries, qrels = read_beir(folder, query_prefix)
    pool = [q for q in queries if answers.get(q["id"])]
    rng = random.Random(seed)
    rng.shuffle(pool)
    chosen = pool[:limit] if limit else pool
    removed_for = rng.sample(range(len(chosen)), round(len(chosen) * unanswerable)) if unanswerable else []
    left_out = {doc for i in removed_for for doc in qrels[chosen[i]["id"]]}
    questions = [
        AnswerQuestion(
            q["text"],
            [] if qrels[q["id"]] <= left_out else answers[q["id"]],
            sorted(qrels[q["id"]] - left_out),
            q["id"],
        )
        for q in chosen
    ]
    return AnswerSet(questions, [row for row in corpus if row["id"] not in left_out], left_out)
