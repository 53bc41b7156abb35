"""A SentencePiece tokenizer trained on the collection's own text.

Settings chosen for Japanese and for llama.cpp (docs/models.md §1.1, §4):
- BPE with byte fallback: any character can be written, even one never seen in training;
- identity normalisation: the text was already NFKC-normalised at ingestion, and llama.cpp does not normalise;
- pieces of at most 8 characters: llama-cpp-python 0.3.36 drops tokens longer than 32 bytes when detokenising
  (11+ kana/kanji), so we never make such tokens;
- ids 0 = <unk>, 1 = <s>, 2 = </s> (the Llama convention the GGUF converter expects);
- the vocabulary size is an upper bound (`hard_vocab_limit=False`), so a small corpus does not fail.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import sentencepiece as spm

MAX_PIECE_CHARS = 8


def train_tokenizer(texts: Iterable[str], out_dir: Path, vocab_size: int = 4000) -> Path:
    """Train on `texts` (one document or line each) and write `tokenizer.model`. :returns: its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / "tokenizer"
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([t for t in texts if t.strip()]),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="bpe",
        byte_fallback=True,
        normalization_rule_name="identity",
        character_coverage=0.9995,
        max_sentencepiece_length=MAX_PIECE_CHARS,
        split_digits=True,
        remove_extra_whitespaces=False,
        allow_whitespace_only_pieces=True,
        hard_vocab_limit=False,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
        num_threads=1,
    )
    prefix.with_suffix(".vocab").unlink(missing_ok=True)
    return prefix.with_suffix(".model")


class Tokenizer:
    """Encode and decode with a trained `tokenizer.model`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.sp = spm.SentencePieceProcessor(model_file=str(self.path))

    @property
    def vocab_size(self) -> int:
        """Number of pieces."""
        return self.sp.get_piece_size()

    @property
    def bos_id(self) -> int:
        """Beginning-of-text id."""
        return self.sp.bos_id()

    @property
    def eos_id(self) -> int:
        """End-of-text id."""
        return self.sp.eos_id()

    def encode(self, text: str, bos: bool = False, eos: bool = False) -> list[int]:
        """Token ids of `text`."""
        return ([self.bos_id] if bos else []) + self.sp.encode(text) + ([self.eos_id] if eos else [])

    def decode(self, ids: list[int]) -> str:
        """Text of token ids."""
        return self.sp.decode(ids)

    def pieces(self, text: str) -> list[str]:
        """How `text` is split (for showing learners what the model sees)."""
        return self.sp.encode(text, out_type=str)
