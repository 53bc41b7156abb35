"""Embedders as Haystack components, over the models of `corpus.embeddings` (which one, and why, is explained
there): a query or chunks are always embedded with the model their collection was made with.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from corpus.embeddings import (
    DEFERRED_MODELS,
    EMBEDDED_META_FIELDS,
    MODEL_DIMS,
    OFFLINE_MODEL,
    choose_embedding_model,
    embed_query,
    embed_texts,
    embedding_text,
)
from corpus.stores import open_store


@component
class OfflineTextEmbedder:
    """Embed a query with the offline USE model (no server needed).

    ### Usage example
    ```python
    OfflineTextEmbedder().run(text="3Dプリンターの予約")["embedding"]   # 512 floats
    ```
    """

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OfflineTextEmbedder:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(embedding=list[float], meta=dict[str, Any])
    def run(self, text: str) -> dict[str, Any]:
        """:returns: `embedding` and `meta` (`model`)."""
        return {"embedding": embed_texts(OFFLINE_MODEL, [text])[0], "meta": {"model": OFFLINE_MODEL}}


@component
class CollectionDocumentEmbedder:
    """Embed chunks with the model their collection uses (chosen for a new collection by `TOKKA_EMBEDDER`).

    When the collection is BM25-only (`none`, or it already holds chunks without embeddings), documents pass
    through unchanged and `meta["model"]` is None. With a slow local model (e5) they also pass through unchanged,
    with `meta["deferred"]` True: the writer stores them BM25-searchable at once and `corpus.backfill` embeds them
    in the background (progressive embedding).

    ### Usage example
    ```python
    CollectionDocumentEmbedder(collection="samples").run(documents=chunks)  # {"documents": [...], "meta": {...}}
    ```

    :param collection: the collection the chunks go into.
    :param embedder: overrides `TOKKA_EMBEDDER` for a new collection (`auto`, `ollama`, `offline`, `none`).
    :param ollama_model: overrides `TOKKA_EMBEDDING_MODEL` for a new collection.
    :param ollama_url: overrides `OLLAMA_URL`.
    :param batch_size: texts per embedding call.
    :param meta_fields_to_embed: metadata embedded together with the text (the title helps short chunks).
    :param background: embed in the background after writing (`None`: yes for e5 on the embedded store; `False`:
        always here, before writing).
    """

    def __init__(
        self,
        collection: str,
        embedder: str | None = None,
        ollama_model: str | None = None,
        ollama_url: str | None = None,
        batch_size: int = 16,
        meta_fields_to_embed: list[str] | None = None,
        background: bool | None = None,
    ) -> None:
        self.collection = collection
        self.background = background
        self.embedder = embedder
        self.ollama_model = ollama_model
        self.ollama_url = ollama_url
        self.batch_size = batch_size
        self.meta_fields_to_embed = (
            list(meta_fields_to_embed) if meta_fields_to_embed is not None else list(EMBEDDED_META_FIELDS)
        )

    def resolve_model(self) -> str | None:
        """The collection's recorded model; for an empty new collection, the configured choice."""
        info = open_store(self.collection).info()
        if info is not None and info.embedding_model:
            return info.embedding_model if info.has_embeddings else None
        if info is not None and info.chunks > 0:
            return None  # a BM25-only collection stays BM25-only (models are never mixed)
        return choose_embedding_model(self.embedder, self.ollama_model, self.ollama_url)

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(
            self,
            collection=self.collection,
            embedder=self.embedder,
            ollama_model=self.ollama_model,
            ollama_url=self.ollama_url,
            batch_size=self.batch_size,
            meta_fields_to_embed=self.meta_fields_to_embed,
            background=self.background,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CollectionDocumentEmbedder:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document], meta=dict[str, Any])
    def run(self, documents: list[Document]) -> dict[str, Any]:
        """Embed each document.

        :returns: `documents` (with embeddings unless BM25-only) and `meta` (`model`).
        :raises EmbedderUnavailableError: when the collection's Ollama model cannot be reached.
        """
        model = self.resolve_model()
        if model is None or not documents:
            return {"documents": documents, "meta": {"model": model}}
        backend = open_store(self.collection).backend
        if self.background is not False and model in DEFERRED_MODELS and hasattr(backend, "defer_embeddings"):
            backend.defer_embeddings(self.collection, model, MODEL_DIMS[model])
            return {"documents": documents, "meta": {"model": model, "deferred": True}}
        texts = [embedding_text(d.content, d.meta, self.meta_fields_to_embed) for d in documents]
        vectors = embed_texts(model, texts, self.ollama_url, self.batch_size)
        embedded = [replace(d, embedding=v) for d, v in zip(documents, vectors, strict=True)]
        return {"documents": embedded, "meta": {"model": model}}


@component
class CollectionTextEmbedder:
    """Embed a query with the model of the collection it will search.

    Returns `embedding=None` (and a notice) when the collection has no embeddings or its Ollama model is
    unreachable, so the hybrid retriever falls back to BM25 instead of failing.

    ### Usage example
    ```python
    CollectionTextEmbedder(collection="samples").run(text="工房は何時まで？")
    ```

    :param collection: the collection to be searched.
    :param ollama_url: overrides `OLLAMA_URL`.
    """

    def __init__(self, collection: str, ollama_url: str | None = None) -> None:
        self.collection = collection
        self.ollama_url = ollama_url

    def to_dict(self) -> dict[str, Any]:
        """Serialise to a dictionary (every init parameter, for YAML)."""
        return default_to_dict(self, collection=self.collection, ollama_url=self.ollama_url)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CollectionTextEmbedder:
        """Deserialise from a dictionary."""
        return default_from_dict(cls, data)

    @component.output_types(embedding=list[float] | None, meta=dict[str, Any])
    def run(self, text: str) -> dict[str, Any]:
        """:returns: `embedding` (or None) and `meta` (`model`, and `notice` when falling back)."""
        vector, notice, model = embed_query(self.collection, text, self.ollama_url)
        meta: dict[str, Any] = {"model": model}
        if notice:
            meta["notice"] = notice
        return {"embedding": vector, "meta": meta}
