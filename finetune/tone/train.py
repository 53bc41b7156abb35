"""Tone tuning with LoRA: QLoRA (4-bit base, bitsandbytes) on Unsloth when an NVIDIA GPU is there, transformers +
PEFT otherwise (bitsandbytes' 4-bit works on CPU too, docs/models.md §5.3). One plain training loop serves
both, so what the CPU tests exercise is what the GPU runs: the loss counts only the reply's tokens, the
validation loss drives early stopping, and a checkpoint (adapter + optimizer + step) can be resumed.

    python -m finetune tone --data examples.csv --base models/my-base --out data/tone/run1 --steps 200
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from finetune.tone.data import Example, load_examples
from tokka.errors import TokkaError

TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
# A readable Japanese chat template for base models that have none (their tokenizers know no chat tokens).
DEFAULT_CHAT_TEMPLATE = (
    "{% for m in messages %}{% if m['role'] == 'system' %}### システム\n{{ m['content'] }}\n\n"
    "{% elif m['role'] == 'user' %}### 質問\n{{ m['content'] }}\n\n"
    "{% else %}### 回答\n{{ m['content'] }}{{ eos_token }}\n\n{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}### 回答\n{% endif %}"
)


@dataclass(frozen=True)
class Preset:
    """Batch shape for a memory size: per-device batch × gradient accumulation, and the sequence length."""

    batch_size: int
    grad_accum: int
    max_seq_len: int
    note: str


PRESETS = {
    "gpu-8gb": Preset(1, 8, 1024, "8 GB GPU (e.g. RTX 3060 Ti/4060): 7–8B models in 4-bit"),
    "gpu-16gb": Preset(2, 4, 2048, "16 GB GPU (e.g. RTX 4080, T4): 7–8B models, longer texts"),
    "gpu-24gb": Preset(4, 2, 2048, "24 GB GPU (e.g. RTX 3090/4090, L4): faster, or 13–14B models"),
    "cpu": Preset(4, 1, 256, "CPU: small models only (tests, demos)"),
}


@dataclass(frozen=True)
class Strength:
    """How strongly to tune, in plain words for the tab: LoRA rank and alpha, epochs and the learning rate."""

    rank: int
    alpha: int
    epochs: float
    learning_rate: float


STRENGTHS = {
    "light": Strength(8, 16, 1.0, 1e-4),  # 少しだけ: keeps the base model's manners, learns the tone a little
    "standard": Strength(16, 32, 2.0, 2e-4),  # ふつう
    "strong": Strength(32, 64, 3.0, 2e-4),  # しっかり: follows the examples closely (risk of learning them by heart)
}


class ToneTrainingError(TokkaError):
    """Training could not run (out of GPU memory, base model not found)."""


@dataclass
class ToneConfig:
    """One tuning run. Base model: a local Hugging Face folder, or a hub id when this machine is online."""

    base: str
    data: str
    out_dir: str
    preset: str = "auto"
    lora_rank: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.0
    target_modules: list[str] = field(default_factory=lambda: list(TARGET_MODULES))
    max_seq_len: int | None = None
    epochs: float = 1.0
    steps: int | None = None  # overrides epochs
    learning_rate: float = 2e-4
    warmup_ratio: float = 0.05
    eval_every: int = 10
    early_stopping_patience: int = 3  # evaluations without improvement; 0 = off
    load_in_4bit: bool = True
    backend: str = "auto"  # auto | unsloth | peft
    seed: int = 0
    threads: int = 1
    resume: bool = False


@dataclass
class ToneEvent:
    """`start`, `step`, `eval`, `checkpoint`, `early_stop`, `cancelled` or `done`."""

    kind: str
    step: int = 0
    loss: float | None = None
    val_loss: float | None = None
    learning_rate: float | None = None
    gpu_memory_gb: float | None = None
    tokens_per_second: float | None = None
    info: dict[str, Any] = field(default_factory=dict)


def choose_preset(name: str) -> str:
    """`auto`: by the GPU's memory (8 / 16 / 24 GB), or `cpu` without a GPU."""
    if name != "auto":
        if name not in PRESETS:
            msg = f"Unknown preset {name!r}; choose one of {['auto', *PRESETS]}"
            raise ValueError(msg)
        return name
    if not torch.cuda.is_available():
        return "cpu"
    total = torch.cuda.get_device_properties(0).total_memory / 2**30
    return "gpu-24gb" if total >= 22 else "gpu-16gb" if total >= 14 else "gpu-8gb"


def choose_backend(name: str) -> str:
    """Unsloth on CUDA when it is installed (the GPU image), else transformers + PEFT."""
    if name != "auto":
        return name
    if torch.cuda.is_available():
        try:
            import unsloth  # noqa: F401

            return "unsloth"
        except ImportError:
            return "peft"
    return "peft"


def ensure_chat_template(tokenizer: Any) -> str:
    """The tokenizer's chat template, or tokka's default one (set on the tokenizer)."""
    if not getattr(tokenizer, "chat_template", None):
        tokenizer.chat_template = DEFAULT_CHAT_TEMPLATE
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer.chat_template


def render(tokenizer: Any, messages: list[dict[str, str]], add_generation_prompt: bool = False) -> str:
    """Messages as the model sees them (the chat template applied)."""
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)


def encode(tokenizer: Any, example: Example, max_len: int) -> tuple[list[int], list[int]]:
    """Token ids and labels; the labels hide everything but the reply (-100), so only the reply is learnt."""
    prompt = render(tokenizer, example.messages[:-1], add_generation_prompt=True)
    full = render(tokenizer, example.messages)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    full_ids = tokenizer(full, add_special_tokens=False)["input_ids"]
    bos = (
        [tokenizer.bos_token_id]
        if tokenizer.bos_token_id is not None and getattr(tokenizer, "add_bos_token", True)
        else []
    )
    ids = (bos + full_ids)[:max_len]
    labels = ([-100] * (len(bos) + len(prompt_ids)) + full_ids[len(prompt_ids) :])[:max_len]
    return ids, labels


def _batch(items: list[tuple[list[int], list[int]]], pad_id: int, device: torch.device) -> dict[str, torch.Tensor]:
    width = max(len(ids) for ids, _ in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    labels = torch.full((len(items), width), -100, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    for row, (x, y) in enumerate(items):
        ids[row, : len(x)] = torch.tensor(x)
        labels[row, : len(y)] = torch.tensor(y)
        mask[row, : len(x)] = 1
    return {"input_ids": ids.to(device), "labels": labels.to(device), "attention_mask": mask.to(device)}


def load_for_training(config: ToneConfig, max_seq_len: int) -> tuple[Any, Any, dict[str, Any]]:
    """The base model with LoRA adapters attached, its tokenizer, and what was chosen."""
    backend = choose_backend(config.backend)
    four_bit = config.load_in_4bit
    try:
        if backend == "unsloth":
            from unsloth import FastLanguageModel

            model, tokenizer = FastLanguageModel.from_pretrained(
                model_name=config.base, max_seq_length=max_seq_len, load_in_4bit=four_bit, dtype=None
            )
            model = FastLanguageModel.get_peft_model(
                model,
                r=config.lora_rank,
                lora_alpha=config.lora_alpha,
                lora_dropout=config.lora_dropout,
                target_modules=config.target_modules,
                bias="none",
                use_gradient_checkpointing="unsloth",
                random_state=config.seed,
            )
        else:
            from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
            from transformers import AutoModelForCausalLM, AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(config.base)
            kwargs: dict[str, Any] = {"dtype": torch.float32 if not torch.cuda.is_available() else torch.bfloat16}
            if four_bit:
                try:
                    from transformers import BitsAndBytesConfig

                    compute = torch.bfloat16 if torch.cuda.is_available() else torch.float32
                    kwargs["quantization_config"] = BitsAndBytesConfig(
                        load_in_4bit=True,
                        bnb_4bit_quant_type="nf4",
                        bnb_4bit_compute_dtype=compute,
                        bnb_4bit_use_double_quant=True,
                    )
                    kwargs["device_map"] = {"": 0} if torch.cuda.is_available() else "cpu"
                except ImportError:
                    four_bit = False
            model = AutoModelForCausalLM.from_pretrained(config.base, **kwargs)
            if four_bit:
                model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
            present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
            targets = [t for t in config.target_modules if t in present] or ["q_proj", "v_proj"]
            model = get_peft_model(
                model,
                LoraConfig(
                    r=config.lora_rank,
                    lora_alpha=config.lora_alpha,
                    lora_dropout=config.lora_dropout,
                    target_modules=targets,
                    bias="none",
                    task_type="CAUSAL_LM",
                ),
            )
    except OSError as e:
        raise ToneTrainingError("err.tone_base_missing", base=config.base, detail=str(e)[:200]) from e
    ensure_chat_template(tokenizer)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return model, tokenizer, {"backend": backend, "four_bit": four_bit, "trainable": trainable, "total": total}


def _lr(step: int, total: int, peak: float, warmup_ratio: float) -> float:
    warmup = max(1, int(total * warmup_ratio))
    if step <= warmup:
        return peak * step / warmup
    return peak * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup))))


def _gpu_memory() -> float | None:
    return torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else None


@torch.no_grad()
def _validation_loss(model: Any, batches: list[dict[str, torch.Tensor]]) -> float:
    model.eval()
    losses = [float(model(**batch).loss) for batch in batches]
    model.train()
    return sum(losses) / max(1, len(losses))


def train(config: ToneConfig, cancel: threading.Event | None = None) -> Iterator[ToneEvent]:
    """Tune, reporting as it goes. The adapter is saved at each checkpoint and at the end (`out_dir/adapter`).

    :raises ToneDataError: for unusable data (see `finetune.tone.data`).
    :raises ToneTrainingError: `err.tone_oom` with the preset to choose instead; `err.tone_base_missing`.
    """
    torch.set_num_threads(max(1, config.threads))
    torch.manual_seed(config.seed)
    preset_name = choose_preset(config.preset)
    preset = PRESETS[preset_name]
    max_len = config.max_seq_len or preset.max_seq_len
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model, tokenizer, info = load_for_training(config, max_len)
    device = next(p for p in model.parameters()).device
    data = load_examples(
        config.data, lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"]), max_len, seed=config.seed
    )
    train_items = [encode(tokenizer, e, max_len) for e in data.train]
    val_items = [encode(tokenizer, e, max_len) for e in data.validation]
    per_step = preset.batch_size * preset.grad_accum
    total = config.steps or max(1, math.ceil(config.epochs * len(train_items) / per_step))
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    val_batches = [
        _batch(val_items[i : i + preset.batch_size], pad, device) for i in range(0, len(val_items), preset.batch_size)
    ]
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=config.learning_rate, weight_decay=0.0
    )
    start, best, waited = 1, None, 0
    state_path = out / "checkpoint" / "trainer_state.pt"
    if config.resume and state_path.is_file():
        from peft import set_peft_model_state_dict
        from safetensors.torch import load_file

        state = torch.load(state_path, map_location=device, weights_only=False)
        set_peft_model_state_dict(model, load_file(str(out / "checkpoint" / "adapter_model.safetensors")))
        optimizer.load_state_dict(state["optimizer"])
        start, best, waited = state["step"] + 1, state["best"], state["waited"]
    (out / "tone_config.json").write_text(
        json.dumps(
            {**asdict(config), "preset": preset_name, "max_seq_len": max_len, "total_steps": total},
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )

    def save(step: int, folder: Path) -> None:
        model.save_pretrained(str(folder))
        tokenizer.save_pretrained(str(folder))
        torch.save(
            {"optimizer": optimizer.state_dict(), "step": step, "best": best, "waited": waited},
            folder / "trainer_state.pt",
        )

    example = render(tokenizer, data.train[0].messages)
    yield ToneEvent(
        "start",
        start - 1,
        info={
            **info,
            "preset": preset_name,
            "steps": total,
            "max_seq_len": max_len,
            "train": len(train_items),
            "validation": len(val_items),
            "template_example": example,
            "device": str(device),
            "problems": data.problems,
        },
    )
    model.train()
    try:
        for step in range(start, total + 1):
            if cancel is not None and cancel.is_set():
                save(step - 1, out / "checkpoint")
                yield ToneEvent("cancelled", step - 1)
                return
            lr = _lr(step, total, config.learning_rate, config.warmup_ratio)
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.zero_grad(set_to_none=True)
            loss_sum, tokens, started = 0.0, 0, time.perf_counter()
            for micro in range(preset.grad_accum):
                picks = random.Random(config.seed * 7919 + step * 131 + micro).sample(
                    range(len(train_items)), min(preset.batch_size, len(train_items))
                )
                batch = _batch([train_items[i] for i in picks], pad, device)
                loss = model(**batch).loss / preset.grad_accum
                loss.backward()
                loss_sum += loss.item()
                tokens += int(batch["attention_mask"].sum())
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
            optimizer.step()
            speed = tokens / max(time.perf_counter() - started, 1e-9)
            yield ToneEvent(
                "step", step, loss=loss_sum, learning_rate=lr, gpu_memory_gb=_gpu_memory(), tokens_per_second=speed
            )
            if step % config.eval_every == 0 or step == total:
                val = _validation_loss(model, val_batches)
                improved = best is None or val < best - 1e-4
                best, waited = (val, 0) if improved else (best, waited + 1)
                yield ToneEvent("eval", step, loss=loss_sum, val_loss=val)
                if improved:
                    save(step, out / "adapter")  # the best adapter so far is the one exported
                save(step, out / "checkpoint")
                yield ToneEvent("checkpoint", step)
                if config.early_stopping_patience and waited >= config.early_stopping_patience:
                    yield ToneEvent("early_stop", step, val_loss=best)
                    break
    except torch.cuda.OutOfMemoryError as e:
        smaller = {"gpu-24gb": "gpu-16gb", "gpu-16gb": "gpu-8gb"}.get(preset_name, "gpu-8gb")
        raise ToneTrainingError("err.tone_oom", preset=preset_name, smaller=smaller, seq=max_len) from e
    if not (out / "adapter").exists():
        save(total, out / "adapter")
    yield ToneEvent("done", total, val_loss=best)
