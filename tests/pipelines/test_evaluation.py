"""Retrieval evaluation on a small sheet whose expected results are known by construction."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.builder import AssistantSpec, render_assistant_yaml
from pipelines.evaluation import EvaluationError, EvaluationReport, evaluate, load_questions, source_matches
from pipelines.ingest import Ingestor
from pipelines.loading import load_pipeline_text
from pipelines.validation import render_yaml


def make_fruit_collection(tmp_path: Path) -> None:
    folder = tmp_path / "fruit"
    folder.mkdir()
    (folder / "a.md").write_text("# りんご\n\nりんごは赤い。りんごは甘い。りんごの季節は秋。\n", encoding="utf-8")
    (folder / "b.md").write_text(
        "# 果物\n\nみかんは冬においしい果物で、ビタミンが多い。ほかにりんごもある。バナナは一年中ある。ももは夏。\n",
        encoding="utf-8",
    )
    (folder / "c.md").write_text("# 野菜\n\nにんじんとだいこんの話。\n", encoding="utf-8")
    assert Ingestor("fruit").run([folder]).counts["added"] == 3


def fruit_assistant() -> str:
    spec = AssistantSpec(
        "fruit",
        "果物係",
        "",
        "fruit",
        "local",
        "gemma3-270m",
        "果物の係です。",
        top_k=3,
        vector_weight=0.0,
        context_window=4096,
        max_tokens=16,
    )
    return render_assistant_yaml(spec)


SHEET = "question,expected,keywords\nりんご,a.md,赤い\nりんご,b.md,\nぶどう,c.md,\n"


def test_recall_and_mrr_known_by_construction(tmp_path: Path) -> None:
    make_fruit_collection(tmp_path)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    questions = load_questions(sheet)
    pipeline = load_pipeline_text(render_yaml(fruit_assistant()))
    results = list(evaluate("fruit", pipeline, questions, k=2))
    assert [r.rank for r in results] == [1, 2, None]
    report = EvaluationReport("fruit", 2, results)
    assert report.recall == pytest.approx(2 / 3)
    assert report.mrr == pytest.approx((1 + 0.5 + 0) / 3)
    assert results[2].retrieved == []  # ぶどう matches nothing: what was retrieved instead is shown (empty)
    top1 = EvaluationReport("fruit", 1, list(evaluate("fruit", pipeline, questions, k=1)))
    assert (top1.recall, top1.mrr) == (pytest.approx(1 / 3), pytest.approx(1 / 3))
    assert top1.results[1].retrieved == [str((tmp_path / "fruit" / "a.md").resolve())]


def test_keyword_hits_when_answers_are_given(tmp_path: Path) -> None:
    make_fruit_collection(tmp_path)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    pipeline = load_pipeline_text(render_yaml(fruit_assistant()))
    results = list(evaluate("fruit", pipeline, load_questions(sheet), k=2, answer=lambda q: "りんごは赤いです"))
    assert results[0].keyword_hits == ["赤い"]
    assert EvaluationReport("fruit", 2, results).keyword_rate == 1.0


def test_sheets_in_xlsx_and_japanese_headers(tmp_path: Path) -> None:
    from tests.fixtures import write_xlsx

    path = write_xlsx(
        tmp_path / "q.xlsx",
        {
            "質問": [
                ["質問", "期待する資料", "キーワード"],
                ["開館時間は？", "guide.md; floor.html", "午後4時、午後9時"],
            ]
        },
    )
    (q,) = load_questions(path)
    assert (q.question, q.expected, q.keywords) == ("開館時間は？", ["guide.md", "floor.html"], ["午後4時", "午後9時"])
    sjis = tmp_path / "q.csv"
    sjis.write_bytes("質問,正解\n駐車場は？,guide.md\n".encode("cp932"))
    assert load_questions(sjis)[0].expected == ["guide.md"]


def test_bad_sheets_are_explained(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(EvaluationError) as info:
        load_questions(bad)
    assert info.value.code == "err.sheet_columns" and "question" in info.value.message("ja")
    empty = tmp_path / "empty.csv"
    empty.write_text("question,expected\n", encoding="utf-8")
    with pytest.raises(EvaluationError):
        load_questions(empty)


def test_source_matching() -> None:
    assert source_matches("/data/docs/guide.md", "guide.md")
    assert source_matches("/data/docs/guide.md", "docs/guide.md")
    assert source_matches("https://example.org/a/", "https://example.org/a")
    assert not source_matches("/data/docs/guide.md", "uide.md")


def test_shipped_sample_sheet_scores_well_on_the_samples() -> None:
    from pipelines.ingest import ensure_sample_collection
    from pipelines.registry import AssistantRegistry
    from tokka.settings import REPO_ROOT

    ensure_sample_collection()
    questions = load_questions(REPO_ROOT / "pipelines" / "evaluation_sheets" / "samples_questions.csv")
    assert len(questions) >= 15
    report = EvaluationReport(
        "school_guide", 5, list(evaluate("school_guide", AssistantRegistry().pipeline("school_guide"), questions, k=5))
    )
    assert report.recall >= 0.9 and report.mrr >= 0.8


def test_evaluate_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipelines.cli import main
    from pipelines.ingest import ensure_sample_collection

    ensure_sample_collection()
    out = tmp_path / "r.csv"
    code = main(
        [
            "--lang",
            "en",
            "evaluate",
            "school_guide",
            "--questions",
            "pipelines/evaluation_sheets/samples_questions.csv",
            "--k",
            "3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "recall@3" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8-sig").startswith("assistant,question,expected,rank")


def test_evaluate_cli_beir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from pipelines.cli import main

    folder = tmp_path / "beir"
    folder.mkdir()
    docs = [
        {"id": "d1", "title": "りんご", "text": "りんごは赤い果物です。"},
        {"id": "d2", "title": "みかん", "text": "みかんは冬の果物です。"},
    ]
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
    queries = [{"id": "q1", "text": "赤い果物は？"}, {"id": "q2", "text": "冬の果物は？"}]
    (folder / "queries.jsonl").write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in queries), encoding="utf-8"
    )
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n", encoding="utf-8")
    run = tmp_path / "run.tsv"
    code = main(["--lang", "en", "evaluate", "school_guide", "--beir", str(folder), "--k", "2", "--run", str(run)])
    assert code == 0
    assert "recall@2 = 1.000, MRR@2 = 1.000" in capsys.readouterr().out
    assert run.read_text(encoding="utf-8").splitlines()[0].startswith("q1\td1\t1\t")
