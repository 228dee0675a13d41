"""Writes the committed format fixtures that need what a test run does not have: a CJK font.

    apt-get install fonts-droid-fallback   # DroidSansFallbackFull.ttf, a free CJK font
    .venv/bin/python tests/data/formats/make_fixtures.py

fpdf2 embeds only the glyphs used, so the PDF stays a few kilobytes. The Latin PDFs and the DOCX
files are written by the tests themselves (tests/unit/ingestion/test_formats.py).
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF, FontFace

HERE = Path(__file__).resolve().parent
CJK_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")


def chinese_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_font("droid", fname=str(CJK_FONT))
    pdf.add_page()
    pdf.set_font("droid", size=18)
    pdf.cell(text="退票规则", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("droid", size=11)
    pdf.multi_cell(0, 7, "旅客在航班起飞前二十四小时以上申请退票的，免收退票费。退款将在十四个工作日内退回原支付账户。")
    pdf.ln(3)
    with pdf.table(headings_style=FontFace(emphasis=None)) as table:  # the font has no bold face
        for cells in [("舱位", "改期费", "退票费"), ("经济舱", "一百元", "二百元"), ("商务舱", "免费", "免费")]:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    return bytes(pdf.output())


if __name__ == "__main__":
    (HERE / "chinese.pdf").write_bytes(chinese_pdf())
