"""Real Japanese files from public repositories (tests/real_documents/MANIFEST.md): every file's text arrives whole
and readable, each through the path it needs (PDFium, OCR, LibreOffice, content sniffing, the right encoding), and
retrieval finds the right file for the question sheet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus.loaders.pdf import text_quality
from pipelines import evaluation
from pipelines.ingest import Ingestor
from pipelines.loading import load_pipeline_text
from pipelines.registry import ASSISTANTS_DIR

REAL = Path(__file__).resolve().parents[1] / "real_documents"
HAS_OCR = shutil.which("tesseract") is not None
HAS_LIBREOFFICE = shutil.which("soffice") is not None
# file -> (phrases its text must hold, how its text was obtained)
EXPECTED = {
    "jo.pdf": (["わたくしといふ現象は", "有機交流電燈", "宮澤賢治"], "pdfium=1"),
    "simple3.pdf": (["あいうえお", "World"], "pdfium=1"),
    "python-intro-iso2022jp.txt": (["モンティ パイソン", "Guido van Rossum"], ""),
    "python-intro-eucjp.txt": (["モンティ パイソン", "拡張モジュール"], ""),
    "python-intro-sjis.txt": (["モンティ パイソン", "習得が容易"], ""),
    "KOUKEN.DOC": (["アイディアの提案、不具合報告", "issueページ"], "as=.txt"),
    "contributing.docx": (["Git flow", "upstream"], ""),
    "contributing-old.doc": (["Git flow", "次期バージョン"], "via=LibreOffice"),
    "abrg-download.pdf": (["abrg download -c 130001", "update-check --yes"], "pdfium=3"),
    "abr-features-scan.pdf": (["住居表示", "地番", "SQLite"], "ocr=1"),
    "abr-features-photo.png": (["住居表示", "地番", "SQLite"], "ocr=1"),
    "abrg-commands.pptx": (["スライド 2", "--fuzzy", "ndgeojson"], ""),
    "abrg-serve.ppt": (["abrg serve stop", "3000"], "via=LibreOffice"),
    "abr-usecases.html": (["郵便番号による検索", "Node.js"], ""),
    "abr-announcement.eml": (["アドレス・ベース・レジストリ", "郵便番号による検索"], ""),
    "abr-geocoder-upgrade.md": (["DCAT", "npm install -g"], ""),
    "geocoder-general.xlsx": (["金ケ崎小学校", "39.214458"], ""),
    "geocoder-basic.xls": (["紀尾井町", "131016"], ""),
    "geocoder-issues.csv": (["新川西二丁目", "上砂川町"], ""),
}
NEEDS = {"abr-features-scan.pdf": HAS_OCR, "abr-features-photo.png": HAS_OCR}
NEEDS.update({"contributing-old.doc": HAS_LIBREOFFICE, "abrg-serve.ppt": HAS_LIBREOFFICE})


def test_the_corpus_is_what_the_manifest_lists() -> None:
    from corpus.files import discover

    files, skipped = discover([REAL])
    assert {p.name for p in files} == {*EXPECTED, "build.py", "MANIFEST.md", "questions.csv"} and not skipped
    manifest = (REAL / "MANIFEST.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in manifest for name in EXPECTED)


@pytest.fixture(scope="module")
def corpus_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The corpus ingested once (OCR and LibreOffice are slow) into a data folder of its own."""
    import os

    from corpus.manage import create_collection
    from corpus.stores.embedded import EmbeddedBackend
    from tokka.settings import get_settings

    folder = tmp_path_factory.mktemp("real-docs-data")
    previous = os.environ.get("TOKKA_DATA_DIR")
    os.environ["TOKKA_DATA_DIR"] = str(folder)
    get_settings.cache_clear()
    try:
        create_collection("real-docs", "offline")
        summary = Ingestor("real-docs").run([REAL / name for name in EXPECTED])
    finally:
        EmbeddedBackend.close_all()
        os.environ["TOKKA_DATA_DIR"] = previous or ""
        get_settings.cache_clear()
    return folder, {Path(r.source).name: r for r in summary.results}


@pytest.fixture
def ingested(corpus_data: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch) -> dict:
    from tokka.settings import get_settings

    monkeypatch.setenv("TOKKA_DATA_DIR", str(corpus_data[0]))
    get_settings.cache_clear()
    return corpus_data[1]


def test_every_file_arrives_whole_and_readable(ingested: dict) -> None:
    from corpus.stores import get_backend

    backend = get_backend()
    missing = []
    for name, (phrases, method) in EXPECTED.items():
        result = ingested[name]
        if not NEEDS.get(name, True):
            assert result.status == "failed" and result.code in (
                "err.pdf_no_text_no_ocr",
                "err.ocr_missing",
                "err.libreoffice_missing",
            )
            continue
        assert result.status == "added", (name, result.code, result.params)
        text = "\n".join(d.content or "" for d in backend.chunks_of("real-docs", result.source))
        missing += [(name, p) for p in phrases if p not in text]
        assert text_quality(text) > 0.9, name  # no mojibake
        if method:
            assert result.method == method, (name, result.method)
    assert not missing
    assert set(ingested) == set(EXPECTED)


def test_pdf_chunks_know_their_page(ingested: dict) -> None:
    from corpus.stores import get_backend

    chunks = get_backend().chunks_of("real-docs", ingested["abrg-download.pdf"].source)
    pages = [c.meta["page"] for c in chunks]
    assert pages[0] == 1 and max(pages) >= 2 and pages == sorted(pages)  # a chunk has the page its text starts on
    assert next(c for c in chunks if "update-check --yes" in (c.content or "")).meta["page"] >= 2
    text = "\n".join(c.content or "" for c in chunks)
    assert "$HOME/.abr-geocoder" in text and "\ufffe" not in text  # PDFium's line-end hyphen is the text's hyphen


def test_the_question_sheet_finds_the_right_files(ingested: dict) -> None:
    yaml_text = (ASSISTANTS_DIR / "excerpt_guide.yaml").read_text(encoding="utf-8").replace("samples", "real-docs")
    questions = evaluation.load_questions(REAL / "questions.csv")
    if not (HAS_OCR and HAS_LIBREOFFICE):
        absent = {n for n, ok in NEEDS.items() if not ok}
        questions = [q for q in questions if not set(q.expected) <= absent]
    results = list(evaluation.evaluate("real", load_pipeline_text(yaml_text), questions, k=5))
    report = evaluation.EvaluationReport("real", 5, results)
    misses = [(r.question, [Path(s).name for s in r.retrieved[:3]]) for r in results if not r.rank]
    assert report.recall >= 0.9, misses
    assert report.mrr >= 0.75
