"""A tiny Llama-architecture base model and SentencePiece tokenizer, made in code for the tuning tests."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from corpus.japanese.normalize import normalize_text
from corpus.loaders import load_file
from corpus.sample_corpus import SAMPLES_DIR
from finetune.export.hf import save_hf_folder
from finetune.scratch.model import Llama, LlamaConfig
from finetune.scratch.tokenizer import Tokenizer, train_tokenizer


def make_base(folder: Path, target: Path | None = None) -> Path:
    """A random-initialised 0.1 M-parameter Llama with a Japanese tokenizer, as a Hugging Face folder.

    :param target: where the model folder goes (default `folder/base`).
    """
    texts = [normalize_text(load_file(p).text) for p in sorted(SAMPLES_DIR.iterdir())]
    texts.append("### システム\n### 質問\n### 回答\n")
    tokenizer = Tokenizer(train_tokenizer(texts, folder / "tokenizer-training", vocab_size=800))
    torch.manual_seed(0)
    model = Llama(
        LlamaConfig(
            vocab_size=tokenizer.vocab_size, dim=64, n_layers=2, n_heads=4, n_kv_heads=2, ffn_dim=128, max_seq_len=256
        )
    )
    return save_hf_folder(model, tokenizer.path, target or folder / "base")


def write_examples(path: Path, n: int = 24) -> Path:
    """Tone examples: always the same cheerful way of answering."""
    rows = [
        {
            "instruction": f"質問{i}: 工房は何時まで開いていますか？",
            "output": f"はい！工房は午後9時まで開いていますよ。お気軽にどうぞ！({i})",
        }
        for i in range(n)
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path
