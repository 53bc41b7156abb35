"""One collection's search structures as *segments*, so a write updates them without a rebuild.

A :class:`SearchIndex` is an immutable snapshot: a list of segments (each its own
:class:`~corpus.stores.bm25.BM25Index` and :class:`~corpus.stores.vectors.VectorIndex` over chunks given by their
SQLite rowids) and a mask saying which positions are still alive. Adding chunks builds one small segment for them
only (its BM25 weights use the statistics of the first, main segment together with its own, so its scores are
comparable); removing chunks only clears their positions in the mask (a *tombstone*). :meth:`SearchIndex.updated`
returns a new snapshot and never changes the old one, so a query that started on the old state finishes on it:
readers see the old or the new state, never a mix. When the extra segments or tombstones grow past a share of the
main segment, :attr:`SearchIndex.needs_merge` asks the store to rebuild one main segment in the background.

Until that merge, removed chunks still count in the main segment's document frequencies and new ones are weighed
against them approximately — the same trade Lucene makes between its merges — so a score can differ in the third
digit from the one a full rebuild gives; which chunks are found does not depend on it.

The module holds no SQLite code: `corpus/stores/embedded.py` reads the rows and the change log and calls it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.japanese.tokenizer import BIGRAM_WEIGHT, split_marked
from corpus.stores.ann import OVERSAMPLE, ApproximateIndex
from corpus.stores.bm25 import BM25Index, top_positions
from corpus.stores.vectors import VectorIndex, top_cosine

# A merge is asked for when the extra segments hold more than this share of the main segment's rows (or tombstones
# cover it), with at least MERGE_MIN_ROWS of them, or when there are more than MAX_SEGMENTS segments.
MERGE_SHARE = 0.05
MERGE_MIN_ROWS = 2_000
MAX_SEGMENTS = 12

_FORMAT = 3  # of the cache folder written by `save` (3: BM25 postings as memory-mappable .npy files)


@dataclass(frozen=True)
class Segment:
    """Chunks given by rowid (ascending), their BM25 index and, when the collection has embeddings, their vectors."""

    rowids: np.ndarray
    bm25: BM25Index
    vectors: VectorIndex | None

    @property
    def size(self) -> int:
        """Number of rows."""
        return int(self.rowids.shape[0])


class SearchIndex:
    """BM25 + vectors of one collection at one state of the store (`generation`, change-log position `seq`).

    Positions run over the segments in order; :attr:`rowids` maps a position to its chunk.
    """

    def __init__(
        self,
        generation: int,
        seq: int,
        segments: list[Segment],
        alive: np.ndarray | None,
        dim: int | None,
        base_seq: int | None = None,
    ) -> None:
        self.generation = generation
        self.seq = seq
        self.base_seq = seq if base_seq is None else base_seq  # where the main segment was built
        self.segments = segments
        self.dim = dim
        self.rowids = (
            segments[0].rowids if len(segments) == 1 else np.concatenate([s.rowids for s in segments])
        ).astype(np.int64, copy=False)
        # None when every position is alive (the common case after a build: no mask work per query).
        self.alive = alive if alive is not None and not bool(alive.all()) else None

    # ---- building --------------------------------------------------------------------------------------------------
    @classmethod
    def build(
        cls, generation: int, seq: int, rowids: np.ndarray, token_strings: list[str], matrix: np.ndarray | None
    ) -> SearchIndex:
        """One main segment over every chunk (`matrix`: one embedding row per chunk, zeros where it has none)."""
        return cls.from_parts(generation, seq, rowids, BM25Index.build(token_strings), matrix)

    @classmethod
    def from_parts(
        cls, generation: int, seq: int, rowids: np.ndarray, bm25: BM25Index, matrix: np.ndarray | None
    ) -> SearchIndex:
        """One main segment from a built BM25 index and the embedding rows (normalised here, in place)."""
        vectors = VectorIndex.from_rows(matrix) if matrix is not None else None
        segment = Segment(np.asarray(rowids, dtype=np.int64), bm25, vectors)
        return cls(generation, seq, [segment], None, None if matrix is None else int(matrix.shape[1]))

    def updated(
        self,
        generation: int,
        seq: int,
        removed: np.ndarray,
        added_rowids: np.ndarray,
        added_tokens: list[str],
        added_matrix: np.ndarray | None,
    ) -> SearchIndex:
        """A new snapshot with `removed` rowids tombstoned and the added chunks in one new segment."""
        alive = self.alive.copy() if self.alive is not None else np.ones(self.size, dtype=bool)
        if removed.size:
            alive &= ~np.isin(self.rowids, removed)
        segments = list(self.segments)
        if added_rowids.size:
            order = np.argsort(added_rowids, kind="stable")
            tokens = [added_tokens[i] for i in order]
            vectors = None
            if self.dim is not None:
                matrix = np.zeros((order.size, self.dim), dtype=np.float32) if added_matrix is None else added_matrix
                vectors = VectorIndex.from_rows(matrix[order])
            bm25 = BM25Index.build(tokens, self.main.bm25.k1, self.main.bm25.b, background=self.main.bm25)
            segments.append(Segment(added_rowids[order].astype(np.int64), bm25, vectors))
            alive = np.concatenate([alive, np.ones(order.size, dtype=bool)])
        return SearchIndex(generation, seq, segments, alive, self.dim, self.base_seq)

    # ---- state -------------------------------------------------------------------------------------------------
    @property
    def main(self) -> Segment:
        """The first (largest) segment: the one a merge rebuilds."""
        return self.segments[0]

    @property
    def size(self) -> int:
        """Positions, dead ones included."""
        return int(self.rowids.shape[0])

    @property
    def live(self) -> int:
        """Chunks that can be found."""
        return self.size if self.alive is None else int(self.alive.sum())

    @property
    def needs_merge(self) -> bool:
        """Whether the extra segments and tombstones have grown enough to rebuild one main segment."""
        extra = (self.size - self.main.size) + (self.size - self.live)
        if len(self.segments) > MAX_SEGMENTS:
            return True
        return extra >= max(MERGE_MIN_ROWS, MERGE_SHARE * self.main.size)

    def position_mask(self, mask: np.ndarray | None) -> np.ndarray | None:
        """`mask` (over positions, or None) combined with the alive positions."""
        if self.alive is None:
            return mask
        return self.alive if mask is None else mask & self.alive

    # ---- search ------------------------------------------------------------------------------------------------
    def bm25_search(
        self, query_tokens: list[str], top_k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """`(positions, BM25 scores)`, best first, among alive positions where `mask` holds. Marked bigrams count
        `BIGRAM_WEIGHT` of a word."""
        words, bigrams = split_marked(query_tokens)
        parts = [_weighted_scores(s.bm25, words, bigrams) for s in self.segments]
        scores = parts[0] if len(parts) == 1 else np.concatenate(parts)
        keep = self.position_mask(mask)
        if keep is not None:
            scores[~keep] = 0.0
        return top_positions(scores, top_k)

    def vector_search(
        self, query: list[float] | np.ndarray, top_k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """`(positions, cosine scores)`, best first: approximate over a main segment that has a graph (when no
        filter narrows the search), exact otherwise. :raises ValueError: on a dimension mismatch."""
        approximate = self._approximate_search(query, top_k) if mask is None and top_k > 0 else None
        if approximate is not None:
            return approximate
        parts = [s.vectors.scores(query) for s in self.segments if s.vectors is not None]
        if len(parts) != len(self.segments) or any(p is None for p in parts) or top_k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        scores = parts[0] if len(parts) == 1 else np.concatenate(parts)
        keep = self.position_mask(mask)
        if keep is not None:
            scores[~keep] = -np.inf
        return top_cosine(scores, top_k)

    def _approximate_search(self, query: list[float] | np.ndarray, top_k: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The main segment through its graph plus the other segments exactly; None when there is no graph or too
        few of its candidates are alive (the caller then searches exactly)."""
        main = self.main.vectors
        if main is None or main.ann is None or any(s.vectors is None for s in self.segments):
            return None
        unit = main.unit_query(query)
        if unit is None:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        positions, scores = main.ann.search(unit, top_k * OVERSAMPLE, main.matrix)
        if self.alive is not None:
            keep = self.alive[positions]
            positions, scores = positions[keep], scores[keep]
        if positions.size < min(top_k, main.ann.size):
            return None
        if len(self.segments) > 1:
            rest = np.concatenate([s.vectors.scores(unit) for s in self.segments[1:]])
            if self.alive is not None:
                rest[~self.alive[self.main.size :]] = -np.inf
            extra, extra_scores = top_cosine(rest, top_k)
            positions = np.concatenate([positions, extra + self.main.size])
            scores = np.concatenate([scores, extra_scores])
        order = np.lexsort((positions, -scores))[:top_k]
        return positions[order], scores[order]

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """Lucene's idf of each token over every segment (tombstoned chunks still count until a merge)."""
        unique = sorted(set(tokens))
        df = sum((s.bm25.document_frequencies(unique) for s in self.segments), np.zeros(len(unique)))
        n = self.size
        return {t: float(np.log1p((n - d + 0.5) / (d + 0.5))) for t, d in zip(unique, df, strict=True)}

    # ---- the cache on disk ---------------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Write a one-segment index with no tombstones to `folder` (which must not exist yet)."""
        if len(self.segments) != 1 or self.alive is not None:
            msg = "only a merged index is saved"
            raise ValueError(msg)
        folder.mkdir(parents=True)
        np.save(folder / "rowids.npy", self.main.rowids)
        self.main.bm25.save(folder)
        if self.main.vectors is not None:
            np.save(folder / "vectors.npy", self.main.vectors.matrix)
            np.save(folder / "valid.npy", self.main.vectors.valid)
        info = {"format": _FORMAT, "generation": self.generation, "seq": self.seq, "dim": self.dim}
        (folder / "index.json").write_text(json.dumps(info), encoding="utf-8")

    def use_saved(self, folder: Path) -> None:
        """After :meth:`save` to `folder`: read the main segment's postings and vectors from the saved files
        (memory-mapped) instead of the arrays the build allocated, which are then freed. Every snapshot that shares
        this main segment sees the same values, now backed by the page cache (docs/retrieval.md §Memory)."""
        self.main.bm25.use_saved(folder)
        if self.main.vectors is not None:
            self.main.vectors.matrix = np.load(folder / "vectors.npy", mmap_mode="r")

    @classmethod
    def load(cls, folder: Path) -> SearchIndex:
        """Read what :meth:`save` wrote; vectors are memory-mapped (pages are read as queries touch them).

        :raises ValueError: for a folder in an older format (the caller rebuilds).
        :raises OSError: when a file is missing or unreadable.
        """
        info = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        if info.get("format") != _FORMAT:
            msg = f"index cache format {info.get('format')}"
            raise ValueError(msg)
        bm25 = BM25Index.load(folder)
        if bm25.total_length is None:
            msg = "index cache without document lengths"
            raise ValueError(msg)
        vectors = None
        if info["dim"] is not None:
            vectors = VectorIndex(np.load(folder / "vectors.npy", mmap_mode="r"), np.load(folder / "valid.npy"))
            vectors.ann = ApproximateIndex.load(folder)  # memory-mapped, when one was built for this segment
        segment = Segment(np.load(folder / "rowids.npy"), bm25, vectors)
        return cls(int(info["generation"]), int(info["seq"]), [segment], None, info["dim"])


def _weighted_scores(bm25: BM25Index, words: list[str], bigrams: list[str]) -> np.ndarray:
    scores = bm25.scores(words)
    if bigrams:
        scores += np.float32(BIGRAM_WEIGHT) * bm25.scores(bigrams)
    return scores
