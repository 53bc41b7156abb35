"""Every supported format, generated as a real file, ingests and is found by a Japanese query."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.loaders import load_file
from corpus.stores import open_store
from pipelines.ingest import Ingestor
from tests.fixtures import write_docx, write_html, write_pdf, write_xlsx

FACT = "レーザーカッターの安全講習は毎月第二土曜日の午前十時から始まります。"
QUERY = "レーザーカッターの安全講習はいつですか"
FILLER = "工房では木工や電子工作の講座も開いています。会員は誰でも参加できます。"


def _make(kind: str, folder: Path) -> Path:
    if kind == "pdf":
        return write_pdf(folder / "講習案内.pdf", ["講習案内", FILLER, FACT], title="講習案内")
    if kind == "docx":
        return write_docx(
            folder / "講習案内.docx", "講習案内", [FILLER, FACT], [["講座", "曜日"], ["安全講習", "土曜日"]]
        )
    if kind == "xlsx":
        rows = [["講座", "説明"], ["木工", FILLER], ["安全講習", FACT]]
        return write_xlsx(folder / "講習案内.xlsx", {"講座一覧": rows})
    if kind == "html":
        return write_html(folder / "講習案内.html", "講習案内", f"<h1>講習案内</h1><p>{FILLER}</p><p>{FACT}</p>")
    if kind == "html-sjis":
        return write_html(folder / "講習案内_sjis.html", "講習案内", f"<h1>講習案内</h1><p>{FACT}</p>", "shift_jis")
    if kind == "md":
        path = folder / "講習案内.md"
        path.write_text(f"# 講習案内\n\n{FILLER}\n\n## 安全講習\n\n{FACT}\n", encoding="utf-8")
        return path
    if kind == "csv":
        path = folder / "講習案内.csv"
        path.write_text(f"講座,説明\n木工,{FILLER}\n安全講習,{FACT}\n", encoding="utf-8")
        return path
    if kind == "json":
        path = folder / "講習案内.json"
        data = [{"title": "木工", "text": FILLER}, {"title": "安全講習", "text": FACT}]
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path
    if kind == "jsonl":
        path = folder / "講習案内.jsonl"
        lines = [
            json.dumps({"question": "安全講習は？", "answer": FACT}, ensure_ascii=False),
            json.dumps({"question": "木工は？", "answer": FILLER}, ensure_ascii=False),
        ]
        path.write_text("\n".join(lines), encoding="utf-8")
        return path
    encoding = kind.removeprefix("txt-")
    path = folder / f"講習案内_{encoding}.txt"
    path.write_bytes(f"講習案内\n\n{FILLER}\n{FACT}\n".encode(encoding))
    return path


KINDS = [
    "pdf",
    "docx",
    "xlsx",
    "html",
    "html-sjis",
    "md",
    "csv",
    "json",
    "jsonl",
    "txt-utf-8",
    "txt-utf-8-sig",
    "txt-cp932",
    "txt-shift_jis",
    "txt-euc-jp",
    "txt-utf-16",
    "txt-utf-16-le",
]


@pytest.mark.parametrize("kind", KINDS)
def test_format_is_ingested_and_found(kind: str, tmp_path: Path) -> None:
    path = _make(kind, tmp_path)
    loaded = load_file(path)
    assert "第二土曜日" in loaded.text
    assert loaded.source == str(path.resolve())
    assert loaded.modified > 0 and loaded.type

    summary = Ingestor("formats").run([path])
    assert summary.counts["added"] == 1, [r.reason("en") for r in summary.results]
    hits = open_store("formats").bm25_retrieval(QUERY, top_k=1)
    assert hits and "第二土曜日" in hits[0].content
    meta = hits[0].meta
    assert meta["source"] == str(path.resolve())
    assert meta["type"] == kind.split("-")[0]
    assert meta["title"]
    assert isinstance(meta["modified"], float)


def test_structure_is_kept_for_chunking(tmp_path: Path) -> None:
    """Headings and tables from DOCX/XLSX/HTML come out as Markdown the chunker understands."""
    docx_text = load_file(_make("docx", tmp_path)).text
    assert docx_text.startswith("# 講習案内")
    assert "| 講座 | 曜日 |\n|---|---|\n| 安全講習 | 土曜日 |" in docx_text
    xlsx_text = load_file(_make("xlsx", tmp_path)).text
    assert xlsx_text.startswith("## 講座一覧")
    html = load_file(_make("html", tmp_path))
    assert html.title == "講習案内"
    assert "ホーム" not in html.text  # navigation is dropped
    assert "テスト工房" not in html.text


def test_titles(tmp_path: Path) -> None:
    assert load_file(_make("pdf", tmp_path)).title == "講習案内"
    assert load_file(_make("md", tmp_path)).title == "講習案内"
    assert load_file(_make("txt-cp932", tmp_path)).title == "講習案内"
    assert load_file(_make("csv", tmp_path)).title == "講習案内"  # the file name
