"""Approximate nearest-neighbour search for a large main segment (HNSW graph from `usearch`).

Below `ANN_MIN_ROWS` chunks the exact product in `corpus/stores/vectors.py` is fast enough (≈ 10 ms at 100k) and
loses nothing. Above it, one pass over every vector per question costs ~100 ms at 1M, so the store builds an HNSW
graph over the *main* segment in the background (`EmbeddedBackend._build_ann`), saves it next to the segment's cache
and memory-maps it when a process opens the store; until the graph is ready, search stays exact. Small extra
segments (recent writes) are always searched exactly, and tombstoned or filtered-out chunks are dropped from an
oversampled candidate list — when too few survive (a selective filter), the search falls back to exact.

The graph keeps its own float16 copy of each vector and only has to *find* the candidates: `search` re-scores them
against the segment's float rows, so the ranking and the scores the fusion sees are exact. An int8 copy walks about
twice as fast and was better on a million USE vectors, but on e5's vectors (the default embedder; their cosines
crowd into a narrow band) it built a poorer graph: at 20,000 e5 chunks and ef 1024 recall@10 0.966 against
float16's 0.999 (docs/retrieval.md §Approximate search). `DTYPE` stays float16 for every model.

Why usearch: a maintained HNSW library (Apache-2.0) with wheels for every platform, int8 and float16 storage,
multi-threaded builds, and saved indexes that can be *viewed* (memory-mapped) instead of loaded. hnswlib has no
mmap and no float16; faiss-cpu is a far larger dependency; sqlite-vec is exact search only.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

ANN_MIN_ROWS = 200_000  # main segments at least this large get a graph
OVERSAMPLE = 4  # candidates fetched per wanted result, so tombstones and filters rarely force the exact path
# Chosen on a million real embeddings (`bench/ann.py`; docs/retrieval.md §Approximate search): with M 16 and
# efConstruction 64 recall@10 against exact was 0.90 at ef 256 — synthetic vectors had promised 0.99.
CONNECTIVITY = 32  # HNSW M
EXPANSION_ADD = 128  # efConstruction
EXPANSION_SEARCH = 768  # ef at query time: recall against speed
DTYPE = "f16"  # the graph's copy of the vectors (usearch scalar kind)
FILE_NAME = "vectors.usearch"


class ApproximateIndex:
    """An HNSW graph over the valid rows of one L2-normalised matrix; keys are row positions."""

    def __init__(self, index: object) -> None:
        self._index = index

    @property
    def size(self) -> int:
        """Rows in the graph."""
        return len(self._index)

    @classmethod
    def build(cls, matrix: np.ndarray, valid: np.ndarray, threads: int | None = None) -> ApproximateIndex:
        """Index every valid row of `matrix` (rows already normalised, so inner product = cosine)."""
        from usearch.index import Index

        index = Index(
            ndim=int(matrix.shape[1]),
            metric="ip",
            dtype=DTYPE,
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )
        keys = np.flatnonzero(valid).astype(np.uint64)
        step = 65_536  # in slices, so a float32 copy of the whole memory-mapped matrix is never made
        for start in range(0, keys.size, step):
            part = keys[start : start + step]
            index.add(part, np.ascontiguousarray(matrix[part.astype(np.int64)], dtype=np.float32), threads=threads or 0)
        return cls(index)

    def search(self, query: np.ndarray, count: int, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`(positions, cosine scores)` of about the `count` nearest rows, best first.

        :param query: the normalised query.
        :param matrix: the rows the graph was built from (normalised): the graph's candidates are re-scored against
            them, so scores and order are exact whatever precision the graph keeps.
        """
        count = min(count, self.size)
        if count <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        query = np.asarray(query, dtype=np.float32)
        positions = np.sort(self._index.search(query, count).keys.astype(np.int64))  # in file order: fewer seeks
        scores = np.asarray(matrix[positions], dtype=np.float32) @ query
        order = np.lexsort((positions, -scores))
        return positions[order], scores[order].astype(np.float32)

    def save(self, folder: Path) -> None:
        """Write the graph into a cache folder (aside, then renamed: a reader sees all of it or none)."""
        tmp = folder / f".{FILE_NAME}.{os.getpid()}"
        self._index.save(str(tmp))
        tmp.rename(folder / FILE_NAME)

    @classmethod
    def load(cls, folder: Path) -> ApproximateIndex | None:
        """The graph saved in `folder`, memory-mapped; None when there is none."""
        path = folder / FILE_NAME
        if not path.is_file():
            return None
        from usearch.index import Index

        index = Index.restore(str(path), view=True)
        index.expansion_search = EXPANSION_SEARCH  # not saved in the file: a restored index would search with 64
        return cls(index)
