"""read_document over real files: PDFs written with fpdf2, DOCX with python-docx, and one committed
Chinese PDF (tests/data/formats/make_fixtures.py, which needs a CJK font a test run does not have)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from fpdf import FPDF
from PIL import Image

from llmops_ingestion.domain.decoding import UndecodableDocument
from llmops_ingestion.domain.extraction import ContentType, content_type_for, extract
from llmops_ingestion.domain.reading import (
    DEFAULT_OPTIONS,
    FormatOptions,
    ReadDocument,
    UnreadableDocument,
    read_document,
)
from llmops_ingestion.settings import IngestionSettings

FORMATS = Path(__file__).resolve().parents[2] / "data" / "formats"
FARES = [
    ("Fare class", "Change fee", "Refund window"),
    ("Saver", "45 EUR", "none"),
    ("Flex", "0 EUR", "24 hours before departure"),
]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def _pdf(*pages: Sequence[tuple[str, Any]], password: str = "") -> bytes:
    """Pages of ("h1"|"h2"|"p"|"table"|"image"|"footer", payload) items, in Helvetica."""
    pdf = FPDF()
    pdf.set_auto_page_break(auto=False)
    if password:
        pdf.set_encryption(owner_password="owner", user_password=password)
    for items in pages:
        pdf.add_page()
        for kind, payload in items:
            if kind == "table":
                pdf.set_font("Helvetica", size=11)
                with pdf.table() as table:
                    for cells in payload:
                        row = table.row()
                        for cell in cells:
                            row.cell(cell)
            elif kind == "image":
                image = io.BytesIO()
                Image.new("RGB", (300, 200), "gray").save(image, "PNG")
                pdf.image(image, x=20, y=20, w=150)
            elif kind == "footer":
                pdf.set_font("Helvetica", size=9)
                pdf.set_xy(10, 285)
                pdf.cell(text=str(payload))
            else:
                pdf.set_font("Helvetica", size={"h1": 20, "h2": 15, "p": 11}[kind])
                pdf.multi_cell(0, 7, str(payload), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _docx(build: Callable[[DocxDocument], object]) -> bytes:
    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _lines(read: ReadDocument) -> list[str]:
    return [line for section in read.extracted.sections for line in section.text.splitlines()]


def _paths(read: ReadDocument) -> list[tuple[str, ...]]:
    return [section.heading_path for section in read.extracted.sections]


def _unreadable(content: bytes, content_type: ContentType, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    with pytest.raises(UnreadableDocument) as caught:
        read_document(content, content_type, options)
    return str(caught.value)


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("fares.PDF", ContentType.PDF),
        ("policy.docx", ContentType.DOCX),
        ("rows.csv", ContentType.CSV),
        ("faq.json", ContentType.JSON),
        ("faq.jsonl", ContentType.JSONL),
        ("faq.ndjson", ContentType.JSONL),
        ("notes.md", ContentType.MARKDOWN),
        ("legacy.doc", None),
        ("README", None),
    ],
)
def test_content_type_for_maps_the_new_suffixes(filename: str, expected: ContentType | None) -> None:
    assert content_type_for(filename) is expected


def test_text_types_are_decoded_then_extracted_as_before() -> None:
    source = "# Fares\n\nIntro.\n\n## Refunds\n\nPaid within 14 days.\n"
    read = read_document(source.encode("utf-8"), ContentType.MARKDOWN)
    assert read.extracted == extract(source, ContentType.MARKDOWN)
    assert read.detail == "decoded as utf-8"
    assert ("Fares", "Refunds") in _paths(read)


def test_extract_refuses_formats_it_does_not_read() -> None:
    with pytest.raises(ValueError, match="read_document"):
        extract("%PDF-1.7", ContentType.PDF)


def test_one_exception_family() -> None:
    assert issubclass(UndecodableDocument, UnreadableDocument)
    assert issubclass(UnreadableDocument, ValueError)


def test_settings_repeat_the_format_defaults() -> None:
    settings, defaults = IngestionSettings(), FormatOptions()
    assert tuple(settings.json_text_fields) == defaults.json_text_fields
    assert settings.json_title_field == defaults.json_title_field
    assert settings.max_file_bytes == 50 * 1024 * 1024


# PDF


def test_pdf_table_rows_stay_whole_under_their_heading() -> None:
    content = _pdf(
        [
            ("h1", "Fare Rules"),
            ("p", "Refunds are paid within 14 days of the request."),
            ("h2", "Change fees"),
            ("p", "The fees per fare class:"),
            ("table", FARES),
            ("p", "Fees are charged per passenger."),
        ],
        [("h2", "Baggage"), ("p", "One cabin bag of 8 kg is included.")],
    )
    read = read_document(content, ContentType.PDF)
    assert read.extracted.title == "Fare Rules"
    assert _paths(read) == [("Fare Rules",), ("Fare Rules", "Change fees"), ("Fare Rules", "Baggage")]
    change_fees = read.extracted.sections[1].text
    assert "Flex | 0 EUR | 24 hours before departure" in change_fees.splitlines()
    assert "Fare class | Change fee | Refund window" in change_fees.splitlines()
    # The table sits where it was: after its lead-in sentence, before the note below it.
    assert (
        change_fees.index("fees per fare class")
        < change_fees.index("Saver | 45 EUR")
        < change_fees.index("per passenger")
    )
    assert read.detail == "PDF, 2 pages, 1 table"


def test_pdf_running_footer_and_page_numbers_are_dropped() -> None:
    pages = [
        [("h2", f"Part {n}"), ("p", f"Body text of part {n}."), ("footer", f"ACME internal - page {n}")]
        for n in range(1, 5)
    ]
    read = read_document(_pdf(*pages), ContentType.PDF)
    text = read.extracted.text
    assert "ACME internal" not in text
    assert "Body text of part 3." in text


def test_pdf_mojibake_in_the_text_layer_is_repaired() -> None:
    read = read_document(_pdf([("p", "The cafÃ© on deck 5 serves crÃ¨me brÃ»lÃ©e.")]), ContentType.PDF)
    assert "The café on deck 5 serves crème brûlée." in read.extracted.text
    assert "repaired mojibake" in read.detail


def test_pdf_in_chinese() -> None:
    read = read_document((FORMATS / "chinese.pdf").read_bytes(), ContentType.PDF)
    assert read.extracted.title == "退票规则"
    assert _paths(read) == [("退票规则",)]
    lines = _lines(read)
    assert "经济舱 | 一百元 | 二百元" in lines
    # Wrapped lines of one Chinese paragraph are joined without spaces.
    assert "旅客在航班起飞前二十四小时以上申请退票的，免收退票费。退款将在十四个工作日内退回原支付账户。" in lines


def test_pdf_without_a_text_layer_is_called_scanned() -> None:
    reason = _unreadable(_pdf([("image", None)], [("image", None)]), ContentType.PDF)
    assert "no text layer" in reason and "scanned" in reason and "OCR" in reason


def test_pdf_with_some_scanned_pages_reads_the_rest_and_says_so() -> None:
    read = read_document(_pdf([("p", "Typed page.")], [("image", None)]), ContentType.PDF)
    assert read.extracted.text == "Typed page."
    assert "1 page without a text layer (scanned) skipped" in read.detail


def test_encrypted_pdf() -> None:
    assert "encrypted" in _unreadable(_pdf([("p", "Secret fares.")], password="user"), ContentType.PDF)


def test_corrupt_and_wrong_pdfs() -> None:
    good = _pdf([("p", "Fine.")])
    assert "corrupt or truncated" in _unreadable(good[: len(good) // 3], ContentType.PDF)
    assert "not a PDF" in _unreadable(b"plain words, not a PDF at all", ContentType.PDF)


# DOCX


def _policy(document: DocxDocument) -> None:
    document.add_heading("Travel Policy", level=0)
    document.add_paragraph("Applies to every trip booked after 1 May.")
    document.add_heading("Fares", level=1)
    document.add_heading("Change fees", level=2)
    document.add_paragraph("Changes cost the following:")
    table = document.add_table(rows=len(FARES) + 1, cols=3)
    for r, cells in enumerate(FARES):
        for c, value in enumerate(cells):
            table.cell(r, c).text = value
    note = table.cell(len(FARES), 0).merge(table.cell(len(FARES), 2))
    note.text = "Business fares change for free."
    chapter = document.styles.add_style("Policy Chapter", WD_STYLE_TYPE.PARAGRAPH)
    chapter.base_style = document.styles["Heading 2"]
    document.add_paragraph("Refunds", style="Policy Chapter")
    document.add_paragraph("Refunds are paid within 14 days.")
    document.add_heading("旅客须知", level=1)
    document.add_paragraph("请在航班起飞前两小时办理值机手续。")


def test_docx_headings_become_paths_and_tables_rows() -> None:
    read = read_document(_docx(_policy), ContentType.DOCX)
    assert read.extracted.title == "Travel Policy"
    assert _paths(read) == [
        ("Travel Policy",),
        ("Travel Policy", "Fares", "Change fees"),
        ("Travel Policy", "Fares", "Refunds"),  # a custom style based on Heading 2 is a level-2 heading
        ("Travel Policy", "旅客须知"),
    ]
    lines = _lines(read)
    assert "Saver | 45 EUR | none" in lines
    assert "Business fares change for free." in lines  # a merged cell once, not three times
    assert read.extracted.sections[-1].text.endswith("请在航班起飞前两小时办理值机手续。")
    assert read.detail == "DOCX, 4 paragraphs, 5 headings, 1 table"


def test_docx_mojibake_is_repaired() -> None:
    read = read_document(_docx(lambda d: d.add_paragraph("Le cafÃ© est fermÃ©.")), ContentType.DOCX)
    assert read.extracted.text == "Le café est fermé."


def test_files_that_are_not_docx() -> None:
    assert "not a zip package" in _unreadable(b"just some words", ContentType.DOCX)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("notes.txt", "hello")
    assert "not a readable Word" in _unreadable(archive.getvalue(), ContentType.DOCX)
    assert ".doc" in _unreadable(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, ContentType.DOCX)
    assert "contains no text" in _unreadable(_docx(lambda d: None), ContentType.DOCX)


# CSV


def test_csv_rows_carry_their_column_names_and_are_grouped() -> None:
    content = "\n".join(
        [
            "Fare class;Change fee;Notes",
            "Saver;45 EUR;",
            'Flex;0 EUR;"Free; also ""same day"""',
            "Business;0 EUR;Lounge",
        ]
    )
    read = read_document(content.encode("utf-8"), ContentType.CSV, FormatOptions(csv_rows_per_section=2))
    assert _paths(read) == [("Rows 1–2",), ("Row 3",)]
    assert _lines(read) == [
        "Fare class: Saver; Change fee: 45 EUR",  # an empty cell is left out, not "Notes: "
        "",
        'Fare class: Flex; Change fee: 0 EUR; Notes: Free; also "same day"',
        "Fare class: Business; Change fee: 0 EUR; Notes: Lounge",
    ]
    assert read.detail == "decoded as utf-8; CSV, 3 rows, 3 columns, delimiter ';'"


def test_csv_in_a_legacy_chinese_encoding() -> None:
    content = "舱位,退票费\n经济舱,二百元\n商务舱,免费\n".encode("gb18030")
    read = read_document(content, ContentType.CSV)
    assert _lines(read) == ["舱位: 经济舱; 退票费: 二百元", "", "舱位: 商务舱; 退票费: 免费"]


def test_csv_without_rows() -> None:
    assert "no data rows under its header" in _unreadable(b"a,b,c\n", ContentType.CSV)


@pytest.mark.parametrize("content_type", [ContentType.PLAIN_TEXT, ContentType.CSV, ContentType.JSON])
def test_binary_under_a_text_name(content_type: ContentType) -> None:
    assert _unreadable(PNG, content_type) == f"the file is a PNG image, not {content_type.value} text"
    assert "NUL bytes" in _unreadable(b"\x00\x01\x02binary" * 40, content_type)


@pytest.mark.parametrize("content_type", list(ContentType))
def test_empty_file(content_type: ContentType) -> None:
    assert _unreadable(b"", content_type) == "the file is empty"


# JSON and JSONL


def test_json_records_use_the_configured_fields() -> None:
    records = [
        {"question": "Can I change a Saver fare?", "answer": "Yes, for 45 EUR.", "text": "ignored"},
        {"question": "Is a cabin bag included?", "meta": {"answer": "Yes, 8 kg."}},
        {"question": "No answer here"},
    ]
    options = FormatOptions(json_text_fields=("answer", "meta.answer"), json_title_field="question")
    read = read_document(json.dumps({"items": records}).encode(), ContentType.JSON, options)
    assert [(s.heading_path, s.text) for s in read.extracted.sections] == [
        (("Can I change a Saver fare?",), "Yes, for 45 EUR."),
        (("Is a cabin bag included?",), "Yes, 8 kg."),
    ]
    assert read.extracted.title == ""  # many records: the caller's title or the document id wins
    assert read.detail == "decoded as utf-8; JSON, 2 records; 1 without a text field skipped"


def test_single_json_record_titles_the_document_and_keeps_every_text_field() -> None:
    record = {
        "title": "Refunds",
        "text": "Paid within 14 days.",
        "body": "Ask the desk.",
        "content": "Paid within 14 days.",
    }
    read = read_document(json.dumps(record).encode(), ContentType.JSON)
    assert read.extracted.title == "Refunds"
    assert read.extracted.text == "Paid within 14 days.\n\nAsk the desk."


def test_json_mojibake_in_escapes_is_repaired() -> None:
    read = read_document(b'{"text": "caf\\u00c3\\u00a9 au lait"}', ContentType.JSON)
    assert read.extracted.text == "café au lait"
    assert "repaired mojibake" in read.detail


def test_invalid_json_says_where() -> None:
    assert _unreadable(b'{"text": "a",\n  "title": }', ContentType.JSON).startswith(
        "the file is not valid JSON: Expecting value at line 2, column 12"
    )
    assert "JSON Lines" in _unreadable(b'{"text": "a"}\n{"text": "b"}\n', ContentType.JSON)


def test_json_without_text_fields_names_them() -> None:
    reason = _unreadable(b'[{"title": "x", "summary": "y"}]', ContentType.JSON)
    assert reason == "no JSON record has any of the text fields 'text', 'content', 'body'"


def test_jsonl_skips_bad_lines_and_reports_them() -> None:
    lines = ['{"title": "A", "text": "First."}', "{not json", "", '{"text": "Second."}', '["broken"', '"Third."']
    read = read_document("\n".join(lines).encode(), ContentType.JSONL)
    assert [s.text for s in read.extracted.sections] == ["First.", "Second.", "Third."]
    assert read.detail == "decoded as utf-8; JSONL, 3 records; skipped 2 invalid lines (2, 5)"


def test_jsonl_with_no_good_line_fails_with_its_line_number() -> None:
    assert _unreadable(b"\n{oops\n{also bad\n", ContentType.JSONL).startswith("no line is valid JSON; line 2:")
