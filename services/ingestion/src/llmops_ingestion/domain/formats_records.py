"""Records into sections: CSV rows, JSON and JSON Lines records, from text already decoded.

A CSV row is written out with its column names ("Fare class: Flex; Change fee: 0 EUR") so that a
chunk holding it can be read without the header; rows are grouped into sections of a fixed size
whose heading says which rows they are. A JSON record gives the text of its configured text fields
(every one present, in the configured order) under its title, one section per record.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from llmops_ingestion.domain.decoding import UnreadableDocument
from llmops_ingestion.domain.extraction import ExtractedText, Section

CSV_DELIMITERS = ",;\t|"
CSV_SNIFF_CHARS = 64 * 1024  # enough rows for the sniffer to see the delimiter
LISTED_BAD_LINES = 5  # JSONL line numbers named in the detail; the rest are counted


def read_csv(text: str, rows_per_section: int) -> tuple[ExtractedText, str]:
    """Header-aware rows; the first row is taken as the header (CSV says nothing about it)."""
    # Only the delimiter is sniffed: the sniffer guesses quoting wrong (it misses doubled quotes), and
    # RFC 4180's rules, which Excel and most exporters write, are the ones to read with.
    try:
        delimiter = csv.Sniffer().sniff(text[:CSV_SNIFF_CHARS], CSV_DELIMITERS).delimiter
    except csv.Error:  # one column, or too few rows to tell: the comma reads both
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        rows = [[" ".join(cell.split()) for cell in row] for row in reader]
    except csv.Error as error:
        raise UnreadableDocument(f"the CSV cannot be parsed at line {reader.line_num}: {error}") from None
    rows = [row for row in rows if any(row)]
    if len(rows) < 2:
        raise UnreadableDocument("the CSV has no data rows" + (" under its header" if rows else ""))
    header = [name or f"column {i}" for i, name in enumerate(rows[0], start=1)]
    rendered = [_csv_row(header, row) for row in rows[1:]]
    groups = [rendered[start : start + rows_per_section] for start in range(0, len(rendered), rows_per_section)]
    sections = tuple(
        Section((_rows_heading(n * rows_per_section + 1, len(group)),), "\n\n".join(group))
        for n, group in enumerate(groups)
    )
    named = "" if delimiter == "," else f", delimiter {delimiter!r}"
    return ExtractedText("", sections), f"CSV, {len(rendered)} rows, {len(header)} columns{named}"


def _rows_heading(first: int, count: int) -> str:
    return f"Row {first}" if count == 1 else f"Rows {first}–{first + count - 1}"


def _csv_row(header: list[str], row: list[str]) -> str:
    names = [*header, *(f"column {i}" for i in range(len(header) + 1, len(row) + 1))]
    return "; ".join(f"{name}: {value}" for name, value in zip(names, row, strict=False) if value)


def read_json(text: str, text_fields: Sequence[str], title_field: str) -> tuple[ExtractedText, str]:
    """A record, a list of records, or an object holding a list of records (``{"items": [...]}``)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        # Several values one per line is JSON Lines under a .json name: say so.
        hint = "; it looks like JSON Lines (.jsonl)" if error.msg == "Extra data" else ""
        raise UnreadableDocument(
            f"the file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}{hint}"
        ) from None
    return _records(_unwrap(value, text_fields), text_fields, title_field, "JSON")


def read_jsonl(text: str, text_fields: Sequence[str], title_field: str) -> tuple[ExtractedText, str]:
    """One JSON value per line; bad lines are skipped and named in the detail, unless no line is good."""
    values: list[Any] = []
    bad: list[tuple[int, str]] = []
    # Split at \n only: JSON strings may hold U+2028 and other characters str.splitlines() breaks at.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except json.JSONDecodeError as error:
            bad.append((number, error.msg))
    if not values:
        if not bad:
            raise UnreadableDocument("the file contains no JSON lines")
        number, message = bad[0]
        raise UnreadableDocument(f"no line is valid JSON; line {number}: {message}")
    records = [record for value in values for record in _unwrap(value, text_fields)]
    extracted, detail = _records(records, text_fields, title_field, "JSONL")
    if bad:
        listed = ", ".join(str(number) for number, _ in bad[:LISTED_BAD_LINES])
        more = f" and {len(bad) - LISTED_BAD_LINES} more" if len(bad) > LISTED_BAD_LINES else ""
        detail += f"; skipped {len(bad)} invalid line{'s' if len(bad) > 1 else ''} ({listed}{more})"
    return extracted, detail


def _unwrap(value: Any, text_fields: Sequence[str]) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and not any(_texts(_field(value, name)) for name in text_fields):
        for inner in value.values():
            if isinstance(inner, list) and any(isinstance(item, dict) for item in inner):
                return inner
    return [value]


def _records(records: list[Any], text_fields: Sequence[str], title_field: str, kind: str) -> tuple[ExtractedText, str]:
    sections = [section for record in records if (section := _section(record, text_fields, title_field))]
    if not sections:
        if not records:
            raise UnreadableDocument(f"the {kind} holds no records")
        names = ", ".join(repr(name) for name in text_fields)
        raise UnreadableDocument(f"no {kind} record has any of the text fields {names}")
    # A single record's title is the document's; many records keep theirs as headings only.
    title = sections[0].heading if len(records) == 1 else ""
    detail = f"{kind}, {len(sections)} record{'s' if len(sections) > 1 else ''}"
    if len(sections) < len(records):
        detail += f"; {len(records) - len(sections)} without a text field skipped"
    return ExtractedText(title[:200], tuple(sections)), detail


def _section(record: Any, text_fields: Sequence[str], title_field: str) -> Section | None:
    if isinstance(record, str):  # a list of plain strings is a list of texts
        return Section((), record.strip()) if record.strip() else None
    if not isinstance(record, dict):
        return None
    # dict.fromkeys: "text" and "content" holding the same string is one text, not two.
    texts = list(dict.fromkeys(text for name in text_fields for text in _texts(_field(record, name))))
    if not texts:
        return None
    title = _field(record, title_field)
    heading = (" ".join(title.split()),) if isinstance(title, str) and title.strip() else ()
    return Section(heading, "\n\n".join(texts))


def _field(record: dict[str, Any], name: str) -> Any:
    """A field by name, or by a dotted path into nested objects ("fields.body")."""
    if name in record:
        return record[name]
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [item.strip() for item in value if isinstance(item, str) and item.strip()]
    return []
