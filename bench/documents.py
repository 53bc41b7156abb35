"""Document benchmark: ingestion speed without the embedder and OCR, OCR pages per second, and retrieval on the
real-document corpus (`tests/real_documents/`). Prints figures; not a test.

    python -m bench.documents [--text-mb 20] [--ocr]

1. *Ingestion*: a folder of generated Japanese text, Markdown, CSV and PDF files (about `--text-mb` MB of text) is
   ingested through the collection's indexing pipeline with embeddings off (load in the worker process → normalise →
   split → tokenise → write); prints characters per second.
2. *OCR* (`--ocr`, needs Tesseract): the scanned PDF of the real corpus, pages per second.
3. *Real documents*: the 20 files are ingested into a fresh collection and the question sheet is run with the hybrid
   retriever: recall@5 and MRR@5, and which files failed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
REAL = Path(__file__).resolve().parents[1] / "tests" / "real_documents"
SENTENCES = [
    "工房は平日の午後四時から午後九時まで開いています。",
    "レーザーカッターを使うときは、必ず講習を受けてから予約してください。",
    "3Dプリンターの材料はPLAを使い、一回の利用は最長四時間までです。",
    "保護めがねは受付で借りることができ、名前を書くだけで手続きは終わります。",
    "会費は月額三千円で、学生は半額になります。",
    "作業台の上は使い終わったら片付け、工具は元の場所に戻してください。",
]


def make_files(folder: Path, megabytes: float) -> int:
    """Text, Markdown and CSV files with varied Japanese text; returns the number of characters written."""
    rng = random.Random(0)
    written, n = 0, 0
    target = int(megabytes * 2**20 / 3)  # about 3 bytes per character in UTF-8
    while written < target:
        body = "\n".join("".join(rng.choices(SENTENCES, k=4)) + f"({n}-{i})" for i in range(200))
        kind = n % 3
        if kind == 0:
            (folder / f"doc{n}.txt").write_bytes(body.encode("cp932"))
        elif kind == 1:
            (folder / f"doc{n}.md").write_text(f"# 案内 {n}\n\n" + body.replace("\n", "\n\n"), encoding="utf-8")
        else:
            rows = "\n".join(f"{i},{line}" for i, line in enumerate(body.splitlines()))
            (folder / f"doc{n}.csv").write_text("番号,内容\n" + rows, encoding="utf-8")
        written += len(body)
        n += 1
    return written


def ingestion(megabytes: float) -> None:
    from corpus.manage import create_collection
    from pipelines.ingest import Ingestor

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        chars = make_files(folder, megabytes)
        create_collection("bench-docs", "none")
        started = time.perf_counter()
        summary = Ingestor("bench-docs").run([folder])
        seconds = time.perf_counter() - started
    print(
        f"ingestion without embedder: {chars:,} chars in {seconds:.1f}s = {chars / seconds:,.0f} chars/s "
        f"({summary.counts['added']} files)"
    )


def ocr() -> None:
    from corpus.loaders import load_file
    from corpus.loaders.ocr import tesseract

    if tesseract() is None:
        print("OCR: Tesseract is not installed (scripts/install-system-packages.sh)")
        return
    started = time.perf_counter()
    loaded = load_file(REAL / "abr-features-scan.pdf")
    seconds = time.perf_counter() - started
    pages = loaded.meta["pages"]
    print(
        f"OCR: {pages} pages in {seconds:.1f}s = {pages / seconds:.2f} pages/s (one core), {len(loaded.text):,} chars"
    )


def real_documents() -> None:
    from corpus.manage import create_collection
    from pipelines import evaluation
    from pipelines.ingest import Ingestor
    from pipelines.loading import load_pipeline_text
    from pipelines.registry import ASSISTANTS_DIR

    create_collection("bench-real", "offline")
    # the documents, not the corpus's own build script, manifest and question sheet
    files = sorted(p for p in REAL.iterdir() if p.name not in ("build.py", "MANIFEST.md", "questions.csv"))
    summary = Ingestor("bench-real").run(files)
    failed = [(Path(r.source).name, r.code) for r in summary.results if r.status not in ("added", "updated")]
    yaml_text = (ASSISTANTS_DIR / "excerpt_guide.yaml").read_text(encoding="utf-8").replace("samples", "bench-real")
    questions = evaluation.load_questions(REAL / "questions.csv")
    results = list(evaluation.evaluate("bench", load_pipeline_text(yaml_text), questions, k=5))
    report = evaluation.EvaluationReport("bench", 5, results)
    print(f"real documents: {summary.counts}; not added: {failed or 'none'}")
    print(f"real documents: recall@5 = {report.recall:.3f}, MRR@5 = {report.mrr:.3f} over {len(results)} questions")
    for result in results:
        if not result.rank:
            print(f"  missed: {result.question} → {[Path(s).name for s in result.retrieved[:3]]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--text-mb", type=float, default=20.0)
    parser.add_argument("--ocr", action="store_true")
    args = parser.parse_args(argv)
    data = Path(tempfile.mkdtemp(prefix="tokka-bench-docs-"))
    os.environ["TOKKA_DATA_DIR"] = str(data)
    try:
        ingestion(args.text_mb)
        if args.ocr:
            ocr()
        real_documents()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
