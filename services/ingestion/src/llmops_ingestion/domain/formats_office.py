"""A Word document (.docx) into heading-scoped sections (python-docx).

Paragraphs styled "Heading N" (or a style based on one) open sections at level N and the "Title"
style is the level above them, so heading paths match what Word's navigation pane shows. Tables come
back at their place in the body as one ``cell | cell | cell`` line per row. Headers, footers,
footnotes, comments and text boxes are not read: they are page furniture or asides.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.styles.style import CharacterStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from llmops_ingestion.domain.decoding import UnreadableDocument
from llmops_ingestion.domain.extraction import ExtractedText, SectionBuilder

HEADING_STYLE = re.compile(r"heading (\d)", re.IGNORECASE)
TITLE_LEVEL = 0  # the Title style sits above Heading 1
TABLE_CELL_SEPARATOR = " | "
STYLE_DEPTH = 10  # base styles followed at most
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy .doc container


def read_docx(content: bytes) -> tuple[ExtractedText, str]:
    """The text and what was done ("DOCX, 12 paragraphs, 3 headings, 1 table"); UnreadableDocument with the reason."""
    if content.startswith(OLE_MAGIC):
        raise UnreadableDocument("the file is a legacy Word .doc (binary) document; only .docx is supported")
    try:
        document = docx.Document(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise UnreadableDocument("the file is not a DOCX document (it is not a zip package)") from None
    # A zip without Word's parts (KeyError, PackageNotFoundError), another Office type such as .xlsx
    # (ValueError), or broken XML inside (lxml's XMLSyntaxError is a SyntaxError).
    except (KeyError, ValueError, PackageNotFoundError, SyntaxError):
        raise UnreadableDocument("the file is a zip package but not a readable Word (.docx) document") from None
    builder = SectionBuilder()
    title, paragraphs, headings, tables = "", 0, 0, 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            tables += 1
            for row in _table_rows(block):  # one block per row, so a chunk boundary never cuts a row
                builder.body(row)
            continue
        text = " ".join(block.text.split())
        if not text:
            continue
        level = _heading_level(block)
        if level is None:
            paragraphs += 1
            builder.body(text)
        else:
            headings += 1
            title = title or text
            builder.heading(level, text)
    sections = builder.finish()
    if not any(section.text for section in sections):
        raise UnreadableDocument("the DOCX contains no text")
    title = title or (document.core_properties.title or "").strip() or sections[0].text.split("\n", 1)[0]
    detail = f"DOCX, {paragraphs} paragraphs, {headings} headings, {tables} table{'' if tables == 1 else 's'}"
    return ExtractedText(title[:200], sections), detail


def _heading_level(paragraph: Paragraph) -> int | None:
    """Heading N or Title, also through a custom style based on one of them."""
    style: CharacterStyle | None = paragraph.style
    for _ in range(STYLE_DEPTH):  # bounded: a damaged file can make its styles' bases a cycle
        if style is None:
            break
        name = style.name or ""
        if name.casefold() == "title":
            return TITLE_LEVEL
        if match := HEADING_STYLE.fullmatch(name):
            return int(match.group(1))
        style = style.base_style
    return None


def _table_rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        # A merged cell is returned once per grid column it spans; keep it once.
        cells = row.cells
        texts = [
            " ".join(cell.text.split()) for i, cell in enumerate(cells) if i == 0 or cell._tc is not cells[i - 1]._tc
        ]
        if any(texts):
            rows.append(TABLE_CELL_SEPARATOR.join(texts))
    return rows
