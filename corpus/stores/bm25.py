"""A sparse BM25 index over stored token strings (Okapi BM25, k1 = 0.6, b = 0.5 by default: `K1`, `B`).

Why not bm25s or SQLite FTS5: FTS5 with OR queries measured ≈ 900 ms per query at 105k chunks (docs/retrieval.md), and
bm25s would need its own tokenisation and cannot be rebuilt from our stored tokens faster than this. The index is
small enough to read in one sitting: every (term, document) weight is computed once at build time into a CSC
matrix (one column per term), so a query only adds up the columns of its own terms and picks the top k with
`argpartition`. Building is vectorised (no Python loop per posting) with its temporaries bounded (weights are
computed in blocks of postings), and the three arrays are saved as `.npy` files that a new process memory-maps: a
query reads only its terms' columns, so a million-chunk index costs the pages its queries touch, not its size
(docs/retrieval.md §Memory at a million chunks).

A small index can be built *against* a large one (`background=`): its weights then use the statistics of both
together (document count, document frequencies, average length), so the embedded store scores a segment of newly
added chunks as if they were part of the main index without rebuilding it (docs/retrieval.md §Fresh after every
write).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
from scipy import sparse

# BM25's term-frequency saturation and length normalisation. Lower than the textbook 1.2–2.0 / 0.75: a passage that
# repeats a question's word or runs long is not much more likely to answer it. Chosen on jsquad-dev (MRR@10 BM25
# 0.933 → 0.944, hybrid with e5 0.939 → 0.946) and confirmed on data not used for choosing: JaQuAD dev 0.876 → 0.886,
# the real-document sheet MRR@5 0.982 → 1.000 (docs/retrieval.md §BM25 parameters). Elasticsearch uses the same.
K1 = 0.6
B = 0.5
_BATCH_TERMS = 4_000_000  # term ids collected in a Python list before they move into an int32 array
_BLOCK = 4_000_000  # postings weighed at a time (bounds the build's float temporaries to ~16 MB each)
_FILES = ("data", "indices", "indptr")


class BM25Index:
    """Okapi BM25 over pre-tokenised documents (positions 0..n-1).

    ### Usage example
    ```python
    index = BM25Index.build(["東京都 人口", "京都府 人口"])
    index.search(["京都府"], top_k=1)   # (array([1]), array([0.98], dtype=float32))
    ```
    """

    def __init__(
        self,
        vocabulary: dict[str, int],
        postings: tuple[np.ndarray, np.ndarray, np.ndarray, int],
        k1: float = K1,
        b: float = B,
        total_length: float | None = None,
    ) -> None:
        """:param postings: the weights' CSC arrays (one column per term) and the number of documents:
        `(data, indices, indptr, documents)`; the arrays may be memory-mapped, they are only read."""
        self.vocabulary = vocabulary
        self.data, self.indices, self.indptr, self._size = postings
        self.k1 = k1
        self.b = b
        # Sum of the documents' lengths in tokens (for the average length that a segment built against this index
        # uses). None for an index saved before it was recorded.
        self.total_length = total_length

    @property
    def size(self) -> int:
        """Number of documents."""
        return self._size

    @property
    def weights(self) -> sparse.csc_matrix:
        """The weights as a SciPy CSC matrix (documents × terms), for inspection and tests."""
        shape = (self._size, max(len(self.indptr) - 1, 1))
        return sparse.csc_matrix((self.data, self.indices, self.indptr), shape=shape)

    @classmethod
    def build(
        cls, token_strings: Iterable[str], k1: float = K1, b: float = B, background: BM25Index | None = None
    ) -> BM25Index:
        """Build from one space-separated token string per document (any iterable: a database cursor is read once
        and never held whole; term ids are kept as int32 arrays in batches, not as one Python list).

        :param background: an index whose documents count in the statistics (document count, document
            frequencies, average length) without being part of this one.
        """
        vocabulary: dict[str, int] = {}
        setdefault = vocabulary.setdefault
        id_parts: list[np.ndarray] = []
        length_parts: list[np.ndarray] = []
        ids: list[int] = []
        doc_lengths: list[int] = []
        for tokens in token_strings:
            terms = tokens.split()
            doc_lengths.append(len(terms))
            ids.extend([setdefault(t, len(vocabulary)) for t in terms])
            if len(ids) >= _BATCH_TERMS:
                id_parts.append(np.asarray(ids, dtype=np.int32))
                length_parts.append(np.asarray(doc_lengths, dtype=np.int64))
                ids, doc_lengths = [], []
        id_parts.append(np.asarray(ids, dtype=np.int32))
        length_parts.append(np.asarray(doc_lengths, dtype=np.int64))
        del ids, doc_lengths
        lengths = np.concatenate(length_parts)
        n_docs = int(lengths.size)
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        cols = np.concatenate(id_parts)
        del id_parts
        # Rows are documents in order, so the CSR form needs no row array; CSC (one column per term) for queries.
        tf = sparse.csr_matrix(
            (np.ones(cols.size, dtype=np.float32), cols, indptr), shape=(n_docs, max(len(vocabulary), 1))
        )
        del cols
        tf.sum_duplicates()
        tf = tf.tocsc()
        df = np.diff(tf.indptr).astype(np.float64)
        total_length = float(lengths.sum())
        n_all = n_docs
        if background is not None and background.size:
            df += background.document_frequencies(list(vocabulary))
            n_all += background.size
            total_length_all = total_length + (background.total_length or 0.0)
        else:
            total_length_all = total_length
        # Lucene's idf: always positive, so very common terms still count a little.
        idf = np.log1p((n_all - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg_len = total_length_all / n_all if n_all else 0.0
        norm = (k1 * (1.0 - b + b * lengths / avg_len)).astype(np.float32) if avg_len else np.ones(n_docs, np.float32)
        data, indices, indptr = tf.data, tf.indices, tf.indptr
        del tf
        for start in range(0, data.size, _BLOCK):  # data = idf · tf · (k1 + 1) / (tf + norm), in place, by block
            end = min(start + _BLOCK, data.size)
            block = data[start:end]
            terms = np.searchsorted(indptr, np.arange(start, end, dtype=indptr.dtype), side="right") - 1
            denominator = norm[indices[start:end]]
            denominator += block
            block *= np.float32(k1 + 1.0)
            block /= denominator
            block *= idf[terms]
        return cls(vocabulary, (data, indices, indptr, n_docs), k1, b, total_length)

    @property
    def average_length(self) -> float:
        """Average document length in tokens (0 for an empty index or one saved without it)."""
        return (self.total_length or 0.0) / self.size if self.size else 0.0

    def document_frequencies(self, terms: list[str]) -> np.ndarray:
        """How many documents of this index hold each term (0 for an unknown one)."""
        indptr = self.indptr
        get = self.vocabulary.get
        columns = [get(t, -1) for t in terms]
        return np.asarray([indptr[c + 1] - indptr[c] if c >= 0 else 0 for c in columns], dtype=np.float64)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """Every document's BM25 score for the query (0 where it shares no term)."""
        scores = np.zeros(self.size, dtype=np.float32)
        indptr, indices, data = self.indptr, self.indices, self.data
        for term in set(query_tokens):
            column = self.vocabulary.get(term)
            if column is None:
                continue
            start, end = indptr[column], indptr[column + 1]
            scores[indices[start:end]] += data[start:end]
        return scores

    def search(
        self, query_tokens: list[str], top_k: int = 10, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Best documents for the query.

        :param query_tokens: query terms (duplicates count once).
        :param top_k: how many to return at most.
        :param mask: optional boolean array; documents where it is False are excluded.
        :returns: `(positions, scores)`, best first, only documents that share a term with the query.
        """
        scores = self.scores(query_tokens)
        if mask is not None:
            scores[~mask] = 0.0
        return top_positions(scores, top_k)

    def idf(self, tokens: list[str]) -> dict[str, float]:
        """Lucene's idf of each token in this index; a token no document has gets the value of a df of 0."""
        n = self.size
        indptr = self.indptr
        out = {}
        for token in set(tokens):
            column = self.vocabulary.get(token)
            df = int(indptr[column + 1] - indptr[column]) if column is not None else 0
            out[token] = float(np.log1p((n - df + 0.5) / (df + 0.5)))
        return out

    def save(self, folder: Path) -> None:
        """Write the index into `folder` (created): `bm25.data.npy`, `bm25.indices.npy`, `bm25.indptr.npy` (what
        :meth:`load` memory-maps) and `bm25.npz` with the vocabulary and parameters."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in _FILES:
            np.save(folder / f"bm25.{name}.npy", getattr(self, name))
        vocab = np.frombuffer("\n".join(self.vocabulary).encode("utf-8"), dtype=np.uint8)
        with (folder / "bm25.npz").open("wb") as handle:
            np.savez(
                handle,
                size=np.asarray([self._size]),
                vocabulary=vocab,
                params=np.asarray([self.k1, self.b, -1.0 if self.total_length is None else self.total_length]),
            )

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        """Read an index written by :meth:`save`; the posting arrays are memory-mapped (read-only).

        :raises KeyError: for a folder written in the older one-file format (the caller rebuilds).
        :raises ValueError: for an index weighed with other k1 / b than `K1` / `B` (the caller rebuilds, so a
            store made before they changed ranks as a new one does).
        """
        with np.load(folder / "bm25.npz") as npz:
            size = int(npz["size"][0])
            words = npz["vocabulary"].tobytes().decode("utf-8")
            params = [float(x) for x in npz["params"]]
        if not np.allclose(params[:2], [K1, B]):
            msg = f"BM25 weighed with k1 {params[0]}, b {params[1]} (now {K1}, {B})"
            raise ValueError(msg)
        data, indices, indptr = (np.load(folder / f"bm25.{name}.npy", mmap_mode="r") for name in _FILES)
        vocabulary = {word: i for i, word in enumerate(words.split("\n"))} if words else {}
        total_length = params[2] if len(params) > 2 and params[2] >= 0 else None
        return cls(vocabulary, (data, indices, indptr, size), params[0], params[1], total_length)

    def use_saved(self, folder: Path) -> None:
        """Swap this index's arrays for the memory-mapped ones :meth:`save` wrote to `folder` (equal contents), so
        the memory the build allocated is returned. Safe while other threads query: each array is replaced whole."""
        for name in _FILES:
            setattr(self, name, np.load(folder / f"bm25.{name}.npy", mmap_mode="r"))


def top_positions(scores: np.ndarray, top_k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the `top_k` highest positive scores, best first (ties by position)."""
    # Only documents sharing a query term have a score; selecting among them avoids argpartition's slow path on
    # long runs of equal zeros (≈ 18 ms instead of 0.4 ms at 100k documents).
    candidates = np.flatnonzero(scores > 0)
    if top_k <= 0 or candidates.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=scores.dtype)
    if candidates.size > top_k:
        candidates = candidates[np.argpartition(scores[candidates], candidates.size - top_k)[-top_k:]]
    order = np.lexsort((candidates, -scores[candidates]))
    best = candidates[order]
    return best, scores[best]
