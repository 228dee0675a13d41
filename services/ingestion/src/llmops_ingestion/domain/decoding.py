"""Bytes to clean text: encoding detection (charset-normalizer), lossy mojibake repair, then ftfy."""

from __future__ import annotations

from dataclasses import dataclass, field

import charset_normalizer
import ftfy

from llmops_ingestion.domain.mojibake import MojibakeRepair, repair_lossy_mojibake

# Keep full-width CJK punctuation and curly quotes: they are content, not damage.
FIX_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, normalization="NFC")


class UnreadableDocument(ValueError):
    """The content cannot be read as a document; the message says why in one human sentence.

    The base of every reading failure (see reading.py); it lives here because decoding is the layer
    every reader of text formats goes through.
    """


class UndecodableDocument(UnreadableDocument):
    """The bytes are not text in any encoding we can recognise."""


@dataclass(frozen=True)
class RepairedText:
    text: str
    repaired: bool  # the text differs from the input (lossy repair or ftfy)
    lossy: MojibakeRepair | None = None  # the lossy repair's report, when it repaired anything

    @property
    def note(self) -> str:
        """What the repair did, for a result's detail; empty when it changed nothing."""
        if self.lossy is not None:
            spans, chars, unsure = len(self.lossy.spans), self.lossy.repaired_characters, self.lossy.uncertain
            plural = "s" if spans > 1 else ""
            note = f"repaired mojibake (lossy, UTF-8 read as {self.lossy.codepage}) in {spans} span{plural}"
            return note + f" ({chars} characters, {unsure} uncertain)"
        return "repaired mojibake" if self.repaired else ""


@dataclass(frozen=True)
class DecodedText(RepairedText):
    encoding: str = field(kw_only=True)

    @property
    def detail(self) -> str:
        return "; ".join(filter(None, [f"decoded as {self.encoding}", self.note]))


def decode_document(raw: bytes) -> DecodedText:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(raw).best()
        if best is None:
            raise UndecodableDocument("the content is not text in any recognised encoding") from None
        text, encoding = str(best), best.encoding
    if "\x00" in text:
        raise UndecodableDocument("the content contains NUL bytes; binary files are not supported")
    repair = repair_text(text)
    return DecodedText(repair.text, repair.repaired, repair.lossy, encoding=encoding)


def repair_text(text: str) -> RepairedText:
    """Mojibake repaired in text that is already decoded (also text taken out of a PDF or DOCX)."""
    # Lossy repair first: ftfy, meeting a span it cannot decode whole, fixes the complete sequences inside
    # it and leaves the broken ones stranded among clean characters, without the neighbours that mark the
    # span as damage. ftfy then still handles what the lossy repair does not (other code pages, double
    # encoding, ligatures); on text the lossy repair already fixed it has nothing left to do.
    lossy = repair_lossy_mojibake(text)
    fixed = ftfy.fix_text(lossy.text, FIX_CONFIG)
    return RepairedText(fixed, repaired=fixed != text, lossy=lossy if lossy.spans else None)
