"""One entry point from a file's bytes to its extracted text, whatever the format.

Text formats (plain text, Markdown, HTML, CSV, JSON, JSONL) are decoded first, with encoding
detection and mojibake repair (decoding.py); PDF and DOCX carry their own encoding, so their text is
repaired after it is taken out, since a PDF's text layer can be mojibake too. Every failure is an
UnreadableDocument whose message is the reason in one sentence, fit to show to whoever sent the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmops_ingestion.domain.decoding import RepairedText, UnreadableDocument, decode_document, repair_text
from llmops_ingestion.domain.extraction import ContentType, ExtractedText, Section, extract
from llmops_ingestion.domain.formats_office import read_docx
from llmops_ingestion.domain.formats_pdf import read_pdf
from llmops_ingestion.domain.formats_records import read_csv, read_json, read_jsonl

__all__ = ["DEFAULT_OPTIONS", "FormatOptions", "ReadDocument", "UnreadableDocument", "read_document"]

# Binary formats often sent under a text name; saying which one beats "contains NUL bytes".
BINARY_SIGNATURES = {
    b"%PDF-": "a PDF",
    b"PK\x03\x04": "a zip archive (DOCX, XLSX or another)",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "a legacy Office document (.doc, .xls)",
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
}


@dataclass(frozen=True)
class FormatOptions:
    """How the record formats are read; the other formats need no choices."""

    json_text_fields: tuple[str, ...] = ("text", "content", "body")  # every one present is kept, in this order
    json_title_field: str = "title"  # a field name or dotted path ("meta.title")
    csv_rows_per_section: int = 20  # rows under one "Rows 1–20" heading

    def __post_init__(self) -> None:
        if not self.json_text_fields or self.csv_rows_per_section < 1:
            raise ValueError("FormatOptions needs at least one JSON text field and one CSV row per section")


@dataclass(frozen=True)
class ReadDocument:
    extracted: ExtractedText
    detail: str  # what was done: "decoded as utf-8; repaired mojibake", "PDF, 3 pages, 1 table"


DEFAULT_OPTIONS = FormatOptions()


def read_document(content: bytes, content_type: ContentType, options: FormatOptions = DEFAULT_OPTIONS) -> ReadDocument:
    """The document's title and sections, or UnreadableDocument saying why it cannot be read."""
    if not content:
        raise UnreadableDocument("the file is empty")
    if content_type is ContentType.PDF:
        return _repaired(*read_pdf(content))
    if content_type is ContentType.DOCX:
        return _repaired(*read_docx(content))
    for signature, kind in BINARY_SIGNATURES.items():
        if content.startswith(signature):
            raise UnreadableDocument(f"the file is {kind}, not {content_type.value} text")
    decoded = decode_document(content)
    if content_type is ContentType.CSV:
        extracted, detail = read_csv(decoded.text, options.csv_rows_per_section)
    elif content_type is ContentType.JSON:
        # JSON strings can spell mojibake in \u escapes, which decoding saw as plain ASCII.
        read = _repaired(*read_json(decoded.text, options.json_text_fields, options.json_title_field))
        extracted, detail = read.extracted, read.detail
    elif content_type is ContentType.JSONL:
        read = _repaired(*read_jsonl(decoded.text, options.json_text_fields, options.json_title_field))
        extracted, detail = read.extracted, read.detail
    else:
        extracted, detail = extract(decoded.text, content_type), ""
    return ReadDocument(extracted, "; ".join(filter(None, [decoded.detail, detail])))


def _repaired(extracted: ExtractedText, detail: str) -> ReadDocument:
    """Mojibake repair of text taken out of a container, section by section so the structure stays."""
    repairs: list[RepairedText] = []

    def repaired(text: str) -> str:
        repair = repair_text(text)
        repairs.append(repair)
        return repair.text

    sections = tuple(
        Section(tuple(repaired(heading) for heading in section.heading_path), repaired(section.text))
        for section in extracted.sections
    )
    title = repaired(extracted.title)
    changed = [repair for repair in repairs if repair.repaired]
    if changed:
        lossy_repairs = [repair.lossy for repair in changed if repair.lossy is not None]
        spans = sum(len(repair.spans) for repair in lossy_repairs)
        pages = ", ".join(sorted({repair.codepage for repair in lossy_repairs}))
        lossy = f" (lossy, UTF-8 read as {pages}, in {spans} span{'s' if spans > 1 else ''})" if spans else ""
        detail += f"; repaired mojibake in {len(changed)} of {len(repairs)} text parts{lossy}"
    return ReadDocument(ExtractedText(title, sections), detail)
