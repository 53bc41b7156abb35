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
