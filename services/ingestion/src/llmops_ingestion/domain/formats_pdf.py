"""A PDF's text layer into heading-scoped sections, with its ruled tables kept row by row (pdfplumber).

A PDF has no paragraphs or headings, only positioned characters, so both are inferred: a line set in
a font clearly larger than the body text is a heading (larger sizes are higher levels), and lines
close together form a paragraph. Tables that pdfplumber finds (ruled ones) leave the text flow and
come back at their place as one ``cell | cell | cell`` line per row, so a value stays with its row
instead of dissolving into word soup. Lines recurring on most pages (running titles, page numbers)
are dropped with the same rule as in plain-text exports. Pages without a text layer are scanned
images: they are reported, never OCRed.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.psexceptions import PSException
from pdfplumber.page import Page
from pdfplumber.utils.exceptions import PdfminerException

from llmops_ingestion.domain.decoding import UnreadableDocument
from llmops_ingestion.domain.extraction import (
    ExtractedText,
    SectionBuilder,
    furniture_key,
    join_lines,
    recurring_furniture,
)

# A line at least this much larger than the body text is a heading; sizes are rounded to half points
# so that 11.96 and 12.0 are one size.
HEADING_SIZE_RATIO = 1.15
HEADING_MAX_CHARS = 150
SIZE_STEP = 0.5
# A vertical gap larger than this share of the line's font size between two lines starts a new paragraph.
PARAGRAPH_GAP = 0.8
BULLET = re.compile(r"^\s*([•◦▪‣\-–*]|\d{1,3}[.)])\s")
TABLE_CELL_SEPARATOR = " | "
HEADER_BYTES = 1024  # where the %PDF- marker must appear


@dataclass(frozen=True)
class _Line:
    top: float
    bottom: float
    text: str
    size: float


@dataclass(frozen=True)
class _Table:
    top: float
    rows: tuple[str, ...]


@dataclass
class _Page:
    lines: list[_Line] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)
    has_images: bool = False

    @property
    def has_text(self) -> bool:
        return bool(self.lines or self.tables)


def read_pdf(content: bytes) -> tuple[ExtractedText, str]:
    """The text and what was done ("PDF, 3 pages, 1 table"); UnreadableDocument with the reason."""
    if b"%PDF-" not in content[:HEADER_BYTES]:
        raise UnreadableDocument("the file is not a PDF (it has no %PDF- header)")
    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            pages = [_read_page(page) for page in pdf.pages]
            metadata_title = pdf.metadata.get("Title")
    except PdfminerException as error:
        raise UnreadableDocument(_reason(error.args[0] if error.args else error)) from None
    except PSException as error:  # raised while reading a page's content, after opening succeeded
        raise UnreadableDocument(_reason(error)) from None
    scanned = sum(not page.has_text and page.has_images for page in pages)
    if not any(page.has_text for page in pages):
        if scanned:
            raise UnreadableDocument("the PDF has no text layer (it looks scanned); OCR is not supported")
        raise UnreadableDocument("the PDF contains no text")
    extracted = _sections(pages, metadata_title if isinstance(metadata_title, str) else "")
    tables = sum(len(page.tables) for page in pages)
    detail = f"PDF, {_count(len(pages), 'page')}, {_count(tables, 'table')}"
    if scanned:
        detail += f"; {_count(scanned, 'page')} without a text layer (scanned) skipped"
    return extracted, detail


def _reason(error: object) -> str:
    if isinstance(error, PDFPasswordIncorrect | PDFEncryptionError):
        return "the PDF is encrypted with a password; encrypted PDFs are not supported"
    return f"the PDF is corrupt or truncated and cannot be parsed ({error or type(error).__name__})"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _read_page(page: Page) -> _Page:
    found = page.find_tables()
    boxes = [table.bbox for table in found]

    def outside_tables(obj: dict[str, Any]) -> bool:
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    text_flow = page.filter(outside_tables) if boxes else page
    lines = [
        _Line(line["top"], line["bottom"], " ".join(line["text"].split()), _font_size(line["chars"]))
        for line in text_flow.extract_text_lines(return_chars=True)
        if line["text"].strip()
    ]
    tables = [_Table(table.bbox[1], rows) for table in found if (rows := _table_rows(table.extract()))]
    return _Page(lines, tables, has_images=bool(page.images))


def _font_size(chars: list[dict[str, Any]]) -> float:
    sizes = Counter(round(char["size"] / SIZE_STEP) * SIZE_STEP for char in chars if not char["text"].isspace())
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _table_rows(cells: list[list[str | None]]) -> tuple[str, ...]:
    # None marks the columns a merged cell spans; "" is a cell that is really empty and keeps its place.
    rows = [[" ".join(cell.split()) for cell in row if cell is not None] for row in cells]
    return tuple(TABLE_CELL_SEPARATOR.join(row) for row in rows if any(row))


def _sections(pages: list[_Page], metadata_title: str) -> ExtractedText:
    furniture = recurring_furniture([[line.text for line in page.lines] for page in pages])
    for page in pages:
        page.lines = [line for line in page.lines if furniture_key(line.text) not in furniture]
    levels = _heading_levels([line for page in pages for line in page.lines])
    builder = SectionBuilder()
    paragraph: list[_Line] = []
    heading: list[_Line] = []  # a heading set over two lines is one heading
    headings: list[str] = []

    def flush() -> None:
        if heading:
            headings.append(join_lines(line.text for line in heading))
            builder.heading(levels[heading[0].size], headings[-1])
            heading.clear()
        builder.body(join_lines(line.text for line in paragraph))
        paragraph.clear()

    for page in pages:
        items: list[_Line | _Table] = sorted([*page.lines, *page.tables], key=lambda item: item.top)
        for item in items:
            if isinstance(item, _Table):
                flush()
                for row in item.rows:  # one block per row, so a chunk boundary never cuts a row
                    builder.body(row)
            elif item.size in levels and len(item.text) <= HEADING_MAX_CHARS:
                if paragraph or (heading and heading[-1].size != item.size):
                    flush()
                heading.append(item)
            else:
                if heading or (paragraph and _starts_paragraph(paragraph[-1], item)):
                    flush()
                paragraph.append(item)
        flush()  # a paragraph that runs over a page break is cut there: the page footer sat between
    sections = builder.finish()
    title = (
        metadata_title.strip() or next(iter(headings), "") or (sections[0].text.split("\n", 1)[0] if sections else "")
    )
    return ExtractedText(title[:200], sections)


def _heading_levels(lines: list[_Line]) -> dict[float, int]:
    """Font size -> heading level (1 for the largest), for the sizes clearly above the body text's."""
    by_size: Counter[float] = Counter()
    for line in lines:
        by_size[line.size] += len(line.text)
    if not by_size:
        return {}
    body = by_size.most_common(1)[0][0]
    larger = sorted({size for size in by_size if size >= body * HEADING_SIZE_RATIO}, reverse=True)
    return {size: level for level, size in enumerate(larger, start=1)}


def _starts_paragraph(previous: _Line, line: _Line) -> bool:
    gap = line.top - previous.bottom
    return gap > PARAGRAPH_GAP * max(line.size, 1.0) or line.size != previous.size or bool(BULLET.match(line.text))
