"""Approximate vector search over a large main segment: built in the background, used with tombstones and recent
segments, bypassed by filters, saved with the index cache and memory-mapped by a new process. The size threshold is
lowered so that a few thousand real vectors (clustered, as embeddings are) take the path a million would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from corpus.stores import ann
from corpus.stores.embedded import EmbeddedBackend, SourceRecord

DIM = 32


def _vectors(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((count // 20, DIM))
    rows = centres[rng.integers(0, len(centres), count)] + 0.5 * rng.standard_normal((count, DIM))
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _write(backend: EmbeddedBackend, matrix: np.ndarray, source: str, start: int = 0) -> list[str]:
    docs = [
        Document(
            id=f"{source}-{start + i}", content=f"文書{start + i}", meta={"source": source}, embedding=row.tolist()
        )
        for i, row in enumerate(matrix)
    ]
    backend.replace_source("big", SourceRecord(source), docs, embedding_model="m")
    return [d.id for d in docs]


def _ids(docs: list[Document]) -> list[str]:
    return [d.id for d in docs]


@pytest.fixture
def big(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[EmbeddedBackend, np.ndarray]:
    monkeypatch.setattr(ann, "ANN_MIN_ROWS", 2_000)
    backend = EmbeddedBackend.open(data_dir / "tokka.sqlite3")
    matrix = _vectors(3_000)
    _write(backend, matrix, "all")
    backend.search_index("big")  # the first query builds the index; the graph follows in the background
    backend.wait_for_ann(60)
    graph = backend.search_index("big").main.vectors.ann
    assert graph is not None and graph._index.expansion_search == ann.EXPANSION_SEARCH
    return backend, matrix


def test_approximate_results_match_exact_ones(big: tuple[EmbeddedBackend, np.ndarray]) -> None:
    backend, matrix = big
    queries = _vectors(50, seed=1)
    index = backend.search_index("big")
    overlap = 0.0
    for query in queries:
        found = _ids(backend.vector_search("big", query.tolist(), 10))
        exact = [f"all-{i}" for i in np.argsort(-(matrix @ query), kind="stable")[:10]]
        overlap += len(set(found) & set(exact)) / 10
        assert len(found) == 10
    assert overlap / len(queries) >= 0.95  # recall@10 against the exact product
    found_docs = backend.vector_search("big", queries[0].tolist(), 10)
    scores = [d.score for d in found_docs]
    assert scores == sorted(scores, reverse=True) and scores[0] <= 1.0001
    # The graph walks its own float16 copy; the scores the fusion sees are the exact cosines of the float rows.
    rows = [int(d.id.split("-")[1]) for d in found_docs]
    np.testing.assert_allclose(scores, matrix[rows] @ queries[0], atol=1e-5)
    assert str(index.main.vectors.ann._index.dtype).rsplit(".", 1)[-1].lower() == ann.DTYPE
    assert index.main.vectors.ann.size == 3_000


def test_a_graph_saved_with_another_storage_type_still_serves(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ann, "ANN_MIN_ROWS", 2_000)
    monkeypatch.setattr(ann, "DTYPE", "i8")  # as one version built them
    backend = EmbeddedBackend.open(data_dir / "tokka.sqlite3")
    matrix = _vectors(2_500)
    _write(backend, matrix, "all")
    backend.search_index("big")
    backend.wait_for_ann(60)
    monkeypatch.setattr(ann, "DTYPE", "f16")
    EmbeddedBackend.close_all()
    reopened = EmbeddedBackend.open(data_dir / "tokka.sqlite3")
    graph = reopened.search_index("big").main.vectors.ann
    assert graph is not None and str(graph._index.dtype).endswith("I8")  # the file keeps its type, not rebuilt
    found = reopened.vector_search("big", matrix[11].tolist(), 3)
    assert found[0].id == "all-11" and abs(found[0].score - 1.0) < 1e-5


def test_tombstones_new_segments_and_filters(big: tuple[EmbeddedBackend, np.ndarray]) -> None:
    backend, matrix = big
    query = matrix[7]
    first = backend.vector_search("big", query.tolist(), 5)
    assert first[0].id == "all-7"
    backend.delete("big", ["all-7"])  # a tombstone in the main segment: never returned by the graph path
    after = _ids(backend.vector_search("big", query.tolist(), 5))
    assert "all-7" not in after and len(after) == 5
    newcomer = _write(backend, query[None, :], "new", start=9_000)  # a recent segment, searched exactly
    assert _ids(backend.vector_search("big", query.tolist(), 1)) == newcomer
    assert backend.search_index("big").main.vectors.ann is not None  # still the graph for the main segment
    # A filter takes the exact path (a selective filter would leave too few graph candidates).
    filtered = backend.vector_search(
        "big", query.tolist(), 3, filters={"field": "meta.source", "operator": "==", "value": "new"}
    )
    assert _ids(filtered) == newcomer


def test_a_new_process_maps_the_saved_graph(big: tuple[EmbeddedBackend, np.ndarray], data_dir: Path) -> None:
    backend, matrix = big
    expected = _ids(backend.vector_search("big", matrix[3].tolist(), 5))
    folders = list((data_dir / "index").rglob(ann.FILE_NAME))
    assert len(folders) == 1
    EmbeddedBackend.close_all()
    reopened = EmbeddedBackend.open(data_dir / "tokka.sqlite3")
    graph = reopened.search_index("big").main.vectors.ann
    assert graph is not None  # loaded, not rebuilt
    assert graph._index.expansion_search == ann.EXPANSION_SEARCH  # the file does not keep it; load sets it
    assert _ids(reopened.vector_search("big", matrix[3].tolist(), 5)) == expected


def test_small_collections_stay_exact(data_dir: Path) -> None:
    backend = EmbeddedBackend.open(data_dir / "tokka.sqlite3")
    _write(backend, _vectors(200), "few")
    backend.search_index("big")
    backend.wait_for_ann(10)
    assert backend.search_index("big").main.vectors.ann is None
