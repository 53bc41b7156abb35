"""BM25 tokens computed once at ingestion and stored with each chunk."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from corpus.japanese.tokenizer import get_tokenizer
from corpus.stores.embedded import TOKENS_META_KEY


@component
class BM25Tokenizer:
    """Add the BM25 token string of each chunk as `meta["bm25_tokens"]` (the store moves it into its own column).

    The title and section heading are tokenised together with the text, so a chunk is found by the name of its
    document or section even when its own sentences do not repeat it.

    ### Usage example
    ```python
    BM25Tokenizer().run(documents=chunks)   # {"documents": [...], "tokenizer": "sudachi"}
    ```

    :param tokenizer: `sudachi` (morphological analysis, default) or `char-bigram`.
    :param fields: metadata fields tokenised with the content.
    """

    def __init__(self, tokenizer: str = "sudachi", fields: list[str] | None = None) -> None:
        get_tokenizer(tokenizer)  # fail early on an unknown name
        self.tokenizer = tokenizer
        self.fields = list(fields) if fields is not None else ["title", "heading"]

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, tokenizer=self.tokenizer, fields=self.fields)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BM25Tokenizer:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document], tokenizer=str)
    def run(self, documents: list[Document]) -> dict[str, Any]:
        """Tokenise each chunk.

        :returns: `documents` with `meta["bm25_tokens"]`, and `tokenizer`, the tokenizer's name.
        """
        tok = get_tokenizer(self.tokenizer)
        out = []
        for doc in documents:
            parts = [str(doc.meta.get(f) or "") for f in self.fields]
            text = "\n".join([*(p for p in parts if p), doc.content or ""])
            out.append(replace(doc, meta={**doc.meta, TOKENS_META_KEY: tok.tokens_string(text)}))
        return {"documents": out, "tokenizer": self.tokenizer}
