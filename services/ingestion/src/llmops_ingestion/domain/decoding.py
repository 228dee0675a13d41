"""Bytes to clean text: encoding detection (charset-normalizer) and mojibake repair (ftfy)."""

from __future__ import annotations

from dataclasses import dataclass

import charset_normalizer
import ftfy

# Keep full-width CJK punctuation and curly quotes: they are content, not damage.
FIX_CONFIG = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, normalization="NFC")


class UndecodableDocument(ValueError):
    """The bytes are not text in any encoding we can recognise."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    repaired: bool

    @property
    def detail(self) -> str:
        note = f"decoded as {self.encoding}"
        return note + ("; repaired mojibake" if self.repaired else "")


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
    fixed = ftfy.fix_text(text, FIX_CONFIG)
    return DecodedText(fixed, encoding, repaired=fixed != text)
