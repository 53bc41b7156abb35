"""Tone tuning with LoRA on TRL's `SFTTrainer`: one training path for CPU and GPU.

Why TRL: it is the trainer Unsloth documents (Unsloth only swaps the model loader and kernels), so the GPU branch
runs the very code the CPU tests exercise. It gives what a tuning run needs without hand-written loops: the loss on
the reply only (prompt/completion data, `completion_only_loss`), logits computed only where there is a label (its
fused LM head never builds the prompt's `seq × vocab` logits), the schedule, batching, checkpoints with optimizer and
RNG state (`resume_from_checkpoint`), and early stopping on the validation loss (`EarlyStoppingCallback`).

One method is ours, `compute_loss`: TRL computes the reply's log-probabilities with a Triton kernel that exists only
on GPUs, so on a CPU its loss cannot run. Ours asks the model for logits at the reply's positions only
(`logits_to_keep`, a transformers forward argument), which keeps the LM head (262k × 640 for Gemma 3) off the long
prompt on every device, and is the same code on CPU and GPU.

The tab and the CLI read training as a stream of `ToneEvent`s: a `TrainerCallback` hands each one over and waits
until it has been read, so cancelling after an event stops at the next step, with a checkpoint to resume from.

    python -m finetune tone --data examples.csv --base models/my-base --out data/tone/run1 --steps 200
"""

from __future__ import annotations

import json
import math
import queue
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
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'system' %}### システム\n{{ m['content'] }}\n\n"
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
    layers: list[int] | None = None  # LoRA on these layers only (None = all); the backward pass stops below them
    max_seq_len: int | None = None
    batch_size: int | None = None  # overrides the preset
    grad_accum: int | None = None  # overrides the preset
    epochs: float = 1.0
    steps: int | None = None  # overrides epochs
    learning_rate: float = 2e-4
    warmup_ratio: float = 0.05
    eval_every: int = 10
    early_stopping_patience: int = 3  # evaluations without improvement; 0 = off
    validation_fraction: float = 0.1  # of the examples, kept apart to measure the validation loss
    max_minutes: float | None = None  # stop (with a checkpoint) after this long
    load_in_4bit: bool = True
    backend: str = "auto"  # auto | unsloth | peft
    seed: int = 0
    threads: int = 1
    resume: bool = False


@dataclass
class ToneEvent:
    """`start`, `step`, `eval`, `checkpoint`, `early_stop`, `time_up`, `cancelled` or `done`."""

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


def as_prompt_completion(example: Example) -> dict[str, list[dict[str, str]]]:
    """TRL's conversational prompt/completion form: everything before the last reply, and the reply (learnt)."""
    return {"prompt": example.messages[:-1], "completion": example.messages[-1:]}


def _lora(config: ToneConfig, present: set[str]) -> Any:
    from peft import LoraConfig

    targets = [t for t in config.target_modules if t in present] or ["q_proj", "v_proj"]
    return LoraConfig(
        r=config.lora_rank,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=targets,
        layers_to_transform=config.layers,
        bias="none",
        task_type="CAUSAL_LM",
    )


def _load_unsloth(config: ToneConfig, max_seq_len: int) -> tuple[Any, Any]:
    from unsloth import FastLanguageModel

    model, tokenizer = FastLanguageModel.from_pretrained(
        model_name=config.base, max_seq_length=max_seq_len, load_in_4bit=config.load_in_4bit, dtype=None
    )
    model = FastLanguageModel.get_peft_model(
        model,
        r=config.lora_rank,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=config.target_modules,
        layers_to_transform=config.layers,
        bias="none",
        use_gradient_checkpointing="unsloth",
        random_state=config.seed,
    )
    return model, tokenizer


def _load_peft(config: ToneConfig) -> tuple[Any, Any, bool]:
    from peft import get_peft_model, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(config.base)
    cuda = torch.cuda.is_available()
    kwargs: dict[str, Any] = {"dtype": torch.bfloat16 if cuda else torch.float32}
    four_bit = config.load_in_4bit
    if four_bit:
        try:
            from transformers import BitsAndBytesConfig

            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type="nf4",
                bnb_4bit_compute_dtype=torch.bfloat16 if cuda else torch.float32,
                bnb_4bit_use_double_quant=True,
            )
            kwargs["device_map"] = {"": 0} if cuda else "cpu"
        except ImportError:
            four_bit = False
    model = AutoModelForCausalLM.from_pretrained(config.base, **kwargs)
    if four_bit:
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    return get_peft_model(model, _lora(config, present)), tokenizer, four_bit


def load_for_training(config: ToneConfig, max_seq_len: int) -> tuple[Any, Any, dict[str, Any]]:
    """The base model with LoRA adapters attached, its tokenizer, and what was chosen."""
    backend = choose_backend(config.backend)
    four_bit = config.load_in_4bit
    try:
        if backend == "unsloth":
            model, tokenizer = _load_unsloth(config, max_seq_len)
        else:
            model, tokenizer, four_bit = _load_peft(config)
    except OSError as e:
        raise ToneTrainingError("err.tone_base_missing", base=config.base, detail=str(e)[:200]) from e
    ensure_chat_template(tokenizer)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    return model, tokenizer, {"backend": backend, "four_bit": four_bit, "trainable": trainable, "total": total}


def _gpu_memory() -> float | None:
    return torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else None


def latest_checkpoint(out_dir: Path) -> Path | None:
    """The newest `checkpoints/checkpoint-N` folder of a run (what "resume" continues), if any."""
    folders = [p for p in (out_dir / "checkpoints").glob("checkpoint-*") if p.name.split("-")[-1].isdigit()]
    return max(folders, key=lambda p: int(p.name.split("-")[-1]), default=None)


class _Handover:
    """Events from the training thread to the reader, one at a time: `put` returns once the reader took it."""

    def __init__(self) -> None:
        self.events: queue.Queue[ToneEvent | BaseException | None] = queue.Queue()
        self.read = threading.Semaphore(0)
        self.closed = threading.Event()

    def put(self, item: ToneEvent | BaseException | None) -> None:
        if self.closed.is_set():
            return
        self.events.put(item)
        while not self.read.acquire(timeout=0.5):
            if self.closed.is_set():
                return


def _stop_reason(cancel: threading.Event, handover: _Handover, deadline: float | None) -> str | None:
    """`cancelled` (Cancel pressed, or nobody reads the events any more), `time_up`, or None to go on."""
    if cancel.is_set() or handover.closed.is_set():
        return "cancelled"
    if deadline is not None and time.monotonic() > deadline:
        return "time_up"
    return None


def _callback(handover: _Handover, cancel: threading.Event, deadline: float | None) -> Any:
    """A `TrainerCallback` that reports steps, evaluations and checkpoints and stops on cancel or time."""
    from transformers import TrainerCallback

    class Report(TrainerCallback):
        stopped: str | None = None
        last: tuple[float, int] | None = None
        trainer_tokens: Any = staticmethod(lambda: 0)

        def on_step_end(self, args: Any, state: Any, control: Any, **_: Any) -> Any:
            self.stopped = self.stopped or _stop_reason(cancel, handover, deadline)
            if self.stopped:
                control.should_training_stop = True
                control.should_save = True  # a checkpoint to resume from
            return control

        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **_: Any) -> None:
            if not logs or "loss" not in logs:
                return
            now, tokens = time.monotonic(), self.trainer_tokens()
            last, self.last = self.last, (now, tokens)
            speed = (tokens - last[1]) / max(now - last[0], 1e-9) if last and tokens > last[1] else None
            event = ToneEvent("step", state.global_step, loss=float(logs["loss"]), tokens_per_second=speed)
            event.learning_rate, event.gpu_memory_gb = logs.get("learning_rate"), _gpu_memory()
            handover.put(event)

        def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict[str, float] | None = None, **_: Any):
            if metrics and "eval_loss" in metrics:
                handover.put(ToneEvent("eval", state.global_step, val_loss=float(metrics["eval_loss"])))

        def on_save(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            handover.put(ToneEvent("checkpoint", state.global_step))

    return Report()


def _trainer_class() -> type:
    """TRL's `SFTTrainer` with the loss computed on the reply's positions only (see the module docstring)."""
    from trl import SFTTrainer

    class ReplyOnlySFTTrainer(SFTTrainer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.model_accepts_loss_kwargs = True  # the trainer counts the reply tokens of the accumulated batch
            self.loss_is_scaled_for_ga = True  # … and our loss divides by that count
            self.tokens_seen = 0

        def compute_loss(
            self, model: Any, inputs: dict[str, Any], return_outputs: bool = False, num_items_in_batch: Any = None
        ) -> Any:
            labels = inputs["labels"]
            targets = labels[:, 1:]
            keep = (targets != -100).any(dim=0).nonzero().flatten()  # positions whose next token is learnt
            outputs = model(
                input_ids=inputs["input_ids"],
                attention_mask=inputs.get("attention_mask"),
                logits_to_keep=keep,
                use_cache=False,
            )
            chosen = targets[:, keep]
            total = torch.nn.functional.cross_entropy(
                outputs.logits.float().flatten(0, 1), chosen.flatten(), ignore_index=-100, reduction="sum"
            )
            count = num_items_in_batch if num_items_in_batch is not None else (chosen != -100).sum().clamp(min=1)
            loss = total / count
            if model.training and "attention_mask" in inputs:
                self.tokens_seen += int(inputs["attention_mask"].sum())
            return (loss, outputs) if return_outputs else loss

    return ReplyOnlySFTTrainer


def _arguments(config: ToneConfig, out: Path, preset: Preset, total: int | None, max_len: int) -> Any:
    from trl import SFTConfig

    cuda = torch.cuda.is_available()
    return SFTConfig(
        output_dir=str(out / "checkpoints"),
        max_length=max_len,
        per_device_train_batch_size=config.batch_size or preset.batch_size,
        per_device_eval_batch_size=config.batch_size or preset.batch_size,
        gradient_accumulation_steps=config.grad_accum or preset.grad_accum,
        num_train_epochs=config.epochs,
        max_steps=total or -1,
        learning_rate=config.learning_rate,
        lr_scheduler_type="cosine",
        warmup_steps=config.warmup_ratio,  # a ratio below 1 (transformers 5)
        weight_decay=0.0,
        max_grad_norm=1.0,
        logging_steps=1,
        eval_strategy="steps",
        eval_steps=config.eval_every,
        save_strategy="steps",
        save_steps=config.eval_every,
        save_total_limit=2,
        load_best_model_at_end=True,
        metric_for_best_model="eval_loss",
        greater_is_better=False,
        bf16=cuda and torch.cuda.is_bf16_supported(),
        fp16=cuda and not torch.cuda.is_bf16_supported(),
        gradient_checkpointing=cuda,  # saves GPU memory; on a CPU it only costs time
        use_cpu=not cuda,
        completion_only_loss=True,
        seed=config.seed,
        data_seed=config.seed,
        report_to=[],
        disable_tqdm=True,
        dataloader_num_workers=0,
        save_only_model=False,
    )


def _write_config(out: Path, config: ToneConfig, preset_name: str, max_len: int, total: int | None) -> None:
    record = {**asdict(config), "preset": preset_name, "max_seq_len": max_len, "total_steps": total}
    (out / "tone_config.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")


def train(config: ToneConfig, cancel: threading.Event | None = None) -> Iterator[ToneEvent]:
    """Tune, reporting as it goes. The best adapter (lowest validation loss) is saved to `out_dir/adapter`;
    checkpoints to resume from are in `out_dir/checkpoints`.

    :raises ToneDataError: for unusable data (see `finetune.tone.data`).
    :raises ToneTrainingError: `err.tone_oom` with the preset to choose instead; `err.tone_base_missing`.
    """
    from datasets import Dataset
    from transformers import EarlyStoppingCallback, set_seed

    torch.set_num_threads(max(1, config.threads))
    set_seed(config.seed)  # before LoRA's random initialisation, so that a run is the same whatever ran before
    preset_name = choose_preset(config.preset)
    preset = PRESETS[preset_name]
    max_len = config.max_seq_len or preset.max_seq_len
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model, tokenizer, info = load_for_training(config, max_len)
    data = load_examples(
        config.data,
        lambda text: len(tokenizer(text, add_special_tokens=False)["input_ids"]),
        max_len,
        validation_fraction=config.validation_fraction,
        seed=config.seed,
    )
    per_step = (config.batch_size or preset.batch_size) * (config.grad_accum or preset.grad_accum)
    total = config.steps or max(1, math.ceil(config.epochs * len(data.train) / per_step))
    _write_config(out, config, preset_name, max_len, total)
    stop = cancel or threading.Event()
    handover = _Handover()
    deadline = time.monotonic() + config.max_minutes * 60 if config.max_minutes else None
    report = _callback(handover, stop, deadline)
    callbacks = [report]
    if config.early_stopping_patience:
        callbacks.append(EarlyStoppingCallback(config.early_stopping_patience, early_stopping_threshold=1e-4))
    trainer = _trainer_class()(
        model=model,
        args=_arguments(config, out, preset, config.steps, max_len),
        train_dataset=Dataset.from_list([as_prompt_completion(e) for e in data.train]),
        eval_dataset=Dataset.from_list([as_prompt_completion(e) for e in data.validation]),
        processing_class=tokenizer,
        callbacks=callbacks,
    )
    report.trainer_tokens = lambda: trainer.tokens_seen
    resume = latest_checkpoint(out) if config.resume else None
    step0 = int(resume.name.split("-")[-1]) if resume else 0
    yield ToneEvent(
        "start",
        step0,
        info={
            **info,
            "preset": preset_name,
            "steps": total,
            "max_seq_len": max_len,
            "train": len(data.train),
            "validation": len(data.validation),
            "template_example": render(tokenizer, data.train[0].messages),
            "device": str(next(p for p in model.parameters()).device),
            "problems": data.problems,
            "resumed_from": step0,
        },
    )

    def run() -> None:
        try:
            trainer.train(resume_from_checkpoint=str(resume) if resume else None)
            trainer.save_model(str(out / "adapter"))  # the best model, loaded back at the end
            tokenizer.save_pretrained(str(out / "adapter"))
            handover.put(None)
        except BaseException as e:  # handed to the reader, raised there
            handover.put(e)

    worker = threading.Thread(target=run, name="tone-training", daemon=True)
    worker.start()
    try:
        while (item := handover.events.get()) is not None:
            if isinstance(item, BaseException):
                _raise(item, preset_name, max_len)
            yield item
            handover.read.release()
    finally:
        handover.closed.set()
        handover.read.release()
        worker.join()
    state = trainer.state
    best = state.best_metric
    if report.stopped:
        yield ToneEvent(report.stopped, state.global_step, val_loss=best)
        return
    if state.global_step < total:
        yield ToneEvent("early_stop", state.global_step, val_loss=best)
    yield ToneEvent("done", state.global_step, val_loss=best)


def _raise(error: BaseException, preset_name: str, max_len: int) -> None:
    if isinstance(error, torch.cuda.OutOfMemoryError):
        smaller = {"gpu-24gb": "gpu-16gb", "gpu-16gb": "gpu-8gb"}.get(preset_name, "gpu-8gb")
        raise ToneTrainingError("err.tone_oom", preset=preset_name, smaller=smaller, seq=max_len) from error
    raise error
