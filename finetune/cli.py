"""`python -m finetune`: tone-tune a chat model, train a small language model from scratch, export either.

python -m finetune scratch --collection samples --preset cpu-tiny --steps 300 --out data/scratch/demo
python -m finetune scratch --out data/scratch/demo --steps 600 --resume        (continue a run)
python -m finetune export-scratch data/scratch/demo --name juku-tiny [--outtype f32|f16|q8_0] [--no-ollama]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tokka.cli import run
from tokka.locales import t


def cmd_scratch(args: argparse.Namespace) -> int:
    """Train (or resume) and print progress."""
    from finetune.scratch.data import collection_texts
    from finetune.scratch.train import TrainConfig, parameter_count, train

    texts = None if args.resume else collection_texts(args.collection)
    if not args.resume:
        print(t("cli.scratch_params", args.lang, preset=args.preset, n=f"{parameter_count(args.preset):,}"))
    config = TrainConfig(
        out_dir=args.out,
        preset=args.preset,
        steps=args.steps,
        threads=args.threads,
        eval_every=args.eval_every,
        sample_every=args.sample_every,
        resume=args.resume,
        batch_size=args.batch_size,
        device=args.device,
    )
    try:
        for event in train(config, texts):
            if event.kind == "step" and (event.step % args.log_every == 0 or event.step == 1):
                print(
                    f"step {event.step:5d}  loss {event.loss:.3f}  lr {event.learning_rate:.2e}  "
                    f"{event.tokens_per_second:,.0f} tok/s",
                    flush=True,
                )
            elif event.kind == "eval":
                print(f"step {event.step:5d}  val_loss {event.val_loss:.3f}", flush=True)
            elif event.kind == "sample":
                print(f"sample @ {event.step}: {event.text}", flush=True)
            elif event.kind == "start":
                print(t("cli.scratch_start", args.lang, **event.info), flush=True)
            elif event.kind == "done":
                print(
                    t(
                        "cli.scratch_done",
                        args.lang,
                        out=args.out,
                        val=f"{event.val_loss:.3f}" if event.val_loss is not None else "-",
                    )
                )
    except KeyboardInterrupt:
        print(t("cli.scratch_interrupted", args.lang, out=args.out), file=sys.stderr)
        return 130
    return 0


def cmd_tone(args: argparse.Namespace) -> int:
    """Tone-tune a base model on example texts and print progress."""
    from finetune.tone.bases import PACKAGED_BASE, resolve_base
    from finetune.tone.train import ToneConfig, train

    base = args.base
    if base == PACKAGED_BASE:  # the packaged Gemma 3 270M, converted to a Hugging Face folder once
        base = str(resolve_base(base, lambda note: print(note, file=sys.stderr)))
    config = ToneConfig(
        base=base,
        data=args.data,
        out_dir=args.out,
        preset=args.preset,
        lora_rank=args.rank,
        lora_alpha=args.alpha,
        max_seq_len=args.max_seq_len,
        epochs=args.epochs,
        steps=args.steps,
        learning_rate=args.lr,
        eval_every=args.eval_every,
        early_stopping_patience=args.patience,
        load_in_4bit=not args.no_4bit,
        threads=args.threads,
        resume=args.resume,
    )
    try:
        for event in train(config):
            if event.kind == "start":
                info = event.info
                print(
                    t(
                        "cli.tone_start",
                        args.lang,
                        backend=info["backend"],
                        four_bit=info["four_bit"],
                        trainable=f"{info['trainable']:,}",
                        preset=info["preset"],
                        steps=info["steps"],
                        train=info["train"],
                        validation=info["validation"],
                    )
                )
                for key, params in info["problems"]:
                    print("  " + t(key, args.lang, **params))
                print(t("cli.tone_template", args.lang) + "\n" + info["template_example"])
            elif event.kind == "step":
                memory = f"  GPU {event.gpu_memory_gb:.1f} GB" if event.gpu_memory_gb is not None else ""
                print(f"step {event.step:5d}  loss {event.loss:.4f}  lr {event.learning_rate:.2e}{memory}", flush=True)
            elif event.kind == "eval":
                print(f"step {event.step:5d}  val_loss {event.val_loss:.4f}", flush=True)
            elif event.kind == "early_stop":
                print(t("cli.tone_early_stop", args.lang, step=event.step, val=f"{event.val_loss:.4f}"))
            elif event.kind == "done":
                print(t("cli.tone_done", args.lang, out=args.out))
    except KeyboardInterrupt:
        print(t("cli.scratch_interrupted", args.lang, out=args.out), file=sys.stderr)
        return 130
    return 0


def cmd_recipe(args: argparse.Namespace) -> int:
    """Build a recipe's data, tune the packaged model on it, export and verify the GGUF adapter."""
    import shutil

    from finetune.recipes.grounded_qa import ADAPTER_FILE, RecipeData, RecipeRun, train_recipe
    from finetune.tone.train import ToneEvent
    from pipelines.local_models import ADAPTERS_DIR

    def report(item: object) -> None:
        if isinstance(item, ToneEvent):
            if item.kind == "step":
                speed = f"  {item.tokens_per_second:.0f} tok/s" if item.tokens_per_second else ""
                print(f"step {item.step:5d}  loss {item.loss:.4f}{speed}", flush=True)
            elif item.kind == "eval":
                print(f"step {item.step:5d}  val_loss {item.val_loss:.4f}", flush=True)
            elif item.kind in ("start", "done", "time_up", "early_stop"):
                steps = item.info.get("steps", "") if item.kind == "start" else ""
                print(f"{item.kind} {item.step} {steps}", flush=True)
        else:
            print(item, flush=True)

    data = RecipeData(
        Path(args.questions),
        Path(args.corpus),
        examples=args.examples,
        unanswerable=args.unanswerable,
        focus_chars=args.focus_chars,
        hard_share=args.hard_share,
        seed=args.seed,
    )
    run = RecipeRun(Path(args.out), minutes=args.minutes, threads=args.threads, learning_rate=args.lr, seed=args.seed)
    result = train_recipe(data, run, report)
    slack = result.report.top1_slack
    for check in result.report.checks:
        good = check.same_tokens and check.top1_rank <= slack and check.effect_correlation >= 0.9
        print(
            f"  {'OK' if good else 'NG'}  tokens={'=' if check.same_tokens else '≠'}"
            f"  llama.cpp's next token is PyTorch's #{check.top1_rank + 1}  effect r={check.effect_correlation:.3f}"
            f"  max|Δlogit|={check.max_logit_diff:.3f}"
        )
    print(t("cli.adapter_verified" if result.report.ok else "cli.adapter_mismatch", args.lang, path=result.gguf))
    if args.install and result.report.ok:
        shutil.copyfile(result.gguf, ADAPTERS_DIR / ADAPTER_FILE)
        print(t("cli.adapter_installed", args.lang, path=ADAPTERS_DIR / ADAPTER_FILE))
    return 0 if result.report.ok else 1


def _print_report(args: argparse.Namespace, report, registration, local_model: str, name: str) -> None:
    for check in report.checks:
        prompt = check.prompt.replace("\n", " ")[:40]
        print(
            f"  {'OK' if check.same_tokens and check.same_top1 else 'NG'}  {prompt}  "
            f"tokens={'=' if check.same_tokens else '≠'}  max|Δlogit|={check.max_logit_diff:.4f}"
        )
    print(
        t("cli.export_verified" if report.ok else "cli.export_mismatch", args.lang, diff=f"{report.max_logit_diff:.4f}")
    )
    if registration is not None:
        if registration.registered:
            print(t("cli.ollama_registered", args.lang, name=name))
        else:
            print(t("cli.ollama_manual", args.lang, commands=registration.commands))
    print(t("cli.local_model", args.lang, name=local_model))


def cmd_export(args: argparse.Namespace) -> int:
    """Export a run folder: a tone-tuning run (merge → GGUF) or a from-scratch run (HF folder → GGUF)."""
    run = Path(args.run)
    name = args.ollama_name or "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in run.name.lower())
    if (run / "tone_config.json").is_file():
        if not args.gguf:
            import json

            from finetune.tone.export import merge_adapter

            base = json.loads((run / "tone_config.json").read_text(encoding="utf-8"))["base"]
            merge_adapter(base, run / "adapter", run / "export" / "merged")
            print(t("cli.merged_only", args.lang, folder=run / "export" / "merged"))
            return 0
        from finetune.tone.export import export_tuned

        result = export_tuned(run, name, args.quant, ollama=not args.no_ollama)
        print(t("cli.export_files", args.lang, hf=result.merged_dir, gguf=result.gguf, modelfile=result.modelfile))
    else:
        if not args.gguf:
            from finetune.export.hf import save_hf_folder
            from finetune.scratch.train import load_model

            model, tokenizer, _ = load_model(run)
            folder = save_hf_folder(model, tokenizer.path, run / "export" / "hf")
            print(t("cli.merged_only", args.lang, folder=folder))
            return 0
        from finetune.scratch.export import export_run

        result = export_run(run, name, args.quant or "f32", ollama=not args.no_ollama)
        print(t("cli.export_files", args.lang, hf=result.hf_dir, gguf=result.gguf, modelfile=result.modelfile))
    _print_report(args, result.report, result.registration, result.local_model, name)
    return 0 if result.report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m finetune", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lang", choices=["ja", "en"], default=None)
    sub = parser.add_subparsers(dest="command", required=True)
    scratch = sub.add_parser("scratch", help="train a small language model from scratch on a collection")
    scratch.add_argument("--collection", "-c", default="samples")
    scratch.add_argument("--preset", default="cpu-tiny", choices=["cpu-tiny", "cpu-small", "gpu-medium"])
    scratch.add_argument("--steps", type=int, default=300)
    scratch.add_argument("--out", required=True, help="run folder (tokenizer, tokens, checkpoint, export)")
    scratch.add_argument("--resume", action="store_true", help="continue from the run folder's checkpoint")
    scratch.add_argument("--threads", type=int, default=1, help="CPU threads (1 is safest on 2-core machines)")
    scratch.add_argument("--batch-size", type=int, default=None)
    scratch.add_argument("--eval-every", type=int, default=50)
    scratch.add_argument("--sample-every", type=int, default=100)
    scratch.add_argument("--log-every", type=int, default=10)
    scratch.add_argument("--device", default="auto", help="auto, cpu or cuda")
    scratch.set_defaults(func=cmd_scratch)
    tone = sub.add_parser("tone", help="tone-tune a chat model on example texts (LoRA / QLoRA)")
    tone.add_argument("--data", required=True, help="CSV / XLSX / JSONL: instruction (+ input) → output, or messages")
    tone.add_argument(
        "--base", required=True, help="gemma3-270m (the packaged model) or a local Hugging Face model folder"
    )
    tone.add_argument("--out", required=True, help="run folder (adapter, checkpoint, export)")
    tone.add_argument(
        "--preset",
        default="auto",
        choices=["auto", "gpu-8gb", "gpu-16gb", "gpu-24gb", "cpu"],
        help="batch size / accumulation / length by GPU memory (auto picks)",
    )
    tone.add_argument("--steps", type=int, default=None, help="training steps (overrides --epochs)")
    tone.add_argument("--epochs", type=float, default=1.0)
    tone.add_argument("--rank", type=int, default=16, help="LoRA rank")
    tone.add_argument("--alpha", type=int, default=32, help="LoRA alpha")
    tone.add_argument("--lr", type=float, default=2e-4)
    tone.add_argument("--max-seq-len", type=int, default=None)
    tone.add_argument("--eval-every", type=int, default=10)
    tone.add_argument("--patience", type=int, default=3, help="early stopping after this many worse evaluations")
    tone.add_argument("--no-4bit", action="store_true", help="train on a 16-bit base instead of 4-bit (QLoRA)")
    tone.add_argument("--threads", type=int, default=1)
    tone.add_argument("--resume", action="store_true")
    tone.set_defaults(func=cmd_tone)

    recipe = sub.add_parser("recipe", help="a ready-made tuning run: grounded-qa (answers from passages, cited)")
    recipe.add_argument("name", choices=["grounded-qa"])
    recipe.add_argument("--questions", required=True, help="JaQuAD-style questions (jaquad-qa/train.jsonl)")
    recipe.add_argument("--corpus", required=True, help="their paragraphs (jsquad-jaquad-large/corpus.jsonl)")
    recipe.add_argument("--out", required=True, help="run folder (data, checkpoints, adapter)")
    recipe.add_argument("--examples", type=int, default=950, help="training examples (about 3.5 s each on 2 cores)")
    recipe.add_argument(
        "--unanswerable", type=float, default=0.12, help="share of examples without the answer's passage"
    )
    recipe.add_argument(
        "--focus-chars", type=int, default=160, help="passages cut as the assistant's focus step (0: whole)"
    )
    recipe.add_argument(
        "--hard-share", type=float, default=0.5, help="share of examples whose other passages are the nearest ones"
    )
    recipe.add_argument("--minutes", type=float, default=55.0, help="stop training after this long (checkpoint)")
    recipe.add_argument("--threads", type=int, default=2)
    recipe.add_argument("--lr", type=float, default=5e-4)
    recipe.add_argument("--seed", type=int, default=0)
    recipe.add_argument("--install", action="store_true", help="copy the verified adapter into pipelines/adapters/")
    recipe.set_defaults(func=cmd_recipe)

    export = sub.add_parser("export", help="export a run (tone or from scratch): merge, GGUF, check, Modelfile")
    export.add_argument("run", help="the run folder")
    export.add_argument("--gguf", action="store_true", help="convert to GGUF (else only the merged/HF folder)")
    export.add_argument("--quant", choices=["q8_0", "f16", "f32"], default=None, help="GGUF weights (default 16-bit)")
    export.add_argument("--ollama-name", default=None, help="model name in Ollama and for the GGUF file")
    export.add_argument("--no-ollama", action="store_true", help="do not try to register in Ollama")
    export.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    return run(build_parser(), argv, plain_errors=(ValueError,))
