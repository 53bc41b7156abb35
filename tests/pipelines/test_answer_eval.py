"""Answer metrics: normalisation, exact match / character F1 / contains, citation precision, refusal, timing; question
sheets with answers; BEIR folders with `answers.jsonl`, paragraphs left out for unanswerable questions, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.answer_eval import (
    AnswerQuestion,
    AnswerReport,
    char_f1,
    evaluate_answers,
    is_refusal,
    normalize_answer,
    rows_frame,
    score_answer,
    summary_rows,
)
from pipelines.runner import AnswerResult


def test_normalisation_and_scores() -> None:
    assert normalize_answer("「ＰＬＡ」 [1]。") == "PLA"
    assert normalize_answer(" 4 時間 [1, 2]") == "4時間"
    assert char_f1("4時間", "4時間") == 1.0 and char_f1("", "") == 1.0 and char_f1("あ", "") == 0.0
    assert char_f1("最長4時間", "4時間") == pytest.approx(2 * (3 / 5) * 1.0 / (3 / 5 + 1.0))
    assert is_refusal("資料に記載がありません。") and is_refusal("", not_found=True) and not is_refusal("PLA [1]")


def _result(answer: str, cited: list[str], not_found: bool = False) -> AnswerResult:
    sources = [{"source": s, "cited": True} for s in cited] + [{"source": "other", "cited": False}]
    return AnswerResult(answer=answer, sources=sources, not_found=not_found)


def test_metrics_over_answerable_and_unanswerable_questions() -> None:
    questions = [
        AnswerQuestion("材料は？", ["PLA", "ポリ乳酸"], ["d1"]),
        AnswerQuestion("最長は？", ["4時間"], ["d2"]),
        AnswerQuestion("休みは？", ["日曜日"], ["d3"]),
        AnswerQuestion("駐車場は？", [], []),  # the documents do not say
        AnswerQuestion("昼食は？", [], []),
    ]
    replies = {
        "材料は？": _result("ポリ乳酸 [1]", ["d1"]),
        "最長は？": _result("一回の利用は最長で4時間までです [2]", ["d2", "d9"]),
        "休みは？": _result("資料に記載がありません。", []),
        "駐車場は？": _result("資料に見つかりませんでした", [], not_found=True),
        "昼食は？": _result("12時です [1]", ["d5"]),
    }
    rows = list(evaluate_answers(questions, lambda q: replies[q], lambda s, e: s == e))
    by_question = {r.question.question: r for r in rows}
    assert by_question["材料は？"].exact == 1.0 and by_question["材料は？"].citation_precision == 1.0
    long = by_question["最長は？"]
    assert long.exact == 0.0 and long.contains and 0 < long.f1 < 1 and long.citation_precision == 0.5
    assert by_question["休みは？"].refused and by_question["休みは？"].f1 == 0.0
    metrics = AnswerReport("a", rows).metrics
    assert metrics["exact_match"] == pytest.approx(1 / 3) and metrics["contains"] == pytest.approx(2 / 3)
    assert metrics["refusal"] == 0.5 and metrics["false_refusal"] == pytest.approx(1 / 3)
    assert metrics["citation_precision"] == pytest.approx(0.75)
    assert metrics["p50_seconds"] is not None and metrics["p95_seconds"] >= metrics["p50_seconds"]
    (summary,) = summary_rows([AnswerReport("a", rows)])
    assert (summary["questions"], summary["answerable"], summary["unanswerable"]) == (5, 3, 2)
    frame = rows_frame([AnswerReport("a", rows)])
    assert list(frame["accepted"])[:2] == ["PLA; ポリ乳酸", "4時間"] and list(frame["accepted"])[3] == "なし"


def test_cancel_stops_asking() -> None:
    asked: list[str] = []

    def ask(question: str) -> AnswerResult:
        asked.append(question)
        return _result("x", [])

    questions = [AnswerQuestion(f"q{i}", ["x"]) for i in range(5)]
    rows = list(evaluate_answers(questions, ask, lambda s, e: s == e, cancel=lambda: len(asked) >= 2))
    assert len(rows) == 2 and asked == ["q0", "q1"]


def test_score_uses_the_best_accepted_answer() -> None:
    row = score_answer(AnswerQuestion("q", ["とても長い正解の文字列", "山"]), _result("山 [1]", []), 0.5, str.__eq__)
    assert row.exact == 1.0 and row.f1 == 1.0 and row.seconds == 0.5 and row.citation_precision is None


def write_beir(folder: Path) -> Path:
    """Six paragraphs, one question each, with answers (as JSQuAD's answers.jsonl)."""
    folder.mkdir(parents=True, exist_ok=True)
    facts = [
        ("d1", "工房", "工房は平日の午後4時から午後9時まで開いています。", "工房は何時から開きますか？", "午後4時"),
        ("d2", "工房", "日曜日は工房の休みです。祝日は開いています。", "工房の休みは何曜日？", "日曜日"),
        ("d3", "機械", "レーザーカッターでは塩化ビニルを加工できません。", "加工できない材料は？", "塩化ビニル"),
        ("d4", "機械", "3Dプリンターの材料にはPLAを使います。", "3Dプリンターの材料は？", "PLA"),
        ("d5", "会費", "会費は月額3000円で、学生は半額です。", "会費は月額いくら？", "3000円"),
        ("d6", "会費", "保護めがねは受付で無料で借りられます。", "保護めがねはどこで借りる？", "受付"),
    ]
    lines = {"corpus.jsonl": [], "queries.jsonl": [], "answers.jsonl": []}
    for doc, title, text, question, answer in facts:
        lines["corpus.jsonl"].append({"id": doc, "title": title, "text": text})
        lines["queries.jsonl"].append({"id": f"q{doc}", "text": question})
        lines["answers.jsonl"].append({"id": f"q{doc}", "answers": [answer]})
    for name, rows in lines.items():
        (folder / name).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    qrels = "".join(f"q{doc}\t{doc}\t1\n" for doc, *_ in facts)
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\n" + qrels, encoding="utf-8")
    return folder


def test_beir_answer_set_leaves_paragraphs_out(tmp_path: Path) -> None:
    from pipelines.beir import answer_set

    folder = write_beir(tmp_path / "beir")
    chosen = answer_set(folder, limit=6, unanswerable=0.5, seed=4)
    unanswerable = [q for q in chosen.questions if not q.answerable]
    assert len(chosen.questions) == 6 and len(unanswerable) == 3 and len(chosen.left_out) == 3
    assert {row["id"] for row in chosen.corpus}.isdisjoint(chosen.left_out) and len(chosen.corpus) == 3
    assert all(q.expected == [] for q in unanswerable)
    assert answer_set(folder, 6, 0.5, seed=4).left_out == chosen.left_out  # seeded: the same run twice
    with pytest.raises(FileNotFoundError):
        (folder / "answers.jsonl").unlink()
        answer_set(folder)


def test_evaluate_cli_beir_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipelines.cli import main

    folder = write_beir(tmp_path / "beir")
    out = tmp_path / "answers.csv"
    args = ["--lang", "en", "evaluate", "excerpt_guide", "--beir", str(folder), "--answers"]
    code = main([*args, "--unanswerable", "0.34", "--limit", "6", "--seed", "1", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0 and "[6/6]" in printed and "paragraphs left out of the index: 2" in printed
    metrics = {line.split()[0]: line.split()[1] for line in printed.splitlines() if line.startswith("  ")}
    assert metrics["questions"] == "6" and metrics["unanswerable"] == "2"
    assert float(metrics["contains"]) >= 0.75  # the excerpt holds the answer when its paragraph is there
    assert float(metrics["refusal"]) == 1.0  # nothing relevant is left for the others: 「資料に見つかりませんでした」
    import pandas as pd

    frame = pd.read_csv(out)
    assert len(frame) == 6 and {"answer", "exact", "f1", "refused", "seconds"} <= set(frame.columns)
