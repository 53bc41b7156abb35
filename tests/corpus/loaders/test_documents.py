"""Documents as offices have them, generated in code: PDF pages kept and checked, OCR for scans and images, every
Japanese legacy encoding, type by content, PowerPoint, old Excel/Word/PowerPoint, e-mail; nothing skipped silently."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from corpus.errors import LoadError
from corpus.loaders import load_bytes, load_file
from corpus.loaders.pdf import text_quality
from tests.fixtures import write_docx, write_pdf

TEXT = "工房は平日の午後四時から午後九時まで開いています。日曜日はお休みです。レーザーカッターは予約が必要です。"
needs_ocr = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


@pytest.mark.parametrize(
    "codec",
    [
        "utf-8",
        "utf-8-sig",
        "cp932",
        "shift_jis",
        "euc-jp",
        "iso2022_jp",
        "iso2022_jp_ext",
        "iso2022_jp_2004",
        "utf-16",
        "shift_jis_2004",
        "euc_jis_2004",
    ],
)
def test_every_japanese_encoding(codec: str, tmp_path: Path) -> None:
    extra = {
        "cp932": "半角ｶﾀｶﾅと①の記号。\n",
        "iso2022_jp_ext": "半角ｶﾀｶﾅの案内。\n",
        "iso2022_jp_2004": "𩸽(ほっけ)の定食。\n",  # JIS X 0213 only
        "shift_jis_2004": "𩸽(ほっけ)の定食。\n",
        "euc_jis_2004": "𩸽(ほっけ)の定食。\n",
    }.get(codec, "")
    text = TEXT + "\n" + extra
    path = tmp_path / "案内.txt"
    path.write_bytes(text.encode(codec))
    loaded = load_file(path)
    assert loaded.text.replace("\r\n", "\n").lstrip("\ufeff") == text
    if codec.startswith("iso2022"):
        assert loaded.meta["encoding"].startswith("iso2022_jp")


def test_iso_2022_jp_is_strict(tmp_path: Path) -> None:
    broken = tmp_path / "壊れた.txt"
    broken.write_bytes(TEXT.encode("iso2022_jp")[:-5] + b"\x1b$B\x7f\x7f")  # an escape into JIS X 0208, then junk
    with pytest.raises(LoadError) as info:
        load_file(broken)
    assert info.value.code == "err.undecodable"


def test_type_comes_from_the_content(tmp_path: Path) -> None:
    old_word = tmp_path / "MANUAL.DOC"
    old_word.write_bytes(TEXT.encode("cp932"))
    loaded = load_file(old_word)
    assert loaded.type == "txt" and loaded.meta["detected_as"] == ".txt" and "予約が必要" in loaded.text
    pdf = write_pdf(tmp_path / "scan.dat", [TEXT])
    loaded = load_file(pdf)
    assert loaded.type == "pdf" and "予約が必要" in loaded.text.replace(" ", "")
    renamed = tmp_path / "報告書.txt"
    write_docx(renamed, "報告", [TEXT])
    assert load_file(renamed).type == "docx"


def test_a_folder_lists_every_file(tmp_path: Path) -> None:
    from corpus.files import discover

    folder = tmp_path / "共有"
    folder.mkdir()
    (folder / "README").write_bytes(TEXT.encode("euc-jp"))  # no extension, text inside
    (folder / "図面.dwg").write_bytes(b"AC1032\x00\x00" + bytes(range(256)) * 8)
    (folder / "案内.md").write_text("# 案内\n\n" + TEXT, encoding="utf-8")
    files, early = discover([folder])
    assert sorted(p.name for p in files) == ["README", "案内.md"]
    (skipped,) = early
    assert skipped.status == "skipped" and skipped.code == "err.unsupported_type" and "dwg" in skipped.reason("ja")


def test_pdf_pages_are_kept_for_citations(tmp_path: Path) -> None:
    from haystack import Document

    from pipelines.components.normalizer import JapaneseNormalizer
    from pipelines.components.splitter import JapaneseSentenceSplitter

    lines = [f"{n}番目の行です。工房の案内を書いています。" for n in range(90)]  # three A4 pages
    loaded = load_file(write_pdf(tmp_path / "案内.pdf", lines))
    assert loaded.meta["pages"] == 3 and loaded.meta["extraction"] == {"pdfium": 3}
    assert loaded.text.count("\f") == 2
    document = Document(content=loaded.text, meta={"source": "案内.pdf", "pages": loaded.meta["pages"]})
    chunks = JapaneseSentenceSplitter(200, 40).run(JapaneseNormalizer().run([document])["documents"])["documents"]
    pages = [c.meta["page"] for c in chunks]
    assert pages[0] == 1 and pages[-1] == 3 and pages == sorted(pages) and 2 in pages
    assert all("\f" not in c.content for c in chunks)
    assert next(c for c in chunks if "89番目" in c.content).meta["page"] == 3


def test_text_quality_tells_mojibake() -> None:
    assert text_quality(TEXT) > 0.95 and text_quality("Hello, world. 3D printer 100%") > 0.95
    mojibake = "ɹɹং\nΘͨ͘͠ͱ͍;ݱ\u09c5\u0378၊ఆ͞Εͨ༗ަػྲྀి౯ͷͻͱͭͷ੨͍র໌Ͱ͢ớ͋ΒΏΔಁ໌ͳ༓ྶͷෳ߹ମỜ"  # pypdf on a pLaTeX PDF
    assert text_quality(mojibake) < 0.5
    assert text_quality("\ue000\ue001\ue002工房") < 0.5  # private-use code points: unmapped glyphs
    assert text_quality("") == 0.0


def _image_pdf(source: Path, target: Path, dpi: int = 200) -> Path:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(source))
    pages = [pdf[i].render(scale=dpi / 72).to_pil().convert("L") for i in range(len(pdf))]
    pdf.close()
    pages[0].save(target, save_all=True, append_images=pages[1:], resolution=dpi)
    return target


@needs_ocr
def test_a_scanned_pdf_is_read_by_ocr(tmp_path: Path) -> None:
    text_pdf = write_pdf(tmp_path / "元.pdf", [TEXT[:34], TEXT[34:]])
    scan = _image_pdf(text_pdf, tmp_path / "スキャン.pdf")
    loaded = load_file(scan)
    assert loaded.meta["extraction"] == {"ocr": 1}
    assert "午後四時" in loaded.text and "予約" in loaded.text and " 工 房" not in loaded.text


@needs_ocr
def test_an_image_is_read_by_ocr(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(write_pdf(tmp_path / "元.pdf", [TEXT[:34]])))
    buffer = io.BytesIO()
    pdf[0].render(scale=200 / 72).to_pil().save(buffer, format="PNG")
    pdf.close()
    loaded = load_bytes(buffer.getvalue(), "掲示.png", "掲示.png", 0.0)
    assert loaded.type == "image" and "午後四時" in loaded.text


@needs_ocr
def test_a_damaged_image_says_so_plainly(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (200, 100), "white").save(buffer, format="JPEG")
    for name, data in (("切れた.jpg", buffer.getvalue()[:300]), ("写真.jpg", b"\xff\xd8\xff")):
        with pytest.raises(LoadError) as info:
            load_bytes(data, name, name, 0.0)
        assert info.value.code == "err.image_damaged" and "壊れて" in info.value.message("ja")


def test_without_ocr_a_scan_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus.loaders import ocr

    monkeypatch.setattr(ocr, "tesseract", lambda: None)
    ocr.languages.cache_clear()
    try:
        scan = _image_pdf(write_pdf(tmp_path / "元.pdf", [TEXT]), tmp_path / "スキャン.pdf", dpi=72)
        with pytest.raises(LoadError) as info:
            load_file(scan)
        assert info.value.code == "err.pdf_no_text_no_ocr" and "tesseract-ocr-jpn" in info.value.message("ja")
        with pytest.raises(LoadError) as info:
            load_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64), "写真.png", "写真.png", 0.0)
        assert info.value.code == "err.ocr_missing"
    finally:
        ocr.languages.cache_clear()


def test_powerpoint_slides_notes_and_tables(tmp_path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "工房の使い方"
    slide.placeholders[1].text_frame.text = "予約は受付で行います。\n保護めがねを着けます。"
    slide.notes_slide.notes_text_frame.text = "説明のときは実物を見せる。"
    table_slide = deck.slides.add_slide(deck.slide_layouts[5])
    table_slide.shapes.title.text = "料金"
    table = table_slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    for (r, c), value in {(0, 0): "区分", (0, 1): "月額", (1, 0): "学生", (1, 1): "1500円"}.items():
        table.cell(r, c).text = value
    path = tmp_path / "説明.pptx"
    deck.save(path)
    loaded = load_file(path)
    assert loaded.title == "工房の使い方" and loaded.meta["slides"] == 2
    assert "## スライド 1: 工房の使い方" in loaded.text and "ノート: 説明のときは実物を見せる。" in loaded.text
    assert "| 学生 | 1500円 |" in loaded.text and loaded.text.index("スライド 1") < loaded.text.index("スライド 2")


@needs_libreoffice
def test_old_excel_word_and_powerpoint(tmp_path: Path) -> None:
    from corpus.loaders.legacy import convert
    from tests.fixtures import write_xlsx

    xlsx = write_xlsx(tmp_path / "名簿.xlsx", {"会員": [["名前", "区分"], ["山田", "学生"]]})
    xls = tmp_path / "名簿.xls"
    xls.write_bytes(convert(xlsx.read_bytes(), ".xlsx", ".xls"))
    loaded = load_file(xls)
    assert loaded.type == "xls" and "## 会員" in loaded.text and "| 山田 | 学生 |" in loaded.text
    docx = write_docx(tmp_path / "規約.docx", "利用規約", [TEXT])
    doc = tmp_path / "規約.doc"
    doc.write_bytes(convert(docx.read_bytes(), ".docx", ".doc"))
    loaded = load_file(doc)
    assert loaded.type == "doc" and "予約が必要" in loaded.text and loaded.meta["converted"] == "LibreOffice"


def test_without_libreoffice_an_old_word_file_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus.loaders import legacy

    monkeypatch.setattr(legacy, "soffice", lambda: None)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512) + "WordDocument".encode("utf-16-le") + bytes(512)
    with pytest.raises(LoadError) as info:
        load_bytes(ole, "議事録.doc", "議事録.doc", 0.0)
    message = info.value.message("ja")
    assert info.value.code == "err.libreoffice_missing" and "libreoffice-writer-nogui" in message and ".docx" in message


def iso2022_mail(subject: str, body: str, attachment: str | None = None) -> bytes:
    """A mail as older Japanese mailers write it: ISO-2022-JP body and `=?ISO-2022-JP?B?…?=` headers."""
    from email.header import Header
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    message = MIMEMultipart() if attachment else MIMEText(body, "plain", "iso-2022-jp")
    if attachment:
        message.attach(MIMEText(body, "plain", "iso-2022-jp"))
        part = MIMEApplication(b"%PDF-1.4", "pdf")
        part.add_header("Content-Disposition", "attachment", filename=("iso-2022-jp", "", attachment))
        message.attach(part)
    message["Subject"] = Header(subject, "iso-2022-jp")
    message["From"] = f"{Header('田中', 'iso-2022-jp').encode()} <tanaka@example.jp>"
    message["To"] = "desk@example.jp"
    return message.as_bytes()


def test_japanese_email(tmp_path: Path) -> None:
    raw = iso2022_mail("工房の予約について", TEXT, attachment="料金表.pdf")
    assert b"=?iso-2022-jp?b?" in raw.lower() and b"\x1b$B" in raw  # Japanese headers and a 7-bit JIS body
    path = tmp_path / "予約.eml"
    path.write_bytes(raw)
    loaded = load_file(path)
    assert loaded.title == "工房の予約について" and "予約が必要" in loaded.text
    assert "田中" in loaded.text and "料金表.pdf" in loaded.text


def test_page_progress_comes_back_from_the_reading_worker(tmp_path: Path) -> None:
    from corpus.sandbox import load_file_isolated

    pdf = write_pdf(tmp_path / "長い案内.pdf", [f"{n}行目の案内です。" for n in range(90)])
    seen: list[tuple[str, int, int]] = []
    loaded = load_file_isolated(pdf, progress=lambda stage, page, pages: seen.append((stage, page, pages)))
    assert seen == [("page", 1, 3), ("page", 2, 3), ("page", 3, 3)] and loaded.meta["pages"] == 3


def test_ingestion_reports_how_the_text_was_obtained(tmp_path: Path) -> None:
    from corpus.files import describe_extraction
    from pipelines.ingest import Ingestor

    old_word = tmp_path / "MANUAL.DOC"
    old_word.write_bytes(TEXT.encode("cp932"))
    pdf = write_pdf(tmp_path / "案内.pdf", [TEXT[:34]])
    pages: list[tuple[str, str, int, int]] = []
    summary = Ingestor("how").run(
        [old_word, pdf], pages=lambda path, stage, d, t: pages.append((path.name, stage, d, t))
    )
    by_name = {Path(r.source).name: r for r in summary.results}
    assert by_name["MANUAL.DOC"].status == "added" and by_name["MANUAL.DOC"].method == "as=.txt"
    assert describe_extraction(by_name["MANUAL.DOC"].method, "ja") == "中身は .txt として読みました"
    assert by_name["案内.pdf"].method == "pdfium=1" and describe_extraction("pdfium=1;ocr=2", "ja") == (
        "PDFium 1 ページ、OCR 2 ページ"
    )
    assert pages == [("案内.pdf", "page", 1, 1)]
