"""The sample corpus: a fictional maker school's documents in several formats, indexed on first start.

`corpus/samples/` holds the files. The Markdown, HTML, text and JSONL files are written by hand; the CSV (in
Shift_JIS), Word, Excel and PDF files are generated from the texts below and committed:

    python -m corpus.sample_corpus

This is kept in the repository so a learner can see how each format was made and change the samples.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"
SAMPLE_COLLECTION = "samples"

FAQ = [
    ("質問", "回答"),
    (
        "見学だけでもできますか？",
        "はい。開館時間内ならいつでも見学できます。ビジター料金（1回500円）で体験講座にも参加できます。",
    ),
    (
        "3Dプリンターは何時間前までに予約すればいいですか？",
        "使う日の前日の午後9時までに、会員ページから予約してください。当日の空き枠は受付で申し込めます。",
    ),
    (
        "材料は持ち込めますか？",
        "木材とアクリル板は持ち込めます。塩化ビニル（PVC）などレーザー加工で有毒なガスが出る材料は持ち込みも加工もできません。",
    ),
    (
        "子どもだけで利用できますか？",
        "小中学生は保護者の同伴が必要です。高校生は保護者の同意書があれば一人で利用できます。",
    ),
    (
        "作ったものを販売してもいいですか？",
        "はい、会員が工房で作ったものは自由に販売できます。ただし工房の名前を使うときは事前に相談してください。",
    ),
    (
        "退会するにはどうすればいいですか？",
        "退会したい月の20日までに受付で退会届を出してください。翌月から会費はかかりません。",
    ),
]

EQUIPMENT_RULES = [
    ("h1", "機材利用ルール"),
    ("p", "機材はすべて予約制です。予約は会員ページから、使う日の前日の午後9時まで受け付けます。"),
    ("h2", "3Dプリンター"),
    (
        "p",
        "1回の予約は1時間単位で、1日に最大3時間までです。造形に2時間以上かかる場合は、枠を続けて予約してください。"
        "造形中に工房を離れるときは、受付に声をかけてください。フィラメントはPLAのみ使えます（1グラム5円）。",
    ),
    ("h2", "レーザーカッター"),
    (
        "p",
        "安全講習を修了した会員だけが使えます。加工中は機械から離れないでください。"
        "加工できる材料は木材（厚さ5mmまで）とアクリル板（厚さ3mmまで）です。",
    ),
    ("h2", "はんだごて・電子工作"),
    ("p", "はんだごては予約なしで使えます。使い終わったらこて台に戻し、電源を切ってください。"),
    (
        "table",
        [
            ("機材", "予約", "料金"),
            ("3Dプリンター", "必要（1時間単位）", "1時間200円＋材料費"),
            ("レーザーカッター", "必要（30分単位）", "30分300円"),
            ("はんだごて", "不要", "無料"),
            ("ボール盤", "不要", "無料"),
        ],
    ),
]

SCHEDULE = [
    ("日付", "講座名", "講師", "定員", "参加費"),
    ("2026-12-05", "はじめてのArduino", "佐藤", 10, 1500),
    ("2026-12-12", "レーザーカッター安全講習", "鈴木", 8, 0),
    ("2026-12-19", "木工でつくるスマホスタンド", "高橋", 12, 1000),
    ("2027-01-09", "3Dプリンター講習会", "田中", 8, 500),
    ("2027-01-16", "親子で電子工作", "伊藤", 10, 800),
]

NEWSLETTER = [
    "塾だより 2026年12月号",
    "今月から土曜日の開館時間を午後6時まで延長しました。",
    "11月の安全講習では10人がレーザーカッターの修了カードを受け取りました。",
    "冬休み中の12月29日から1月3日までは休館します。",
    "忘れ物の保護めがね3個を受付で預かっています。",
]


def write_faq_csv(path: Path) -> None:
    """The FAQ as CSV in Shift_JIS (CP932), as many Japanese office PCs still save it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(FAQ)
    path.write_bytes(buffer.getvalue().encode("cp932"))


def write_equipment_docx(path: Path) -> None:
    """The equipment rules as a Word document with headings and a table."""
    import docx

    document = docx.Document()
    document.core_properties.title = "機材利用ルール"
    for kind, value in EQUIPMENT_RULES:
        if kind == "h1":
            document.add_heading(value, level=1)
        elif kind == "h2":
            document.add_heading(value, level=2)
        elif kind == "p":
            document.add_paragraph(value)
        else:
            table = document.add_table(rows=0, cols=len(value[0]))
            for row in value:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
    document.save(str(path))


def write_schedule_xlsx(path: Path) -> None:
    """The course schedule as an Excel workbook."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "冬期講座"
    for row in SCHEDULE:
        sheet.append(list(row))
    workbook.properties.title = "講座スケジュール"
    workbook.save(path)


def write_newsletter_pdf(path: Path) -> None:
    """The newsletter as a PDF with reportlab's built-in Japanese CID font (no font file needed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.setTitle(NEWSLETTER[0])
    y = 800
    for i, line in enumerate(NEWSLETTER):
        pdf.setFont("HeiseiKakuGo-W5", 16 if i == 0 else 11)
        pdf.drawString(60, y, line)
        y -= 30 if i == 0 else 20
    pdf.save()


def main() -> None:
    """Write all generated samples into `corpus/samples/`."""
    write_faq_csv(SAMPLES_DIR / "faq.csv")
    write_equipment_docx(SAMPLES_DIR / "equipment_rules.docx")
    write_schedule_xlsx(SAMPLES_DIR / "schedule.xlsx")
    write_newsletter_pdf(SAMPLES_DIR / "newsletter.pdf")


if __name__ == "__main__":
    main()
