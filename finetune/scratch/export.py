"""Export a from-scratch run: HF folder → GGUF (llama.cpp's converter) → verified in llama.cpp → Modelfile →
Ollama (when reachable) → a copy in the local models folder, so the chat's local GGUF generator can use it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import torch

from finetune.export.converter import convert_hf_to_gguf
from finetune.export.hf import save_hf_folder
from finetune.export.ollama import RAW_TEMPLATE, Registration, register, write_modelfile
from finetune.export.verify import VerifyReport, verify_gguf
from finetune.scratch.train import load_model
from pipelines.local_models import models_dir
from tokka.errors import TokkaError
from tokka.paths import MODEL_NAME, check_name


class ExportError(TokkaError):
    """A model name Ollama would refuse, or a run folder without a trained model."""


@dataclass
class ScratchExport:
    """Where everything went, and how the check went."""

    hf_dir: Path
    gguf: Path
    modelfile: Path
    local_model: str
    report: VerifyReport
    registration: Registration | None


def export_run(run_dir: Path, name: str, outtype: str = "f32", ollama: bool = True) -> ScratchExport:
    """Export the run in `run_dir` under the model name `name` (lower-case letters, digits, `.`, `_`, `-`).

    :param outtype: GGUF weights: `f32` (exact; tiny models are small anyway), `f16` or `q8_0`.
    :raises ExportError: `err.model_name` or `err.no_checkpoint`.
    :raises ConversionError: when the converter fails.
    """
    check_name(name, MODEL_NAME, "err.model_name", ExportError)
    if not (run_dir / "checkpoint.pt").is_file():
        raise ExportError("err.no_checkpoint", folder=str(run_dir))
    model, tokenizer, _ = load_model(run_dir)
    export_dir = run_dir / "export"
    hf_dir = save_hf_folder(model, tokenizer.path, export_dir / "hf")
    gguf = convert_hf_to_gguf(hf_dir, export_dir / f"{name}.gguf", outtype)

    @torch.no_grad()
    def logits(ids: list[int]):
        return model(torch.tensor([ids]))[0][0, -1].numpy()

    tolerance = 0.05 if outtype in ("f32", "f16", "bf16") else 0.5
    report = verify_gguf(gguf, lambda text: tokenizer.encode(text, bos=True), logits, tolerance=tolerance)
    parameters = {"num_ctx": model.config.max_seq_len, "temperature": 0.8, "top_k": 40}
    modelfile = write_modelfile(export_dir, gguf.name, RAW_TEMPLATE, stop=["</s>"], parameters=parameters)
    target = models_dir() / gguf.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(gguf, target)
    registration = register(export_dir, name, gguf.name, RAW_TEMPLATE, ["</s>"], parameters) if ollama else None
    return ScratchExport(hf_dir, gguf, modelfile, gguf.name, report, registration)
