"""Check an exported GGUF in llama.cpp against the model it came from: same tokens for the same text, and the same
next-token logits, on a few Japanese prompts. The report is shown to the user after every export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

PROMPTS = ("モノづくり塾は、", "3Dプリンターを使うときは", "工房の開館時間は平日の午後4時から", "Hello 工房 123")


@dataclass
class PromptCheck:
    """One prompt: token ids in both, and the largest logit difference at the last position."""

    prompt: str
    reference_tokens: list[int]
    gguf_tokens: list[int]
    max_logit_diff: float
    same_top1: bool

    @property
    def same_tokens(self) -> bool:
        """Tokenisation matches."""
        return self.reference_tokens == self.gguf_tokens


@dataclass
class VerifyReport:
    """All prompts. `ok` when tokenisation matches everywhere and logits are within `tolerance`."""

    checks: list[PromptCheck] = field(default_factory=list)
    tolerance: float = 0.05

    @property
    def max_logit_diff(self) -> float:
        """The worst difference over all prompts."""
        return max((c.max_logit_diff for c in self.checks), default=0.0)

    @property
    def ok(self) -> bool:
        """Everything matches."""
        return (
            bool(self.checks)
            and all(c.same_tokens and c.same_top1 for c in self.checks)
            and (self.max_logit_diff <= self.tolerance)
        )


def verify_gguf(
    gguf_path: Path,
    reference_tokens: Callable[[str], list[int]],
    reference_logits: Callable[[list[int]], np.ndarray],
    prompts: tuple[str, ...] = PROMPTS,
    tolerance: float = 0.05,
) -> VerifyReport:
    """Load the GGUF with llama.cpp and compare it with the reference (HF/PyTorch) model.

    :param reference_tokens: text → token ids with BOS, as the original tokenizer gives them.
    :param reference_logits: token ids → the logits of the last position.
    """
    from llama_cpp import Llama

    from pipelines.components.generators import _patch_detokenize

    _patch_detokenize()
    llm = Llama(
        model_path=str(gguf_path), n_ctx=256, n_threads=1, logits_all=True, verbose=False, type_k=0, type_v=0
    )  # f32 KV cache: no rounding between the two
    report = VerifyReport(tolerance=tolerance)
    try:
        for prompt in prompts:
            expected = reference_tokens(prompt)
            got = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
            llm.reset()
            llm.eval(expected)
            gguf_logits = np.asarray(llm.scores[len(expected) - 1], dtype=np.float32)
            ref = np.asarray(reference_logits(expected), dtype=np.float32)
            report.checks.append(
                PromptCheck(
                    prompt,
                    expected,
                    list(got),
                    float(np.abs(gguf_logits - ref).max()),
                    int(gguf_logits.argmax()) == int(ref.argmax()),
                )
            )
    finally:
        llm.close()
    return report


@dataclass
class AdapterCheck:
    """One prompt: does llama.cpp, applying the GGUF adapter at load, give what the PyTorch model gives?"""

    prompt: str
    same_tokens: bool
    top1_rank: int  # rank, in PyTorch's tuned logits, of the token llama.cpp ranks first (0: the same)
    max_logit_diff: float
    effect_correlation: float  # of (tuned − base) logits in llama.cpp and in PyTorch: is the adapter applied the same?

    @property
    def same_top1(self) -> bool:
        """Both pick the same next token."""
        return self.top1_rank == 0


@dataclass
class AdapterReport:
    """All prompts. `ok` when tokens match, the adapter's effect correlates ≥ 0.9, and llama.cpp's next token is
    PyTorch's (on a quantised base, among PyTorch's first `top1_slack` + 1: near-ties can swap)."""

    checks: list[AdapterCheck] = field(default_factory=list)
    min_correlation: float = 0.9
    top1_slack: int = 0

    @property
    def ok(self) -> bool:
        """Everything matches."""
        return bool(self.checks) and all(
            c.same_tokens and c.top1_rank <= self.top1_slack and c.effect_correlation >= self.min_correlation
            for c in self.checks
        )

    @property
    def max_logit_diff(self) -> float:
        """The worst tuned-logit difference over all prompts (the base GGUF may be quantised: not zero)."""
        return max((c.max_logit_diff for c in self.checks), default=0.0)


def verify_adapter(
    base_gguf: Path,
    adapter_gguf: Path,
    reference_tokens: Callable[[str], list[int]],
    base_logits: Callable[[list[int]], np.ndarray],
    tuned_logits: Callable[[list[int]], np.ndarray],
    prompts: tuple[str, ...],
    quantised_base: bool = False,
) -> AdapterReport:
    """Load the base GGUF in llama.cpp without and with the LoRA adapter and compare both with PyTorch.

    A quantised base (the packaged Q4_K_M) differs from its dequantised PyTorch copy by about a logit, so the check
    is on what the adapter does: the same top-1 token, and the change it makes to the logits pointing the same way.
    """
    from llama_cpp import Llama

    from pipelines.components.generators import _patch_detokenize

    _patch_detokenize()
    options = {"n_ctx": 2048, "n_threads": 1, "logits_all": True, "verbose": False, "type_k": 0, "type_v": 0}
    plain = Llama(model_path=str(base_gguf), **options)
    tuned = Llama(model_path=str(base_gguf), lora_path=str(adapter_gguf), **options)
    report = AdapterReport(top1_slack=2 if quantised_base else 0)
    try:
        for prompt in prompts:
            expected = reference_tokens(prompt)
            got = plain.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
            scores = []
            for llm in (plain, tuned):
                llm.reset()
                llm.eval(expected)
                scores.append(np.asarray(llm.scores[len(expected) - 1], dtype=np.float32))
            ref_base = np.asarray(base_logits(expected), dtype=np.float32)
            ref_tuned = np.asarray(tuned_logits(expected), dtype=np.float32)
            effect = np.corrcoef(scores[1] - scores[0], ref_tuned - ref_base)[0, 1]
            report.checks.append(
                AdapterCheck(
                    prompt,
                    list(got) == list(expected),
                    int((ref_tuned > ref_tuned[int(scores[1].argmax())]).sum()),
                    float(np.abs(scores[1] - ref_tuned).max()),
                    float(effect),
                )
            )
    finally:
        plain.close()
        tuned.close()
    return report
