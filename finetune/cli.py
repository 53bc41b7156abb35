"""`python -m finetune`: train a small language model from scratch on a collection, and export it.

python -m finetune scratch --collection samples --preset cpu-tiny --steps 300 --out data/scratch/demo
python -m finetune scratch --out data/scratch/demo --steps 600 --resume        (continue a run)
python -m finetune export-scratch data/scratch/demo --name juku-tiny [--outtype f32|f16|q8_0] [--no-ollama]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from corpus.errors import CorpusError
from tokka.locales import t
from tokka.settings import get_settings


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


def cmd_export_scratch(args: argparse.Namespace) -> int:
    """Export a run to GGUF, verify it, write the Modelfile and register it in Ollama when reachable."""
    from finetune.scratch.export import export_run

    result = export_run(Path(args.run), args.name, args.outtype, ollama=not args.no_ollama)
    print(t("cli.export_files", args.lang, hf=result.hf_dir, gguf=result.gguf, modelfile=result.modelfile))
    for check in result.report.checks:
        print(
            f"  {'OK' if check.same_tokens and check.same_top1 else 'NG'}  {check.prompt}  "
            f"tokens={'=' if check.same_tokens else '≠'}  max|Δlogit|={check.max_logit_diff:.4f}"
        )
    print(
        t(
            "cli.export_verified" if result.report.ok else "cli.export_mismatch",
            args.lang,
            diff=f"{result.report.max_logit_diff:.4f}",
        )
    )
    if result.registration is not None:
        if result.registration.registered:
            print(t("cli.ollama_registered", args.lang, name=args.name))
        else:
            print(t("cli.ollama_manual", args.lang, commands=result.registration.commands))
    print(t("cli.local_model", args.lang, name=result.local_model))
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
    export = sub.add_parser("export-scratch", help="export a from-scratch run to GGUF (+ Modelfile, Ollama)")
    export.add_argument("run", help="the run folder")
    export.add_argument("--name", required=True, help="model name (lower-case letters, digits, . _ -)")
    export.add_argument("--outtype", default="f32", choices=["f32", "f16", "q8_0"])
    export.add_argument("--no-ollama", action="store_true", help="do not try to register in Ollama")
    export.set_defaults(func=cmd_export_scratch)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = build_parser().parse_args(argv)
    args.lang = args.lang or get_settings().language
    try:
        return args.func(args)
    except CorpusError as e:
        print(e.message(args.lang), file=sys.stderr)
        return 2
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return 2
