"""How the real-document corpus in this folder was made (run once; its output is committed with MANIFEST.md).

Sources (see MANIFEST.md for licences and commits): pdfminer.six's sample PDFs, CPython's CJK codec test texts, and
the Japanese documentation and test data of the Digital Agency's abr-geocoder. Files that are already in an office
format are copied as they are; the others are real texts laid out in the formats offices use, by the tools offices
use: python-docx / python-pptx / openpyxl for the modern formats, LibreOffice 7.4 (headless) for `.doc`, `.ppt`,
`.xls`, `.pdf` and `.html`, Pillow for the scan (a rendered PDF page saved as an image-only PDF), the standard
library's `email` for the ISO-2022-JP mail.

    python tests/real_documents/build.py --pdfminer <pdfminer.six checkout> --abr <abr-geocoder checkout>
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
from email.header import Header
from email.mime.text import MIMEText
from pathlib import Path

HERE = Path(__file__).resolve().parent
# CPython's Lib/test/cjkencodings text as UTF-8 (its encoded files are this text encoded with Python's codecs:
# CPython's own codec tests check exactly that), kept here so the build needs no CPython checkout.
PYTHON_INTRO = (
    "Python の開発は、1990 年ごろから開始されています。\n"
    "開発者の Guido van Rossum は教育用のプログラミング言語「ABC」の開発に参加していましたが、ABC は実用上の目的に"
    "はあまり適していませんでした。\n"
    "このため、Guido はより実用的なプログラミング言語の開発を開始し、英国 BBS 放送のコメディ番組「モンティ パイソン」"
    "のファンである Guido はこの言語を「Python」と名づけました。\n"
    "このような背景から生まれた Python の言語設計は、「シンプル」で「習得が容易」という目標に重点が置かれています。\n"
    "多くのスクリプト系言語ではユーザの目先の利便性を優先して色々な機能を言語要素として取り入れる場合が多いのですが、"
    "Python ではそういった小細工が追加されることはあまりありません。\n"
    "言語自体の機能は最小限に押さえ、必要な機能は拡張モジュールとして追加する、というのが Python のポリシーです。\n\n"
)


def git_show(repo: Path, path: str) -> bytes:
    return subprocess.run(["git", "show", f"HEAD:{path}"], cwd=repo, capture_output=True, check=True).stdout


def sections(markdown: str) -> dict[str, str]:
    """`## heading` → its text, with HTML tags and code fences removed (what a person would retype)."""
    out: dict[str, str] = {}
    for block in re.split(r"^## ", markdown, flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        body = re.sub(r"</?(details|summary)>", "", body)
        body = re.sub(r"^\s*```\w*\s*$", "", body, flags=re.M)
        lines = [line.strip() for line in body.splitlines()]
        out[heading.strip().replace("`", "")] = "\n".join(line for line in lines if line)
    return out


def docx_of(title: str, parts: dict[str, str], target: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, 0)
    for heading, body in parts.items():
        document.add_heading(heading, 1)
        for line in body.splitlines():
            document.add_paragraph(line.lstrip("- "), style="List Bullet" if line.startswith("- ") else None)
    document.save(target)
    return target


def pptx_of(title: str, parts: dict[str, str], target: Path) -> Path:
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = title
    for heading, body in parts.items():
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = heading
        lines = body.splitlines()
        slide.placeholders[1].text_frame.text = "\n".join(lines[:6])
        if len(lines) > 6:
            slide.notes_slide.notes_text_frame.text = "\n".join(lines[6:])
    deck.core_properties.title = title
    deck.save(target)
    return target


def soffice(source: Path, target_ext: str, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as home:
        subprocess.run(
            ["soffice", "--headless", "--norestore", "--convert-to", target_ext, "--outdir", home, str(source)],
            check=True,
            capture_output=True,
            env={"HOME": home, "PATH": "/usr/bin:/bin"},
        )
        produced = Path(home) / f"{source.stem}.{target_ext.split(':')[0]}"
        shutil.move(produced, out)
    return out


def rows_of(expects: list[dict]) -> list[list[object]]:
    header = ["入力住所", "正規化した住所", "都道府県", "市区町村", "町字", "緯度", "経度", "全国地方公共団体コード"]
    rows: list[list[object]] = [header]
    for item in expects:
        r = item["result"]
        rows.append(
            [item["query"]["input"], r["output"], r["pref"], r["city"], r["oaza_cho"], r["lat"], r["lon"], r["lg_code"]]
        )
    return rows


def office_files(parts: dict[str, str], contributing: dict[str, str], work: Path) -> None:
    """The Word, PowerPoint, PDF, HTML and scan files, from the README's and CONTRIBUTING's sections."""
    import pypdfium2 as pdfium

    keys = list(contributing)
    second = {k: contributing[k] for k in keys[len(keys) // 2 :]}
    docx_of("コントリビューションの手順", second, HERE / "contributing.docx")
    soffice(
        docx_of("ブランチの使い分け", {k: second[k] for k in list(second)[:2]}, work / "branches.docx"),
        "doc",
        HERE / "contributing-old.doc",
    )
    download = {k: parts[k] for k in parts if "download" in k or "update" in k}
    soffice(
        docx_of("abrg download と update-check", download, work / "download.docx"), "pdf", HERE / "abrg-download.pdf"
    )
    pptx_of("abrg コマンドの使い方", {k: parts[k] for k in parts if k == "abrgコマンド"}, HERE / "abrg-commands.pptx")
    serve = {k: parts[k] for k in parts if "serve" in k}
    soffice(pptx_of("abrg serve の使い方", serve, work / "serve.pptx"), "ppt", HERE / "abrg-serve.ppt")
    usecases = docx_of(
        "abr-geocoder でできること", {k: parts[k] for k in ("ユースケース", "できないこと")}, work / "usecases.docx"
    )
    soffice(usecases, "html:HTML (StarWriter)", HERE / "abr-usecases.html")
    features = docx_of("abr-geocoder の特徴", {k: parts[k] for k in ("説明", "特徴")}, work / "features.docx")
    pdf = pdfium.PdfDocument(str(soffice(features, "pdf", work / "features.pdf")))
    pages = [pdf[i].render(scale=200 / 72).to_pil().convert("L") for i in range(len(pdf))]
    pages[0].save(HERE / "abr-features-scan.pdf", save_all=True, append_images=pages[1:], resolution=200)
    pdf[0].render(scale=200 / 72).to_pil().convert("L").save(HERE / "abr-features-photo.png")
    pdf.close()


def tables(abr: Path, work: Path) -> None:
    """The spreadsheets and the Shift_JIS CSV, from abr-geocoder's end-to-end test expectations."""
    import openpyxl

    def workbook(title: str, rows: list[list[object]], target: Path) -> Path:
        book = openpyxl.Workbook()
        book.active.title = title
        for row in rows:
            book.active.append(row)
        book.save(target)
        return target

    general = json.loads(git_show(abr, "e2e/test-data/general-test-cases/expects.json"))
    workbook("住所の正規化結果", rows_of(general), HERE / "geocoder-general.xlsx")
    basic = json.loads(git_show(abr, "e2e/test-data/basic-test-cases/expects.json"))
    soffice(workbook("基本の住所", rows_of(basic), work / "basic.xlsx"), "xls", HERE / "geocoder-basic.xls")
    issues = []
    for folder in ("issue122", "issue123", "issue131"):
        issues += json.loads(git_show(abr, f"e2e/test-data/{folder}/expects.json"))
    lines = [",".join("" if v is None else str(v) for v in row) for row in rows_of(issues)]
    # as Excel saves "CSV (Shift_JIS)": characters CP932 lacks (the figure dash U+2012 of issue 131) become "?"
    (HERE / "geocoder-issues.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932", "replace"))


def build(pdfminer: Path, abr: Path) -> None:
    for name in ("jo.pdf", "simple3.pdf"):
        (HERE / name).write_bytes(git_show(pdfminer, f"samples/{name}"))
    (HERE / "python-intro-iso2022jp.txt").write_bytes(PYTHON_INTRO.encode("iso2022_jp"))
    (HERE / "python-intro-eucjp.txt").write_bytes(PYTHON_INTRO.encode("euc_jp"))
    (HERE / "python-intro-sjis.txt").write_bytes(PYTHON_INTRO.encode("shift_jis"))
    readme = git_show(abr, "README.ja.md").decode("utf-8")
    # the README's sections that no other file carries (the others are laid out as Word, PDF, PowerPoint …)
    blocks = re.split(r"^(?=## )", readme, flags=re.M)
    kept = [b for b in blocks[1:] if b.startswith(("## 🚨", "## インストール"))]
    (HERE / "abr-geocoder-upgrade.md").write_text(blocks[0] + "".join(kept), encoding="utf-8")
    parts = sections(readme)
    contributing_md = git_show(abr, "CONTRIBUTING/CONTRIBUTING.ja.md").decode("utf-8")
    contributing = sections(re.sub(r"^# ", "## ", contributing_md, flags=re.M))
    keys = list(contributing)
    first = "\n\n".join(f"{k}\n{contributing[k]}" for k in keys[: len(keys) // 2])
    (HERE / "KOUKEN.DOC").write_bytes(first.encode("cp932", "replace"))  # Shift_JIS text under an old Word name
    with tempfile.TemporaryDirectory() as tmp:
        office_files(parts, contributing, Path(tmp))
        tables(abr, Path(tmp))
    mail = MIMEText(parts["説明"] + "\n\n" + parts["できないこと"], "plain", "iso-2022-jp")  # as older mailers write
    mail["Subject"] = Header("abr-geocoder の説明と特徴", "iso-2022-jp")
    mail["From"] = f"{Header('案内係', 'iso-2022-jp').encode()} <guide@example.jp>"
    mail["To"] = "member@example.jp"
    mail["Date"] = "Mon, 06 Oct 2025 10:00:00 +0900"
    (HERE / "abr-announcement.eml").write_bytes(mail.as_bytes())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pdfminer", type=Path, required=True)
    parser.add_argument("--abr", type=Path, required=True)
    arguments = parser.parse_args()
    if shutil.which("soffice") is None:
        raise SystemExit("LibreOffice (soffice) is needed: scripts/install-system-packages.sh")
    build(arguments.pdfminer, arguments.abr)
