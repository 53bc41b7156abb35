"""Answer without a model: the best sentences of the retrieved chunks, cited and with the question's words marked.

Used by assistants whose generator is `none`, and by the runner when the generator fails (Ollama down, a model
missing): the user then still gets an answer made of the documents' own words, labelled 【抜粋】, instead of an
error. Each sentence is scored by the question's tokens it contains, weighted by their BM25 idf, with a small
bonus for the chunk's rank; the best sentences are kept in document order.
"""

from __future__ import annotations

import re
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from corpus.japanese.chunker import split_sentences
from corpus.japanese.tokenizer import get_tokenizer, words_only
from corpus.stores import open_store
from pipelines.components.answer import source_view
from tokka.locales import t

LABEL = "【抜粋】"
_SINGLE_KANA = re.compile(r"[\u3040-\u30ff]")


def best_sentences(
    collection: str, query_tokens: list[str], documents: list[Document], sentences: int = 2, max_chars: int = 300
) -> list[tuple[int, str, float]]:
    """The best `sentences` as `(chunk number, marked sentence, score)`, in the order they appear."""
    # A single kana (い from いる, する …) carries no meaning of its own: neither scored nor marked.
    distinct = {token for token in words_only(query_tokens) if not _SINGLE_KANA.fullmatch(token)}
    if not distinct or not documents:
        return []
    store = open_store(collection)
    idf = store.idf(list(distinct))
    tokenizer = get_tokenizer(store.backend.tokenizer_name(collection))
    scored: list[tuple[float, int, int, str]] = []
    for number, doc in enumerate(documents, start=1):
        for position, sentence in enumerate(split_sentences(doc.content or "")):
            pieces = tokenizer.morphemes(sentence)
            found = {form for _, form in pieces if form in distinct}
            if not found:
                continue
            score = sum(idf.get(token, 1.0) for token in found) + 0.1 / number
            marked = "".join(f"**{surface}**" if form in distinct else surface for surface, form in pieces)
            scored.append((score, number, position, marked.replace("****", "")))
    best = sorted(scored, key=lambda s: -s[0])[:sentences]
    kept, length = [], 0
    for score, number, _position, marked in sorted(best, key=lambda s: (s[1], s[2])):
        if kept and length + len(marked) > max_chars:
            break
        kept.append((number, marked, score))
        length += len(marked)
    return kept


def extractive_answer(
    collection: str, query: str, query_tokens: list[str], documents: list[Document], sentences: int = 2
) -> dict[str, Any]:
    """`answer`, `sources`, `cited` and `meta` of an extractive answer (the output of :class:`ExtractiveAnswerer`)."""
    chosen = best_sentences(collection, query_tokens, documents, sentences)
    if not chosen:
        answer = t("answer.not_found", searched=" / ".join(words_only(query_tokens)) or query, collection=collection)
        cited: list[int] = []
    else:
        answer = LABEL + "\n" + "\n".join(f"{sentence} [{number}]" for number, sentence, _ in chosen)
        cited = sorted({number for number, _, _ in chosen})
    sources = [source_view(i, d, i in cited) for i, d in enumerate(documents, start=1)]
    return {"answer": answer, "sources": sources, "cited": cited, "meta": {"extractive": True, "query": query}}


@component
class ExtractiveAnswerer:
    """The answer as the best sentences of the retrieved chunks (no model, no server).

    ### Usage example
    ```python
    ExtractiveAnswerer(collection="samples").run(query="材料は？", documents=docs, query_tokens=["材料"])
    # {"answer": "【抜粋】\\n…**材料**…[1]", "sources": [...], "cited": [1], "meta": {"extractive": True}}
    ```

    :param collection: the collection the chunks come from (for the words' weights and tokenizer).
    :param sentences: how many sentences to quote at most.
    """

    def __init__(self, collection: str, sentences: int = 2) -> None:
        self.collection = collection
        self.sentences = sentences

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, collection=self.collection, sentences=self.sentences)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExtractiveAnswerer:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(answer=str, sources=list[dict[str, Any]], cited=list[int], meta=dict[str, Any])
    def run(self, query: str, documents: list[Document], query_tokens: list[str] | None = None) -> dict[str, Any]:
        """:returns: `answer` (labelled 【抜粋】), `sources`, `cited` and `meta` (`extractive`)."""
        tokens = query_tokens if query_tokens is not None else open_store(self.collection).query_tokens(query)
        return extractive_answer(self.collection, query, tokens, documents, self.sentences)
