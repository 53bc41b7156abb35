"""Export a LoRA adapter as a GGUF adapter that llama.cpp applies to the base GGUF at load (`lora_path`), and check
it there against PyTorch (`verify_adapter`). Unlike a merged export, the base model file is not copied: a few MB
ship instead of the whole model, and the same packaged base serves with and without the adapter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from finetune.export.converter import convert_lora_to_gguf
from finetune.export.verify import AdapterReport, verify_adapter


@dataclass
class AdapterExport:
    """The GGUF adapter and how its check went."""

    gguf: Path
    report: AdapterReport


def export_adapter(
    adapter_dir: Path,
    base_hf: Path,
    base_gguf: Path,
    out_path: Path,
    prompts: tuple[str, ...],
    quantised_base: bool = False,
) -> AdapterExport:
    """Convert the PEFT adapter in `adapter_dir` (trained on `base_hf`) to GGUF and verify it on `prompts` (chat
    template already applied, with or without the BOS text).

    :param quantised_base: `base_gguf` is quantised (`base_hf` its dequantised copy): allow near-ties to swap.

    :raises ConversionError: `err.conversion_failed`.
    """
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = convert_lora_to_gguf(adapter_dir, base_hf, out_path, "f16")
    tokenizer = AutoTokenizer.from_pretrained(str(base_hf))
    model = PeftModel.from_pretrained(
        AutoModelForCausalLM.from_pretrained(str(base_hf), dtype=torch.float32), str(adapter_dir)
    ).eval()

    def tokens(text: str) -> list[int]:
        bos = tokenizer.bos_token or ""
        body = text[len(bos) :] if bos and text.startswith(bos) else text
        return [tokenizer.bos_token_id, *tokenizer(body, add_special_tokens=False)["input_ids"]]

    @torch.no_grad()
    def tuned(ids: list[int]):
        return model(torch.tensor([ids])).logits[0, -1].float().numpy()

    @torch.no_grad()
    def base(ids: list[int]):
        with model.disable_adapter():
            return model(torch.tensor([ids])).logits[0, -1].float().numpy()

    bos = tokenizer.bos_token or ""
    texts = tuple(p[len(bos) :] if bos and p.startswith(bos) else p for p in prompts)
    return AdapterExport(gguf, verify_adapter(base_gguf, gguf, tokens, base, tuned, texts, quantised_base))
