"""One QLoRA run on an NVIDIA GPU through Unsloth (the production path), on a small model made locally: prints
training tokens/s and peak GPU memory. For a machine with a GPU and `requirements-gpu.txt` installed (no internet
needed); on a CPU it runs the PEFT path instead and says so.

    python -m bench.tone_gpu [--steps 60] [--dim 512 --layers 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--layers", type=int, default=8)
    args = parser.parse_args(argv)
    import json

    import torch

    from finetune.export.hf import save_hf_folder
    from finetune.scratch.model import Llama, LlamaConfig
    from finetune.scratch.tokenizer import Tokenizer, train_tokenizer
    from finetune.tone.train import ToneConfig, train

    work = Path(tempfile.mkdtemp(prefix="tokka-tone-gpu-"))
    lines = [f"質問{i}: 工房の開館時間は？ はい！工房は平日の午後4時から9時まで開いていますよ。" for i in range(400)]
    tokenizer = Tokenizer(train_tokenizer(lines, work / "tok", vocab_size=2000))
    model = Llama(
        LlamaConfig(
            vocab_size=tokenizer.vocab_size,
            dim=args.dim,
            n_layers=args.layers,
            n_heads=8,
            n_kv_heads=4,
            ffn_dim=args.dim * 8 // 3 // 64 * 64,
            max_seq_len=512,
        )
    )
    base = save_hf_folder(model, tokenizer.path, work / "base")
    data = work / "examples.jsonl"
    data.write_text(
        "\n".join(
            json.dumps(
                {"instruction": f"質問{i}: 工房は何時まで？", "output": f"はい！午後9時までですよ。({i})"},
                ensure_ascii=False,
            )
            for i in range(200)
        ),
        encoding="utf-8",
    )
    config = ToneConfig(base=str(base), data=str(data), out_dir=str(work / "run"), steps=args.steps, eval_every=20)
    speeds, memory = [], None
    for event in train(config):
        if event.kind == "start":
            gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "-"
            info = event.info
            print(
                f"backend {info['backend']}, 4-bit {info['four_bit']}, preset {info['preset']}, "
                f"device {info['device']}, GPU {gpu}"
            )
        elif event.kind == "step":
            speeds.append(event.tokens_per_second)
            memory = event.gpu_memory_gb
        elif event.kind == "eval":
            print(f"step {event.step}: loss {event.loss:.3f}, validation {event.val_loss:.3f}")
    print(f"training tokens/s: median {statistics.median(speeds[1:] or speeds):,.0f}")
    print(f"peak GPU memory: {memory:.2f} GB" if memory is not None else "peak GPU memory: - (no GPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
