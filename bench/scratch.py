"""Training speed and final validation loss of the from-scratch model (prints figures; not a test).

    python -m bench.scratch                      # cpu-tiny on the sample corpus, 200 steps, one thread
    python -m bench.scratch --steps 600 --threads 2

Target on the 2-core CI machine: ≥ 3k training tokens per second on one thread.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="cpu-tiny")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--collection", default="samples", help="'samples' indexes the sample corpus first")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="tokka-bench-scratch-"))
    if args.collection == "samples":
        os.environ["TOKKA_DATA_DIR"] = str(workdir / "data")
        os.environ["TOKKA_EMBEDDER"] = "none"
    from finetune.scratch.data import collection_texts
    from finetune.scratch.train import TrainConfig, train
    from pipelines.ingest import ensure_sample_collection

    if args.collection == "samples":
        ensure_sample_collection()
    texts = collection_texts(args.collection)
    config = TrainConfig(
        out_dir=str(workdir / "run"),
        preset=args.preset,
        steps=args.steps,
        threads=args.threads,
        eval_every=max(1, args.steps // 4),
        sample_every=args.steps,
        checkpoint_every=args.steps,
    )
    speeds, val, best, started = [], None, None, time.perf_counter()
    for event in train(config, texts):
        if event.kind == "start":
            print(
                f"{args.preset}: {event.info['parameters']:,} parameters, {event.info['train_tokens']:,} training "
                f"tokens, {args.threads} thread(s)"
            )
        elif event.kind == "step":
            speeds.append(event.tokens_per_second)
        elif event.kind == "eval":
            print(f"step {event.step}: train loss {event.loss:.3f}, validation loss {event.val_loss:.3f}")
            val = event.val_loss
        elif event.kind == "done":
            best = event.val_loss
        elif event.kind == "sample":
            print(f"sample: {event.text[:80]}")
    wall = time.perf_counter() - started
    print(f"training tokens/s: median {statistics.median(speeds):,.0f} (steps only), wall {wall:.0f}s")
    print(
        f"final validation loss: {val:.3f} (best {best:.3f}; the sample corpus is a few thousand characters, so a "
        "model this size memorises it: use a larger collection to see generalisation)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
