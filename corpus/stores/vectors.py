"""Exact cosine search over one float32 matrix (rows L2-normalised once, so a query is one matrix-vector product).

At 100k × 512 the product reads 200 MB, and one core's memory bandwidth makes that ≈ 18 ms on our 2-core machines.
Large matrices are therefore split into row blocks multiplied in parallel threads (numpy releases the GIL; each
block uses one BLAS thread, so idle threads sleep instead of spinning), which measured 11 ms. Past
`corpus.stores.ann.ANN_MIN_ROWS` rows a main segment also gets an approximate graph (`ann`), built in the background.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

PARALLEL_MIN_ROWS = 32_768
_WORKERS = max(1, min(4, os.cpu_count() or 1))
_pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="tokka-vectors") if _WORKERS > 1 else None


def _matvec(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    """`matrix @ query`, in parallel row blocks when the matrix is large."""
    if _pool is None or matrix.shape[0] < PARALLEL_MIN_ROWS:
        return matrix @ query
    out = np.empty(matrix.shape[0], dtype=np.float32)
    bounds = np.linspace(0, matrix.shape[0], _WORKERS + 1, dtype=np.int64)

    def block(i: int) -> None:
        np.matmul(matrix[bounds[i] : bounds[i + 1]], query, out=out[bounds[i] : bounds[i + 1]])

    list(_pool.map(block, range(_WORKERS)))
    return out


_ROWS = 65_536  # rows handled at a time when normalising or checking a whole matrix


class VectorIndex:
    """Cosine similarity search. Rows without an embedding (all zeros) never match."""

    def __init__(self, matrix: np.ndarray, valid: np.ndarray | None = None) -> None:
        self.matrix = matrix
        self.ann: Any = None  # an ApproximateIndex once one is built or loaded (set once, read by any thread)
        # Rows that hold an embedding; computed once, not per query (by block: no matrix-sized temporary).
        if valid is None:
            valid = np.concatenate(
                [np.any(matrix[i : i + _ROWS] != 0, axis=1) for i in range(0, matrix.shape[0], _ROWS)] or [[]]
            ).astype(bool)
        self.valid = valid
        self.all_valid = bool(self.valid.all()) if self.valid.size else True

    @property
    def size(self) -> int:
        """Number of rows."""
        return self.matrix.shape[0]

    @property
    def dim(self) -> int:
        """Embedding dimension."""
        return self.matrix.shape[1]

    @classmethod
    def from_rows(cls, rows: np.ndarray) -> VectorIndex:
        """Normalise rows (float32) and wrap them."""
        rows = np.ascontiguousarray(rows, dtype=np.float32)
        valid = np.zeros(rows.shape[0], dtype=bool)
        for start in range(0, rows.shape[0], _ROWS):  # by block: np.linalg.norm would square the whole matrix at once
            block = rows[start : start + _ROWS]
            norms = np.sqrt(np.einsum("ij,ij->i", block, block))[:, None]
            valid[start : start + _ROWS] = norms[:, 0] > 0
            np.divide(block, norms, out=block, where=norms > 0)
        return cls(rows, valid)

    def search(
        self, query: np.ndarray | list[float], top_k: int = 10, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The `top_k` rows most similar to `query`.

        :param query: the query embedding (same dimension).
        :param mask: optional boolean array; rows where it is False are excluded.
        :returns: `(positions, cosine scores)`, best first.
        :raises ValueError: when the dimension differs from the index.
        """
        scores = self.scores(query)
        if scores is None or top_k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        if mask is not None:
            scores[~mask] = -np.inf
        return top_cosine(scores, top_k)

    def unit_query(self, query: np.ndarray | list[float]) -> np.ndarray | None:
        """`query` as a normalised float32 vector; None for a zero query.

        :raises ValueError: when the dimension differs from the index.
        """
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.dim:
            msg = f"query embedding has dimension {q.shape[0]}, the collection has {self.dim}"
            raise ValueError(msg)
        norm = float(np.linalg.norm(q))
        return None if norm == 0.0 else q / norm

    def scores(self, query: np.ndarray | list[float]) -> np.ndarray | None:
        """Every row's cosine similarity to `query` (`-inf` for rows without an embedding); None for a zero query.

        :raises ValueError: when the dimension differs from the index.
        """
        unit = self.unit_query(query)
        if unit is None:
            return None
        if self.size == 0:
            return np.empty(0, dtype=np.float32)
        scores = _matvec(self.matrix, unit)  # the one memory-bound pass over the matrix
        if not self.all_valid:
            scores[~self.valid] = -np.inf
        return scores


def top_cosine(scores: np.ndarray, top_k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the `top_k` highest finite scores, best first (ties by position)."""
    finite = np.isfinite(scores)
    k = min(top_k, int(finite.sum()))
    if k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    candidates = np.argpartition(scores, scores.size - k)[-k:] if k < scores.size else np.arange(scores.size)
    candidates = candidates[np.isfinite(scores[candidates])]
    order = np.lexsort((candidates, -scores[candidates]))
    best = candidates[order]
    return best, scores[best].astype(np.float32)
