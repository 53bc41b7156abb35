"""The training loop, plain and in one place (as nanoGPT's train.py): AdamW, linear warmup then cosine decay,
gradient clipping, evaluation loss and samples every N steps, a checkpoint that can be resumed, and cancel.

`train()` is a generator of events (step, eval, sample, checkpoint, done) so the CLI prints them and the UI plots
them as they come. A tiny CPU run:

    python -m finetune scratch --collection samples --preset cpu-tiny --steps 200 --out data/scratch/demo
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from finetune.scratch.data import Batches, encode_corpus
from finetune.scratch.model import Llama, LlamaConfig
from finetune.scratch.tokenizer import Tokenizer, train_tokenizer
from tokka.errors import TokkaError


@dataclass(frozen=True)
class Preset:
    """A model size with the batch shape and learning rate that suit it."""

    model: LlamaConfig
    batch_size: int
    learning_rate: float
    note: str


PRESETS = {
    # ≈ 2.4 M parameters: reaches val loss ≈ 3.8 in ~6 minutes on one CPU thread on a ~1 MB corpus.
    "cpu-tiny": Preset(LlamaConfig(4000, 192, 4, 6, 3, 512, 128), 32, 3e-3, "CPU, minutes"),
    # ≈ 6.5 M parameters: needs tens of minutes on a CPU.
    "cpu-small": Preset(LlamaConfig(8000, 256, 6, 8, 4, 704, 256), 16, 2e-3, "CPU, an hour"),
    # ≈ 40 M parameters: for a GPU.
    "gpu-medium": Preset(LlamaConfig(16000, 512, 8, 8, 4, 1408, 512), 32, 1e-3, "GPU"),
}


def parameter_count(preset: str, vocab_size: int | None = None) -> int:
    """Parameters of a preset's model (with the vocabulary actually trained, when known)."""
    config = PRESETS[preset].model
    if vocab_size:
        config = LlamaConfig(**{**config.to_dict(), "vocab_size": vocab_size})
    with torch.device("meta"):
        return Llama(config).num_parameters()


@dataclass
class TrainConfig:
    """One training run. `None` values come from the preset."""

    out_dir: str
    preset: str = "cpu-tiny"
    steps: int = 200
    batch_size: int | None = None
    learning_rate: float | None = None
    warmup_steps: int | None = None  # default: 10% of the steps
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    eval_every: int = 50
    eval_batches: int = 8
    sample_every: int = 100
    checkpoint_every: int = 100
    sample_prompt: str = ""
    seed: int = 1337
    threads: int = 1  # two threads on a 2-core machine collapse as soon as anything else runs (docs/models.md §2)
    device: str = "auto"
    resume: bool = False


@dataclass
class TrainEvent:
    """Something the loop reports: `start`, `step`, `eval`, `sample`, `checkpoint`, `cancelled` or `done`."""

    kind: str
    step: int = 0
    loss: float | None = None
    val_loss: float | None = None
    learning_rate: float | None = None
    tokens_per_second: float | None = None
    text: str = ""
    info: dict[str, Any] = field(default_factory=dict)


def vocabulary_size(texts: list[str], limit: int) -> int:
    """The preset's vocabulary, but smaller for a small corpus: 256 bytes + the distinct characters + about one
    merged piece per 8 characters. A 4,000-piece vocabulary over a few thousand characters only makes rare tokens."""
    characters = sum(len(t) for t in texts)
    distinct = len(set("".join(texts)))
    return max(300, min(limit, 256 + distinct + characters // 8))


def learning_rate(step: int, config: TrainConfig, peak: float) -> float:
    """Linear warmup to `peak`, then cosine decay to `peak / 10` at the last step."""
    warmup = config.warmup_steps if config.warmup_steps is not None else max(1, config.steps // 10)
    if step <= warmup:
        return peak * step / warmup
    progress = min(1.0, (step - warmup) / max(1, config.steps - warmup))
    return peak / 10 + (peak - peak / 10) * 0.5 * (1.0 + math.cos(math.pi * progress))


def _device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


@torch.no_grad()
def estimate_loss(model: Llama, batches: Batches, n: int) -> float:
    """Mean loss over `n` fixed validation batches (the same ones every time, so values are comparable)."""
    model.eval()
    losses = [float(model(*(t.to(model.lm_head.weight.device) for t in batches.get(10**9 + i)))[1]) for i in range(n)]
    model.train()
    return sum(losses) / len(losses)


def sample(model: Llama, tokenizer: Tokenizer, prompt: str, tokens: int = 48, seed: int = 0) -> str:
    """A continuation of `prompt` (sampled with a fixed seed, so samples over training are comparable)."""
    device = model.lm_head.weight.device
    idx = torch.tensor([tokenizer.encode(prompt, bos=True)], device=device)
    generator = torch.Generator(device=device).manual_seed(seed)
    model.eval()
    out = model.generate(idx, tokens, temperature=0.8, top_k=40, eos_id=tokenizer.eos_id, generator=generator)
    model.train()
    return tokenizer.decode(out[0, 1:].tolist())


def load_model(out_dir: Path, device: str = "cpu") -> tuple[Llama, Tokenizer, dict[str, Any]]:
    """The model, tokenizer and checkpoint of a run folder."""
    checkpoint = torch.load(Path(out_dir) / "checkpoint.pt", map_location=device, weights_only=False)
    model = Llama(LlamaConfig(**checkpoint["model_config"])).to(device)
    model.load_state_dict(checkpoint["model"])
    model.eval()
    return model, Tokenizer(Path(out_dir) / "tokenizer.model"), checkpoint


def _optimizer(model: Llama, config: TrainConfig, lr: float) -> torch.optim.AdamW:
    # Weight decay on matrices only (not on norms), as in nanoGPT.
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95), eps=1e-8)


class ScratchTrainingError(TokkaError):
    """A training run that cannot start (no text in the collection)."""


def _resume(
    config: TrainConfig, path: Path, device: torch.device, peak: float
) -> tuple[Llama, torch.optim.AdamW, Tokenizer, int, float | None]:
    """The model, optimizer, tokenizer, next step and best validation loss of a checkpoint."""
    checkpoint = torch.load(path, map_location=device, weights_only=False)
    model = Llama(LlamaConfig(**checkpoint["model_config"])).to(device)
    model.load_state_dict(checkpoint["model"])
    optimizer = _optimizer(model, config, peak)
    optimizer.load_state_dict(checkpoint["optimizer"])
    tokenizer = Tokenizer(path.parent / "tokenizer.model")
    return model, optimizer, tokenizer, checkpoint["step"] + 1, checkpoint.get("best_val")


def _fresh(
    config: TrainConfig, texts: list[str], device: torch.device, peak: float
) -> tuple[Llama, torch.optim.AdamW, Tokenizer, int, float | None]:
    """A new tokenizer trained on `texts`, the corpus encoded, and a new model.

    :raises ScratchTrainingError: `err.scratch_no_text` when there is no text.
    """
    if not any(t.strip() for t in texts):
        raise ScratchTrainingError("err.scratch_no_text", collection="-")
    out = Path(config.out_dir)
    preset = PRESETS[config.preset]
    torch.manual_seed(config.seed)
    tokenizer = Tokenizer(train_tokenizer(texts, out, vocabulary_size(texts, preset.model.vocab_size)))
    encode_corpus(texts, tokenizer, out)
    model = Llama(LlamaConfig(**{**preset.model.to_dict(), "vocab_size": tokenizer.vocab_size})).to(device)
    return model, _optimizer(model, config, peak), tokenizer, 1, None


def train(
    config: TrainConfig, texts: list[str] | None = None, cancel: threading.Event | None = None
) -> Iterator[TrainEvent]:
    """Train (or resume) and report as it goes.

    :param texts: the training documents (not needed when resuming).
    :param cancel: set it to stop after the current step; a checkpoint is written first.
    :raises ValueError: for an unknown preset.
    :raises ScratchTrainingError: when there is no text to train on.
    """
    if config.preset not in PRESETS:
        msg = f"Unknown preset {config.preset!r}; choose one of {sorted(PRESETS)}"
        raise ValueError(msg)
    torch.set_num_threads(max(1, config.threads))
    device = _device(config.device)
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    preset = PRESETS[config.preset]
    peak = config.learning_rate or preset.learning_rate
    batch_size = config.batch_size or preset.batch_size
    checkpoint_path = out / "checkpoint.pt"

    if config.resume and checkpoint_path.exists():
        model, optimizer, tokenizer, start, best_val = _resume(config, checkpoint_path, device, peak)
    else:
        model, optimizer, tokenizer, start, best_val = _fresh(config, texts or [], device, peak)
    model_config = model.config
    train_batches = Batches(out / "train.npy", model_config.max_seq_len, batch_size, config.seed)
    val_batches = Batches(out / "val.npy", model_config.max_seq_len, batch_size, config.seed + 1)
    prompt = config.sample_prompt or tokenizer.decode(train_batches.data[1:9].tolist())

    def save(step: int) -> None:
        state = {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "step": step,
            "model_config": model_config.to_dict(),
            "train_config": asdict(config),
            "best_val": best_val,
        }
        torch.save(state, out / "checkpoint.tmp")
        (out / "checkpoint.tmp").replace(checkpoint_path)  # a crash never leaves half a checkpoint

    yield TrainEvent(
        "start",
        start - 1,
        info={
            "parameters": model.num_parameters(),
            "vocab_size": tokenizer.vocab_size,
            "device": str(device),
            "train_tokens": len(train_batches.data),
            "val_tokens": len(val_batches.data),
            "prompt": prompt,
        },
    )
    model.train()
    for step in range(start, config.steps + 1):
        if cancel is not None and cancel.is_set():
            save(step - 1)
            yield TrainEvent("cancelled", step - 1)
            return
        started = time.perf_counter()
        lr = learning_rate(step, config, peak)
        for group in optimizer.param_groups:
            group["lr"] = lr
        x, y = (t.to(device) for t in train_batches.get(step))
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        speed = x.numel() / max(time.perf_counter() - started, 1e-9)
        yield TrainEvent("step", step, loss=loss.item(), learning_rate=lr, tokens_per_second=speed)
        if step % config.eval_every == 0 or step == config.steps:
            val = estimate_loss(model, val_batches, config.eval_batches)
            best_val = val if best_val is None else min(best_val, val)
            yield TrainEvent("eval", step, loss=loss.item(), val_loss=val)
        if step % config.sample_every == 0 or step == config.steps:
            yield TrainEvent("sample", step, text=sample(model, tokenizer, prompt))
        if step % config.checkpoint_every == 0 or step == config.steps:
            save(step)
            yield TrainEvent("checkpoint", step)
    yield TrainEvent("done", config.steps, val_loss=best_val)
