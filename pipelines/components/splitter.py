"""Sentence-aware Japanese chunking as a pipeline step, with stable chunk ids."""

from __future__ import annotations

import hashlib
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from corpus.japanese.chunker import chunk_text


def chunk_id(source: str, index: int, content: str) -> str:
    """A stable id: the same source, position and text always give the same id (so re-adding is a no-op)."""
    return hashlib.sha256(f"{source}\x00{index}\x00{content}".encode()).hexdigest()[:32]


@component
class JapaneseSentenceSplitter:
    """Split documents into chunks on Japanese sentence ends and line structure (see `corpus.japanese.chunker`).

    Each chunk keeps its document's metadata plus `heading` (the section path), `chunk_index` and `chunk_count`.

    ### Usage example
    ```python
    JapaneseSentenceSplitter(chunk_size=300, overlap=60).run(documents=docs)["documents"]
    ```

    :param chunk_size: target maximum characters per chunk.
    :param overlap: characters of whole sentences repeated at the start of the next chunk.
    :raises ValueError: when `chunk_size` is not positive or `overlap` is not below it.
    """

    def __init__(self, chunk_size: int = 400, overlap: int = 80) -> None:
        if chunk_size <= 0 or not 0 <= overlap < chunk_size:
            msg = (
                f"chunk_size must be > 0 and 0 <= overlap < chunk_size; got chunk_size={chunk_size}, overlap={overlap}"
            )
            raise ValueError(msg)
        self.chunk_size = chunk_size
        self.overlap = overlap

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, chunk_size=self.chunk_size, overlap=self.overlap)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JapaneseSentenceSplitter:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, Any]:
        """Split each document.

        :returns: `documents`: the chunks, in document order.
        """
        out: list[Document] = []
        for doc in documents:
            chunks = chunk_text(doc.content or "", self.chunk_size, self.overlap)
            source = str(doc.meta.get("source", doc.id))
            for chunk in chunks:
                meta = {**doc.meta, "heading": chunk.heading, "chunk_index": chunk.index, "chunk_count": len(chunks)}
                if doc.meta.get("pages"):  # paged documents (PDF): the page the chunk starts on, to cite "p. 12"
                    meta["page"] = chunk.page
                out.append(Document(id=chunk_id(source, chunk.index, chunk.content), content=chunk.content, meta=meta))
        return {"documents": out}
