"""The last step of an assistant: the answer text plus numbered sources, citing only chunks that were retrieved."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict
from haystack.dataclasses import ChatMessage

# [1] [1, 2] [1][3] 【2】 — after NFKC, full-width brackets and digits are ASCII.
_CITATION = re.compile(r"\[(\d+(?:\s*[,、]\s*\d+)*)\]|【(\d+(?:\s*[,、]\s*\d+)*)】")


def source_view(number: int, doc: Document, cited: bool) -> dict[str, Any]:
    """What the UI shows for one retrieved chunk."""
    meta = doc.meta
    return {
        "number": number,
        "source": str(meta.get("source", "")),
        "title": str(meta.get("title", "")),
        "heading": str(meta.get("heading", "")),
        "content": doc.content or "",
        "bm25_score": meta.get("bm25_score"),
        "vector_score": meta.get("vector_score"),
        "fused_score": meta.get("fused_score", doc.score),
        "cited": cited,
    }


@component
class CitedAnswerBuilder:
    """Turn the model's reply into an answer whose citations all point at retrieved chunks.

    The prompt numbers the retrieved chunks [1]…[n]. A model may cite a number that does not exist (or copy one
    from its own training data); such citations are removed from the text, so every [k] left in the answer can be
    opened in the sources panel.

    ### Usage example
    ```python
    CitedAnswerBuilder().run(replies=[ChatMessage.from_assistant("午後9時までです [1][7]")], documents=docs)
    # {"answer": "午後9時までです [1]", "sources": [{"number": 1, "cited": True, ...}, ...], "cited": [1]}
    ```
    """

    def to_dict(self) -> dict[str, Any]:
        """Serialise (no parameters)."""
        return default_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CitedAnswerBuilder:
        """Deserialise."""
        return default_from_dict(cls, data)

    @component.output_types(answer=str, sources=list[dict[str, Any]], cited=list[int], meta=dict[str, Any])
    def run(self, replies: list[ChatMessage], documents: list[Document], query: str = "") -> dict[str, Any]:
        """Clean citations and list the sources.

        :param replies: the generator's replies (the first is used).
        :param documents: the chunks the prompt numbered, in order.
        :param query: the question (kept in `meta`).
        :returns: `answer`, `sources` (every retrieved chunk, `cited` marking those the answer uses), `cited`
            (numbers), and `meta` (the reply's metadata plus `query` and `removed_citations`).
        """
        reply = replies[0] if replies else ChatMessage.from_assistant("")
        text = unicodedata.normalize("NFKC", reply.text or "")
        valid = range(1, len(documents) + 1)
        cited: list[int] = []
        removed: list[int] = []

        def keep(match: re.Match[str]) -> str:
            numbers = [int(n) for n in re.split(r"\s*[,、]\s*", match.group(1) or match.group(2))]
            good = [n for n in numbers if n in valid]
            removed.extend(n for n in numbers if n not in valid)
            cited.extend(n for n in good if n not in cited)
            return "".join(f"[{n}]" for n in good)

        answer = re.sub(r"[ \t]+\n", "\n", _CITATION.sub(keep, text)).strip()
        sources = [source_view(i, doc, i in cited) for i, doc in enumerate(documents, start=1)]
        meta = {**reply.meta, "query": query, "removed_citations": removed}
        return {"answer": answer, "sources": sources, "cited": sorted(cited), "meta": meta}
