"""Training text from a collection: every document's chunks in order, documents separated by </s>.

The token stream is split 90/10 into training and validation parts by position, so validation text is text the
model never trained on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from corpus.stores import get_backend
from finetune.scratch.tokenizer import Tokenizer


def collection_texts(collection: str) -> list[str]:
    """One text per document of the collection (its chunks joined in order).

    :raises StoreError: `err.collection_not_found`.
    """
    backend = get_backend()
    backend.require_collection(collection)
    texts = []
    for record in backend.sources(collection):
        chunks = backend.chunks_of(collection, record.source)
        texts.append("\n".join(d.content or "" for d in chunks))
    return [t for t in texts if t.strip()]


def encode_corpus(texts: list[str], tokenizer: Tokenizer, out_dir: Path, val_fraction: float = 0.1) -> dict[str, int]:
    """Tokenise and save `train.npy` / `val.npy` (uint16 when the vocabulary fits). :returns: token counts."""
    ids: list[int] = []
    for text in texts:
        ids.extend(tokenizer.encode(text, bos=True, eos=True))
    array = np.asarray(ids, dtype=np.uint16 if tokenizer.vocab_size < 65536 else np.int32)
    split = max(1, int(len(array) * (1 - val_fraction)))
    np.save(out_dir / "train.npy", array[:split])
    np.save(out_dir / "val.npy", array[split:])
    return {"train": split, "val": len(array) - split}


class Batches:
    """Random windows of `seq_len + 1` tokens; the batch of step `s` depends only on (seed, split, s), so a resumed
    run sees exactly the batches an uninterrupted one would have seen."""

    def __init__(self, path: Path, seq_len: int, batch_size: int, seed: int) -> None:
        self.data = torch.from_numpy(np.load(path).astype(np.int64))
        self.seq_len = min(seq_len, max(1, len(self.data) - 1))
        self.batch_size = batch_size
        self.seed = seed

    def get(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and targets (B, T) for `step`."""
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + step)
        high = max(1, len(self.data) - self.seq_len)
        starts = torch.randint(high, (self.batch_size,), generator=generator)
        x = torch.stack([self.data[s : s + self.seq_len] for s in starts])
        y = torch.stack([self.data[s + 1 : s + 1 + self.seq_len] for s in starts])
        return x, y
