"""Save a from-scratch model as a Hugging Face folder that `transformers` and llama.cpp's converter both read:
`config.json`, `model.safetensors` (HF parameter names), and the original SentencePiece `tokenizer.model`
(copied, not regenerated: the converter's fallback path tokenises differently, docs/models.md §3.3)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from safetensors.torch import save_file

from finetune.scratch.model import Llama


def save_hf_folder(model: Llama, tokenizer_model: Path, out_dir: Path) -> Path:
    """Write the folder; the tied output head is stored once, as the embeddings. :returns: `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items() if k != "lm_head.weight"}
    save_file(state, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    (out_dir / "config.json").write_text(json.dumps(model.config.hf_config(), indent=2), encoding="utf-8")
    shutil.copyfile(tokenizer_model, out_dir / "tokenizer.model")
    tokenizer_config = {
        "tokenizer_class": "LlamaTokenizer",
        "model_max_length": model.config.max_seq_len,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "add_bos_token": True,
        "add_eos_token": False,
        "legacy": False,
    }
    (out_dir / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2), encoding="utf-8")
    (out_dir / "generation_config.json").write_text(
        json.dumps({"bos_token_id": 1, "eos_token_id": 2}), encoding="utf-8"
    )
    return out_dir
