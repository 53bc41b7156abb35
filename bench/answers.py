"""Answer benchmark: the offline assistant with the grounded-answer adapter, the same without it (the packaged base
model alone), and the excerpt-only assistant, on one seeded sample of a BEIR folder with answers. Prints figures.

    python -m bench.answers --data ../shared/eval/jsquad-dev --limit 300 --unanswerable 0.2

The sample's paragraphs are indexed once (hybrid: BM25 over the default tokens, Sudachi words + bigrams, and the
offline embedder); for a share of the questions (`--unanswerable`) the paragraph they were written for is left out,
so they become questions the documents do not answer (the refusal rate is measured on them). Each assistant is the
shipped YAML pointed at that collection.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")

# Each variant: the shipped YAML it starts from, and the (old, new) line edits made to it.
VARIANTS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "tuned": ("offline_guide", []),  # the shipped assistant: gemma3-270m + the grounded-qa adapter
    "base": ("offline_guide", [("      lora: grounded-qa", "      lora: ''")]),  # the packaged model alone
    # the same without the focus step: whole chunks in the prompt instead of the sentences nearest the question
    "unfocused": ("offline_guide", [("  - sender: focus.documents\n", "  - sender: gate.documents\n")]),
    "excerpts": ("excerpt_guide", []),  # no model: the best sentences of the retrieved chunks
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="a BEIR folder with answers.jsonl (jsquad-dev)")
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--unanswerable", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variants", default="tuned,base,excerpts")
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: the YAML's)")
    parser.add_argument("--out", help="folder for per-question CSVs")
    parser.add_argument("--lora", help="another GGUF adapter for the tuned variant (e.g. a new recipe run's)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="tokka-bench-answers-"))
    try:
        return _run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the store and the assistants written for the run


def _run(args: argparse.Namespace, work: Path) -> int:
    os.environ["TOKKA_DATA_DIR"] = os.environ.get("TOKKA_DATA_DIR") or str(work / "data")
    assistants = work / "assistants"
    assistants.mkdir()
    os.environ["TOKKA_ASSISTANTS_DIR"] = str(assistants)

    from corpus.stores import get_backend
    from pipelines import answer_eval, beir
    from pipelines.registry import ASSISTANTS_DIR, AssistantRegistry
    from pipelines.runner import AssistantRunner

    chosen = beir.answer_set(Path(args.data), args.limit, args.unanswerable, args.seed)
    collection = "bench-answers"
    backend = get_backend()
    backend.delete_collection(collection)
    started = time.perf_counter()
    beir.index_beir_corpus(chosen.corpus, collection, "offline")
    print(
        f"indexed {len(chosen.corpus)} paragraphs in {time.perf_counter() - started:.1f}s; "
        f"{len(chosen.questions)} questions, {sum(not q.answerable for q in chosen.questions)} unanswerable"
    )
    for name in args.variants.split(","):
        source, edits = VARIANTS[name]
        text = (ASSISTANTS_DIR / f"{source}.yaml").read_text(encoding="utf-8").replace("samples", collection)
        for old, new in edits:
            text = text.replace(old, new)
        if args.lora and name in ("tuned", "unfocused"):
            text = text.replace("      lora: grounded-qa", f"      lora: {Path(args.lora).resolve()}")
        if args.threads:
            text = text.replace("n_threads: 2", f"n_threads: {args.threads}").replace(
                "n_threads: 1", f"n_threads: {args.threads}"
            )
        (assistants / f"bench_{name}.yaml").write_text(text, encoding="utf-8")
    registry, reports = AssistantRegistry(), []
    runner = AssistantRunner(registry)
    for name in args.variants.split(","):
        rows = []
        for row in answer_eval.evaluate_answers(
            chosen.questions, lambda q, n=name: runner.ask(f"bench_{n}", q), lambda a, b: a == b
        ):
            rows.append(row)
            if len(rows) % 25 == 0:
                print(f"  {name}: {len(rows)}/{len(chosen.questions)}", file=sys.stderr, flush=True)
        reports.append(answer_eval.AnswerReport(name, rows))
        if args.out:
            Path(args.out).mkdir(parents=True, exist_ok=True)
            answer_eval.rows_frame([reports[-1]]).to_csv(Path(args.out) / f"{name}.csv", index=False)
    print("\n" + " | ".join(["variant", *answer_eval.METRICS]))
    for summary in answer_eval.summary_rows(reports):
        print(" | ".join([summary["assistant"], *(str(summary[k]) for k in answer_eval.METRICS)]))
    backend.delete_collection(collection)
    return 0


if __name__ == "__main__":
    sys.exit(main())
