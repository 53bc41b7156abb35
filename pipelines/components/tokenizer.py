"""BM25 tokens computed once at ingestion and stored with each chunk.

A large batch (a long file) is tokenised on every core (`corpus/japanese/parallel.py`).
`tokenizer: auto` (the indexing YAML's default) gives a new collection Sudachi's words plus character bigrams
(`sudachi+bigram`, the better of what was measured: docs/retrieval.md §Lexical fields) and keeps an existing
collection on the tokenizer it was made with, so its next upload never mixes two kinds of tokens.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from corpus.japanese.parallel import tokens_strings
from corpus.japanese.tokenizer import get_tokenizer
from corpus.stores.embedded import TOKENS_META_KEY

# What `auto` gives a collection that has no chunks yet.
DEFAULT_TOKENIZER = "sudachi+bigram"


@component
class BM25Tokenizer:
    """Add the BM25 token string of each chunk as `meta["bm25_tokens"]` (the store moves it into its own column).

    The title and section heading are tokenised together with the text, so a chunk is found by the name of its
    document or section even when its own sentences do not repeat it.

    ### Usage example
    ```python
    BM25Tokenizer().run(documents=chunks)   # {"documents": [...], "tokenizer": "sudachi"}
    ```

    :param tokenizer: `sudachi` (morphological analysis, default), `sudachi+bigram` (words and character bigrams),
        `char-bigram`, or `auto`: the collection's own tokenizer when it has chunks, else `sudachi+bigram`.
    :param fields: metadata fields tokenised with the content.
    :param collection: the collection written to (needed by `auto`).
    """

    def __init__(
        self, tokenizer: str = "sudachi", fields: list[str] | None = None, collection: str | None = None
    ) -> None:
        if tokenizer == "auto":
            if not collection:
                msg = "tokenizer 'auto' needs the collection (collection: \"${collection}\")"
                raise ValueError(msg)
        else:
            get_tokenizer(tokenizer)  # fail early on an unknown name
        self.tokenizer = tokenizer
        self.fields = list(fields) if fields is not None else ["title", "heading"]
        self.collection = collection

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, tokenizer=self.tokenizer, fields=self.fields, collection=self.collection)

    def resolved(self) -> str:
        """The tokenizer this run uses (`auto` looked up in the store)."""
        if self.tokenizer != "auto":
            return self.tokenizer
        from corpus.stores import open_store

        store = open_store(str(self.collection))
        if store.info() is not None and store.count_documents():
            return store.backend.tokenizer_name(str(self.collection))
        return DEFAULT_TOKENIZER

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BM25Tokenizer:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document], tokenizer=str)
    def run(self, documents: list[Document]) -> dict[str, Any]:
        """Tokenise each chunk.

        :returns: `documents` with `meta["bm25_tokens"]`, and `tokenizer`, the tokenizer's name.
        """
        name = self.resolved()
        texts = []
        for doc in documents:
            parts = [str(doc.meta.get(f) or "") for f in self.fields]
            texts.append("\n".join([*(p for p in parts if p), doc.content or ""]))
        out = [
            replace(doc, meta={**doc.meta, TOKENS_META_KEY: tokens})
            for doc, tokens in zip(documents, tokens_strings(name, texts), strict=True)
        ]
        return {"documents": out, "tokenizer": name}
