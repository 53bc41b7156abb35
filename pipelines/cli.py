"""`python -m pipelines`: list, validate and run assistants from the command line.

python -m pipelines list                          every assistant, its generator, model and status
python -m pipelines validate [FILE...]            check files (default: all); exit 1 with the messages on errors
python -m pipelines run ASSISTANT "質問"           print the answer (streamed), the sources and the timings
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipelines.registry import AssistantRegistry
from pipelines.validation import validate_file
from tokka.cli import run
from tokka.locales import t

BEIR_COLLECTION = "beir-evaluation"  # temporary: made for one evaluation run, removed after it (unless --keep)


def cmd_list(args: argparse.Namespace) -> int:
    """One line per assistant, then its issues."""
    registry = AssistantRegistry()
    for assistant in registry.assistants():
        state = t("cli.ok", args.lang) if assistant.ok else t("cli.broken", args.lang)
        print(
            f"{assistant.id}\t{assistant.name}\t{assistant.generator or '-'}:{assistant.model or '-'}\t"
            f"{assistant.collection or '-'}\t{state}"
        )
        for message in assistant.messages(args.lang):
            print(f"    {message}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate files. Errors (the file is wrong) make the exit code 1; warnings (Ollama unreachable, a collection
    or model not there yet: the state of this machine, not the file) do so only with `--strict`."""
    files = [Path(f) for f in args.files] or sorted(AssistantRegistry().directory.glob("*.yaml"))
    failed = False
    for path in files:
        issues = validate_file(path)
        errors = [i for i in issues if i.severity == "error"]
        warnings = [i for i in issues if i.severity != "error"]
        failed = failed or bool(errors) or (args.strict and bool(warnings))
        if errors:
            state = t("cli.broken", args.lang)
        elif warnings:
            state = t("cli.ok_with_warnings", args.lang, n=len(warnings))
        else:
            state = t("cli.ok", args.lang)
        print(f"{path.name}: {state}")
        for issue in issues:
            mark = t("cli.error_mark", args.lang) if issue.severity == "error" else t("cli.warning_mark", args.lang)
            print(f"  {mark} {issue.message(args.lang, path.name)}")
    return 1 if failed else 0


def cmd_run(args: argparse.Namespace) -> int:
    """Ask one question; stream the answer, then print sources and timings."""
    from pipelines.runner import AssistantRunner

    runner = AssistantRunner()
    streamed: list[str] = []

    def show(piece: str) -> None:
        streamed.append(piece)
        print(piece, end="", flush=True)

    result = runner.ask(args.assistant, args.question, on_token=show, lang=args.lang)
    if not streamed and result.answer:  # answers made without a model (excerpts, "not found") are not streamed
        print(result.answer, end="")
    print()
    if result.error:
        print(result.error, file=sys.stderr)
    if result.notice:
        print(result.notice)
    print(f"\n{t('cli.sources', args.lang)} ({result.mode}, {' / '.join(result.query_tokens)})")
    for source in result.sources:
        mark = "*" if source["cited"] else " "
        name = source["source"] if "://" in source["source"] else Path(source["source"]).name
        print(f" {mark}[{source['number']}] {name} — {source['title']}  fused={source['fused_score']:.3f}")
    timings = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    print(f"\n{t('cli.timings', args.lang)}: {timings}")
    return 1 if result.error else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Retrieval quality of an assistant on a question sheet, or on a BEIR-layout folder."""
    from pipelines import evaluation

    registry = AssistantRegistry()
    pipeline = registry.pipeline(args.assistant)
    if args.beir:
        return _evaluate_beir(args, pipeline)
    questions = evaluation.load_questions(args.questions)
    answer = None
    if args.answers:
        from pipelines.runner import AssistantRunner

        runner = AssistantRunner(registry)

        def answer(question: str) -> str:
            return runner.ask(args.assistant, question, lang=args.lang).answer

    results = []
    for result in evaluation.evaluate(args.assistant, pipeline, questions, args.k, answer):
        results.append(result)
        mark = f"#{result.rank}" if result.rank else "--"
        print(f"{mark:>4}  {result.question}  →  {' | '.join(Path(s).name for s in result.retrieved[:3])}")
    report = evaluation.EvaluationReport(args.assistant, args.k, results)
    print(
        t(
            "cli.eval_summary",
            args.lang,
            n=len(results),
            k=args.k,
            recall=f"{report.recall:.3f}",
            mrr=f"{report.mrr:.3f}",
        )
    )
    if report.keyword_rate is not None:
        print(t("cli.eval_keywords", args.lang, rate=f"{report.keyword_rate:.3f}"))
    if args.out:
        evaluation.report_frame([report]).to_csv(args.out, index=False, encoding="utf-8-sig")
    return 0


def _beir_pipeline(pipeline: Any, collection: str) -> Any:
    """The assistant pointed at the temporary collection (every component that has one)."""
    for _, component in pipeline.walk():
        if hasattr(component, "collection"):
            component.collection = collection
    return pipeline


def _evaluate_beir(args: argparse.Namespace, pipeline: Any) -> int:
    """Index the folder's corpus into a temporary collection and run its queries with the assistant's retriever."""
    from corpus.stores import get_backend
    from pipelines import beir, evaluation

    if args.answers:
        return _evaluate_beir_answers(args, pipeline)
    corpus, queries, qrels = beir.read_beir(Path(args.beir), args.query_prefix)
    if args.limit:
        queries = queries[: args.limit]
    backend = get_backend()
    backend.delete_collection(BEIR_COLLECTION)
    try:
        print(t("cli.eval_indexing", args.lang, n=len(corpus)), flush=True)
        beir.index_beir_corpus(corpus, BEIR_COLLECTION, args.embedder)
        retrieve = evaluation.retriever_of(_beir_pipeline(pipeline, BEIR_COLLECTION))
        run_lines, reciprocal, hits = [], 0.0, 0
        for query in queries:
            ranked = evaluation._ranked_sources(retrieve(query["text"], max(args.k * 4, 20)))[: args.k]
            relevant = qrels[query["id"]]
            rank = next((i for i, s in enumerate(ranked, start=1) if s in relevant), None)
            reciprocal += 1.0 / rank if rank else 0.0
            hits += 1 if rank else 0
            run_lines += [f"{query['id']}\t{s}\t{i}\t{1.0 / i:.6f}" for i, s in enumerate(ranked, start=1)]
        n = max(len(queries), 1)
        print(
            t(
                "cli.eval_summary",
                args.lang,
                n=len(queries),
                k=args.k,
                recall=f"{hits / n:.3f}",
                mrr=f"{reciprocal / n:.3f}",
            )
        )
        if args.run:
            Path(args.run).write_text("\n".join(run_lines) + "\n", encoding="utf-8")
    finally:
        if not args.keep:
            backend.delete_collection(BEIR_COLLECTION)
    return 0


def _evaluate_beir_answers(args: argparse.Namespace, pipeline: Any) -> int:
    """Answer a seeded sample of the folder's questions with the whole assistant and print the answer metrics.
    Ctrl-C stops asking and reports the questions answered so far."""
    from corpus.stores import get_backend
    from pipelines import answer_eval, beir
    from pipelines.runner import AssistantRunner

    chosen = beir.answer_set(Path(args.beir), args.limit or 300, args.unanswerable, args.seed, args.query_prefix)
    backend = get_backend()
    backend.delete_collection(BEIR_COLLECTION)
    rows: list[answer_eval.AnswerRow] = []
    try:
        print(t("cli.eval_indexing", args.lang, n=len(chosen.corpus)), flush=True)
        beir.index_beir_corpus(chosen.corpus, BEIR_COLLECTION, args.embedder)
        runner, target = AssistantRunner(), _beir_pipeline(pipeline, BEIR_COLLECTION)

        def ask(question: str) -> Any:
            return runner.run_pipeline(target, question, lang=args.lang)

        total = len(chosen.questions)
        try:
            for row in answer_eval.evaluate_answers(chosen.questions, ask, lambda a, b: a == b):
                rows.append(row)
                gold = "; ".join(row.question.answers) or "—"
                mark = "✓" if row.exact else ("△" if row.f1 > 0 else ("∅" if row.refused else "✗"))
                line = row.answer.replace("\n", " ")[:60]
                print(f"[{len(rows)}/{total}] {mark} {row.seconds:5.2f}s  {line}  ← {gold}", flush=True)
        except KeyboardInterrupt:
            print(t("cli.eval_interrupted", args.lang, n=len(rows), total=total), file=sys.stderr)
    finally:
        if not args.keep:
            backend.delete_collection(BEIR_COLLECTION)
    report = answer_eval.AnswerReport(args.assistant, rows)
    (summary,) = answer_eval.summary_rows([report])
    print(t("cli.eval_answers", args.lang, left_out=len(chosen.left_out)))
    for key, value in summary.items():
        print(f"  {key:20s} {value}")
    if args.out:
        answer_eval.rows_frame([report]).to_csv(args.out, index=False, encoding="utf-8-sig")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m pipelines", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lang", choices=["ja", "en"], default=None)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list assistants").set_defaults(func=cmd_list)
    validate = sub.add_parser("validate", help="check assistant YAML files")
    validate.add_argument("files", nargs="*")
    validate.add_argument(
        "--strict", action="store_true", help="also fail on warnings (Ollama unreachable, collection not created yet)"
    )
    validate.set_defaults(func=cmd_validate)
    run = sub.add_parser("run", help="ask an assistant a question")
    run.add_argument("assistant", help="the file name without .yaml, e.g. school_guide")
    run.add_argument("question")
    run.set_defaults(func=cmd_run)
    evaluate = sub.add_parser("evaluate", help="retrieval quality on a question sheet or a BEIR folder")
    evaluate.add_argument("assistant")
    source = evaluate.add_mutually_exclusive_group(required=True)
    source.add_argument("--questions", help="CSV/XLSX: question, expected source, optional keywords")
    source.add_argument("--beir", help="a BEIR-layout folder (corpus.jsonl, queries.jsonl, qrels.tsv)")
    evaluate.add_argument("--k", type=int, default=5, help="recall@k and MRR@k")
    evaluate.add_argument(
        "--answers",
        action="store_true",
        help="also answer every question with the whole assistant (sheet: keyword hits; BEIR: answer metrics)",
    )
    evaluate.add_argument("--out", help="write per-question results as CSV")
    evaluate.add_argument("--query-prefix", default="", help="BEIR: only queries whose id starts with this")
    evaluate.add_argument(
        "--limit", type=int, default=0, help="BEIR: at most this many queries (with --answers: a seeded sample, 300)"
    )
    evaluate.add_argument(
        "--unanswerable",
        type=float,
        default=0.0,
        help="BEIR --answers: leave the paragraphs of this share of the questions out of the index (refusal rate)",
    )
    evaluate.add_argument("--seed", type=int, default=0, help="BEIR --answers: which questions are sampled")
    evaluate.add_argument("--embedder", default="none", help="BEIR: none, offline, ollama or auto")
    evaluate.add_argument("--run", help="BEIR: write a run file for shared/eval/evaluate.py")
    evaluate.add_argument("--keep", action="store_true", help="BEIR: keep the temporary collection")
    evaluate.set_defaults(func=cmd_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    return run(build_parser(), argv)
