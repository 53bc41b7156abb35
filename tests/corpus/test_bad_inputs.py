"""Bad inputs each get a clear, actionable message and leave the store exactly as it was."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from corpus.errors import LoadError
from corpus.loaders import load_file
from corpus.stores.embedded import EmbeddedBackend
from pipelines.ingest import Ingestor
from tests.fixtures import docx_bytes, write_html, write_pdf
from tokka.settings import get_settings


def _empty(folder: Path) -> Path:
    path = folder / "空.txt"
    path.write_bytes(b"")
    return path


def _corrupt_pdf(folder: Path) -> Path:
    good = write_pdf(folder / "good.pdf", ["本文です。"]).read_bytes()
    path = folder / "壊れた.pdf"
    path.write_bytes(good[: len(good) // 3])  # truncated: no xref, no trailer
    return path


def _not_a_pdf(folder: Path) -> Path:
    path = folder / "偽物.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)  # a PDF header, then nothing a PDF has
    return path


def _encrypted_pdf(folder: Path) -> Path:
    path = write_pdf(folder / "秘密.pdf", ["秘密の本文です。"], encrypt_password="himitsu")
    return path


def _binary_txt(folder: Path) -> Path:
    path = folder / "画像.txt"
    path.write_bytes(bytes(range(256)) * 64)
    return path


def _unknown_ext(folder: Path) -> Path:
    path = folder / "図面.dwg"
    path.write_bytes(b"AC1032\x00\x00\x00\x00\x00" + bytes(range(256)) * 16)  # a CAD drawing: binary
    return path


def _huge_txt(folder: Path) -> Path:
    path = folder / "巨大.txt"
    line = ("大きなファイルの一行です。" * 10 + "\n").encode()
    with path.open("wb") as handle:
        for _ in range(50 * 2**20 // len(line) + 1):
            handle.write(line)
    return path


def _html_no_text(folder: Path) -> Path:
    path = write_html(folder / "空ページ.html", "空", "<script>var x = 1;</script><div></div>")
    return path


def _corrupt_docx(folder: Path) -> Path:
    data = docx_bytes("見出し", ["本文"])
    path = folder / "壊れた.docx"
    path.write_bytes(data[:200])
    return path


def _docx_missing_part(folder: Path) -> Path:
    path = folder / "部品なし.docx"
    path.write_bytes(docx_bytes("見出し", ["本文"]))
    with zipfile.ZipFile(path, "a") as z:  # a valid zip, but not an Office document
        z.writestr("dummy.txt", "x")
    data = path.read_bytes().replace(b"word/document.xml", b"word/documenX.xml")
    path.write_bytes(data)
    return path


def _corrupt_xlsx(folder: Path) -> Path:
    path = folder / "壊れた.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    return path


def _bad_json(folder: Path) -> Path:
    path = folder / "壊れた.jsonl"
    path.write_text('{"text": "一行目"}\n{"text": 二行目}\n', encoding="utf-8")
    return path


def _json_without_text(folder: Path) -> Path:
    path = folder / "本文なし.json"
    path.write_text('[{"id": 1, "value": 3}]', encoding="utf-8")
    return path


_MAKERS = {
    "empty": _empty,
    "corrupt_pdf": _corrupt_pdf,
    "not_a_pdf": _not_a_pdf,
    "encrypted_pdf": _encrypted_pdf,
    "binary_txt": _binary_txt,
    "unknown_ext": _unknown_ext,
    "huge_txt": _huge_txt,
    "html_no_text": _html_no_text,
    "corrupt_docx": _corrupt_docx,
    "docx_missing_part": _docx_missing_part,
    "corrupt_xlsx": _corrupt_xlsx,
    "bad_json": _bad_json,
    "json_without_text": _json_without_text,
}


def _make_bad(kind: str, folder: Path) -> Path:
    return _MAKERS[kind](folder)


CASES = {
    "empty": ("err.empty_file", "空です"),
    "corrupt_pdf": ("err.pdf_corrupt", "PDF が壊れている"),
    "not_a_pdf": ("err.pdf_corrupt", "PDF が壊れている"),
    "encrypted_pdf": ("err.pdf_encrypted", "パスワード"),
    "binary_txt": ("err.binary_text", "バイナリ"),
    "unknown_ext": ("err.unsupported_type", "対応していない"),
    "huge_txt": ("err.too_large", "TOKKA_MAX_FILE_MB"),
    "html_no_text": ("err.no_text", "本文が見つかりません"),
    "corrupt_docx": ("err.office_corrupt", "Word"),
    "docx_missing_part": ("err.office_corrupt", "Word"),
    "corrupt_xlsx": ("err.office_corrupt", "Excel"),
    "bad_json": ("err.json_bad", "2 行目"),
    "json_without_text": ("err.json_no_text_field", "本文の欄"),
}


def _snapshot(collection: str) -> tuple:
    backend = EmbeddedBackend.open(get_settings().store_path)
    info = backend.collection(collection)
    rows = backend._conn.execute(
        "SELECT id, content, tokens FROM chunks WHERE collection = ? ORDER BY rowid", (collection,)
    ).fetchall()
    return info.generation, info.chunks, info.documents, rows, backend.sources(collection)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_bad_input_is_explained_and_store_untouched(kind: str, tmp_path: Path) -> None:
    good = tmp_path / "良い.md"
    good.write_text("# 案内\n\n工房は平日の午後四時から開いています。\n", encoding="utf-8")
    ingestor = Ingestor("bad")
    assert ingestor.run([good]).counts["added"] == 1
    before = _snapshot("bad")

    bad = _make_bad(kind, tmp_path)
    code, japanese = CASES[kind]
    summary = ingestor.run([bad])
    (result,) = summary.results
    assert result.status == ("skipped" if code == "err.unsupported_type" else "failed")
    assert result.code == code
    assert japanese in result.reason("ja")
    english = result.reason("en")
    assert english and english != result.reason("ja")

    assert _snapshot("bad") == before
    backend = EmbeddedBackend.open(get_settings().store_path)
    assert backend._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_size_limit_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "中くらい.txt"
    path.write_text("工房の案内です。\n" * 60000, encoding="utf-8")  # ≈ 1.4 MB
    monkeypatch.setenv("TOKKA_MAX_FILE_MB", "1")
    get_settings.cache_clear()
    summary = Ingestor("limit").run([path])
    assert summary.results[0].code == "err.too_large"
    assert "1.0 MB" in summary.results[0].reason("en")
    monkeypatch.setenv("TOKKA_MAX_FILE_MB", "5")
    get_settings.cache_clear()
    assert Ingestor("limit").run([path]).counts["added"] == 1


def test_missing_file_is_reported(tmp_path: Path) -> None:
    summary = Ingestor("missing").run([tmp_path / "ない.txt"])
    assert summary.results[0].status == "failed"
    assert summary.results[0].code == "err.not_found"


def test_loader_errors_are_load_errors(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load_file(_make_bad("encrypted_pdf", tmp_path))
    assert info.value.code == "err.pdf_encrypted"
    assert "password" in str(info.value)


def test_pdf_with_owner_password_only_opens(tmp_path: Path) -> None:
    """A PDF restricted only by an owner password (empty user password) is readable, as in PDF viewers."""
    from pypdf import PdfReader, PdfWriter

    plain = write_pdf(tmp_path / "plain.pdf", ["印刷制限だけの文書です。"])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    restricted = tmp_path / "restricted.pdf"
    with restricted.open("wb") as handle:
        writer.write(handle)
    assert "印刷制限" in load_file(restricted).text
