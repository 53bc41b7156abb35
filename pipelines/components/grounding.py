"""Answer only from the documents: when nothing relevant was retrieved, say so without asking the model.

A model given unrelated passages still writes something; an assistant that must be grounded should instead say
「資料に見つかりませんでした」 and what it searched for. :class:`RelevanceGate` sits between the retriever and
the prompt: relevant chunks go on to the prompt (and the model), otherwise it answers itself. Relevance is the
share of the question the best chunk covers (`corpus.search.relevance`), compared with a threshold each assistant
sets (`min_relevance`).
"""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from corpus.japanese.tokenizer import words_only
from corpus.search import relevance
from pipelines.components.answer import source_view
from tokka.locales import t


@component
class RelevanceGate:
    """Pass relevant chunks on; otherwise answer that the documents do not say, without calling the model.

    ### Usage example
    ```python
    RelevanceGate(collection="samples", min_relevance=0.3).run(query="…", documents=docs, query_tokens=tokens)
    # {"documents": docs}  or  {"answer": "資料に見つかりませんでした…", "sources": [...], "meta": {"not_found": True}}
    ```

    :param collection: the collection that was searched (for the words' weights).
    :param min_relevance: from 0 to 1; the share of the question (idf-weighted) the best chunk must contain.
    """

    def __init__(self, collection: str, min_relevance: float = 0.3) -> None:
        if not 0.0 <= min_relevance <= 1.0:
            msg = f"min_relevance must be between 0 and 1, got {min_relevance}"
            raise ValueError(msg)
        self.collection = collection
        self.min_relevance = min_relevance

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, collection=self.collection, min_relevance=self.min_relevance)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RelevanceGate:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(
        documents=list[Document], answer=str, sources=list[dict[str, Any]], cited=list[int], meta=dict[str, Any]
    )
    def run(self, query: str, documents: list[Document], query_tokens: list[str] | None = None) -> dict[str, Any]:
        """:returns: `documents` when they are relevant; else `answer`, `sources`, `cited` and `meta`
        (`not_found`, `relevance`)."""
        score = relevance(self.collection, query_tokens or [], documents)
        if documents and score >= self.min_relevance:
            return {"documents": documents}
        searched = " / ".join(words_only(query_tokens or [])) or query
        answer = t("answer.not_found", searched=searched, collection=self.collection)
        sources = [source_view(i, d, False) for i, d in enumerate(documents, start=1)]
        return {
            "answer": answer,
            "sources": sources,
            "cited": [],
            "meta": {"not_found": True, "relevance": round(score, 3), "query": query},
        }
