"""The packaged Gemma 3 270M as a Hugging Face folder, so it can be tuned: converted once from its GGUF.

transformers reads a GGUF (`from_pretrained(folder, gguf_file=…)`, with the `gguf` package) and dequantises the
Q4_K_M weights into float tensors. The loaded model is marked as quantised and refuses `save_pretrained`
(docs/models.md §5.2), so its weights are copied into a fresh model built from the same configuration, which saves
normally. The tuned LoRA adapter later applies to the original GGUF in llama.cpp: the dequantised weights are the
GGUF's own values, so what was trained is what llama.cpp runs.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from finetune.tone.bases import BaseModelError
from pipelines.local_models import resolve_gguf
from tokka.locales import t

# The conversation exactly as `LocalGGUFChatGenerator` gives it to llama.cpp's "gemma" chat format: system messages
# folded into the first user turn (Gemma has no system role), nothing trimmed, BOS first. Training on this template
# means the adapter sees at training time the very tokens it will see in the offline assistant.
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% set ns = namespace(system='', done=false) %}"
    "{% for m in messages %}{% if m['role'] == 'system' %}{% set ns.system = ns.system + m['content'] + '\\n\\n' %}"
    "{% endif %}{% endfor %}"
    "{% for m in messages %}{% if m['role'] == 'user' %}<start_of_turn>user\n"
    "{% if not ns.done %}{{ ns.system }}{% set ns.done = true %}{% endif %}{{ m['content'] }}<end_of_turn>\n"
    "{% elif m['role'] == 'assistant' %}<start_of_turn>model\n{{ m['content'] }}<end_of_turn>\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


def convert_packaged_gguf(target: Path, progress: Callable[[str], None] | None = None) -> Path:
    """Write the packaged GGUF as a Hugging Face folder into `target` (atomically: a half-written folder is never
    left behind). Takes about a minute on two cores.

    :raises BaseModelError: `err.tone_base_conversion` when transformers cannot read or save it.
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    say = progress or (lambda _message: None)
    gguf = resolve_gguf("gemma3-270m")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        say(t("ui.tone.converting", step=1))
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        tokenizer.chat_template = GEMMA_TEMPLATE
        loaded = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
        say(t("ui.tone.converting", step=2))
        config = AutoConfig.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        config.quantization_config = None
        with torch.device("meta"):
            fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        fresh.load_state_dict(loaded.state_dict(), assign=True)
        fresh.tie_weights()
        fresh.save_pretrained(str(partial), safe_serialization=True)
        tokenizer.save_pretrained(str(partial))
    except (OSError, ValueError, RuntimeError, KeyError) as e:
        shutil.rmtree(partial, ignore_errors=True)
        raise BaseModelError("err.tone_base_conversion", detail=f"{type(e).__name__}: {e}"[:300]) from e
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    say(t("ui.tone.converting", step=3))
    return target
