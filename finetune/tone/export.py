"""Export a tone-tuned model: merge the adapter into 16-bit weights, convert to GGUF with llama.cpp's pinned
converter (optionally quantised), check it in llama.cpp against the merged model, and write an Ollama Modelfile whose
TEMPLATE is the base model's own chat template.

The adapter was trained on a 4-bit base; merging into 4-bit weights would round the base a second time, so the base
is loaded again in 16-bit (32-bit on a CPU) before merging. Ollama templates are Go templates, not Jinja: we render
the model's Jinja chat template once with placeholder messages and put Ollama's `{{ .System }}` and `{{ .Prompt }}`
where the placeholders landed, which works for any template.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from finetune.export.converter import convert_hf_to_gguf
from finetune.export.ollama import Registration, register, write_modelfile
from finetune.export.verify import VerifyReport, verify_gguf
from finetune.scratch.export import ExportError
from finetune.tone.train import ensure_chat_template, render
from pipelines.local_models import models_dir
from tokka.paths import MODEL_NAME, check_name

_SYSTEM, _USER = "\u2402SYSTEM\u2402", "\u2402PROMPT\u2402"
END_MARKERS = ("<|im_end|>", "<end_of_turn>", "<|eot_id|>", "<|end|>", "</s>", "<|endoftext|>")
PROMPTS = ("工房は何時まで開いていますか？", "3Dプリンターの予約方法を教えてください。", "保護めがねは必要ですか？")


@dataclass
class ToneExport:
    """What was written and how the check went."""

    merged_dir: Path
    gguf: Path
    modelfile: Path
    local_model: str
    template: str
    stops: list[str]
    report: VerifyReport
    registration: Registration | None


def ollama_template(tokenizer: Any) -> tuple[str, list[str]]:
    """The Go TEMPLATE for Ollama and the stop strings, derived from the tokenizer's Jinja chat template."""
    ensure_chat_template(tokenizer)
    user_only = render(tokenizer, [{"role": "user", "content": _USER}], add_generation_prompt=True)
    try:
        with_system = render(
            tokenizer,
            [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": _USER}],
            add_generation_prompt=True,
        )
    except Exception:
        with_system = None
    bos = tokenizer.bos_token or ""

    def go(text: str) -> str:
        if bos and text.startswith(bos):
            text = text[len(bos) :]  # llama.cpp adds BOS itself
        return text.replace(_SYSTEM, "{{ .System }}").replace(_USER, "{{ .Prompt }}")

    if with_system and _SYSTEM in with_system and with_system != user_only:
        template = f"{{{{ if .System }}}}{go(with_system)}{{{{ else }}}}{go(user_only)}{{{{ end }}}}"
    else:
        template = go(user_only)
    reply = render(tokenizer, [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}])
    tail = reply.split("b", 1)[-1] if "b" in reply else ""
    stops = [m for m in END_MARKERS if m in tail or m == tokenizer.eos_token]
    markers = [line for line in re.findall(r"^#+ [^\n]+$", user_only, re.M)]  # plain-text templates (### 質問)
    stops += [f"\n{m}" for m in markers]
    return template, list(dict.fromkeys(stops))


def merge_adapter(base: str, adapter_dir: Path, out_dir: Path) -> tuple[Any, Any]:
    """Reload the base in 16-bit (32-bit on CPU), merge the LoRA adapter, save the merged folder."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = torch.float16 if torch.cuda.is_available() else torch.float32
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype)
    merged = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
    merged.save_pretrained(str(out_dir), safe_serialization=True)
    tokenizer = AutoTokenizer.from_pretrained(str(adapter_dir))
    ensure_chat_template(tokenizer)
    tokenizer.save_pretrained(str(out_dir))
    original = Path(base) / "tokenizer.model"
    if original.is_file():  # the converter's fallback without it tokenises differently (docs/models.md §3.3)
        shutil.copyfile(original, out_dir / "tokenizer.model")
    return merged.eval(), tokenizer


def export_tuned(run_dir: Path, name: str, quant: str | None = None, ollama: bool = True) -> ToneExport:
    """Merge, convert, verify, write the Modelfile, copy to the local models and register in Ollama.

    :param quant: `q8_0` for 8-bit weights (smaller, slightly different logits); default 16-bit (f16).
    :raises ExportError: `err.model_name`, `err.no_checkpoint`.
    """
    check_name(name, MODEL_NAME, "err.model_name", ExportError)
    config_path = run_dir / "tone_config.json"
    if not (run_dir / "adapter").is_dir() or not config_path.is_file():
        raise ExportError("err.no_checkpoint", folder=str(run_dir))
    config = json.loads(config_path.read_text(encoding="utf-8"))
    export_dir = run_dir / "export"
    model, tokenizer = merge_adapter(config["base"], run_dir / "adapter", export_dir / "merged")
    outtype = quant or ("f16" if torch.cuda.is_available() else "f32")
    gguf = convert_hf_to_gguf(export_dir / "merged", export_dir / f"{name}.gguf", outtype)

    @torch.no_grad()
    def logits(ids: list[int]):
        return model(torch.tensor([ids], device=model.device)).logits[0, -1].float().cpu().numpy()

    def tokens(text: str) -> list[int]:
        return tokenizer(text, add_special_tokens=True)["input_ids"]

    prompts = tuple(render(tokenizer, [{"role": "user", "content": p}], add_generation_prompt=True) for p in PROMPTS)
    prompts = tuple(
        p[len(tokenizer.bos_token) :] if tokenizer.bos_token and p.startswith(tokenizer.bos_token) else p
        for p in prompts
    )
    report = verify_gguf(gguf, tokens, logits, prompts, tolerance=0.05 if outtype in ("f32", "f16") else 0.5)
    template, stops = ollama_template(tokenizer)
    parameters = {"num_ctx": config.get("max_seq_len", 2048), "temperature": 0.7}
    modelfile = write_modelfile(export_dir, gguf.name, template, stops, parameters)
    target = models_dir() / gguf.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(gguf, target)
    registration = register(export_dir, name, gguf.name, template, stops, parameters) if ollama else None
    return ToneExport(export_dir / "merged", gguf, modelfile, gguf.name, template, stops, report, registration)
