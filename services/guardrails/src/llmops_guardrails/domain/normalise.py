"""Views of a text for the injection checks: what a model would read, not what a filter sees.

Attackers hide instructions from phrase filters while keeping them readable to a model: full-width
or mathematical letters, Cyrillic look-alikes, zero-width characters inside words, spaced letters,
Unicode tag characters, base64 / hex / rot13 payloads. ``views`` returns the text once normalised
(NFKC, invisible characters removed, look-alikes folded to Latin, spaced letters joined, Chinese
folded to Simplified) plus one extra view per decoded payload; every view is checked.

PII detection does not use these views: it needs character offsets into the text as sent.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import confusable_homoglyphs
from confusable_homoglyphs import categories
from hanziconv import HanziConv

# Zero-width and joiner characters, bidi embeddings/overrides/isolates, soft hyphen, word joiner,
# BOM, Mongolian vowel separator: invisible in a rendered prompt, so only obfuscation puts them
# inside words.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Unicode tag characters (U+E0020-E007E) mirror printable ASCII and render as nothing
# ("ASCII smuggling"); they are decoded, not just dropped.
TAG_CHARS = re.compile("[\U000e0020-\U000e007e]+")
# Scripts whose letters are never folded: Latin is the target; CJK has no Latin look-alikes that
# matter and folding them would corrupt Chinese text.
_UNFOLDED_SCRIPTS = {"LATIN", "COMMON", "HAN", "HIRAGANA", "KATAKANA", "HANGUL", "INHERITED"}
# Three or more single letters separated by one space, dot, dash or underscore: "i g n o r e".
SPACED_LETTERS = re.compile(r"(?<![^\W_])(?:[^\W\d_][ ._\-]){2,}[^\W\d_](?![^\W_])")
BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9_\-]{16,}={0,2}")
HEX_RUN = re.compile(r"(?:[0-9a-fA-F]{2}[\s:]?){8,}")
ROT13_HINT = re.compile(r"\brot[\s\-_]?13\b", re.IGNORECASE)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
URL_ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2}[^%\s]{0,12}){3,}")
# Digits and symbols standing in for letters ("1gn0r3 4ll"): folded only inside words that also
# have letters, so prices and order numbers stay as they are.
LEET = str.maketrans("013457@$", "oieastas")
LEET_WORD = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*[013457@$])[\w@$]+\b")


@dataclass(frozen=True)
class TextViews:
    """``normalised`` is what rules and the classifier read; ``decoded`` are hidden payloads."""

    normalised: str
    decoded: tuple[str, ...]
    obfuscated: bool  # invisible characters, tag characters or look-alike letters were removed

    @property
    def all(self) -> tuple[str, ...]:
        return (self.normalised, *self.decoded)


@cache
def homoglyph_table() -> dict[int, str]:
    """Look-alike letters of other scripts mapped to the ASCII letter or digit they imitate.

    Built from the Unicode confusables data that ``confusable_homoglyphs`` ships (offline), so the
    table covers Cyrillic, Greek, Armenian, Cherokee and the rest without a hand-kept list.
    """
    data_file = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    table: dict[int, str] = {}
    for char, homoglyphs in json.loads(data_file.read_text(encoding="utf-8")).items():
        if len(char) != 1 or categories.alias(char) in _UNFOLDED_SCRIPTS:
            continue
        for glyph in homoglyphs:
            target = glyph["c"]
            if len(target) == 1 and target.isascii() and target.isalnum():
                table[ord(char)] = _named_letter(char, target)
                break
    return table


def _named_letter(char: str, target: str) -> str:
    """The data pairs capital-I look-alikes with "l" (identical in most fonts); the character's
    Unicode name ("... CAPITAL LETTER ... I") says which letter the writer meant."""
    last_word = unicodedata.name(char, "").rsplit(" ", 1)[-1]
    if target in "l1" and last_word == "I":
        return "I"
    return target


def _printable(data: bytes) -> str | None:
    """Decoded bytes count as a payload only when they read as text (UTF-8, mostly printable)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    readable = sum(ch.isprintable() or ch.isspace() for ch in text)
    letters = sum(ch.isalpha() for ch in text)
    if len(text) < 6 or readable < 0.95 * len(text) or letters < 0.5 * len(text.replace(" ", "")):
        return None
    return text


def _decode_base64(run: str) -> str | None:
    padded = run + "=" * (-len(run) % 4)
    try:
        data = base64.b64decode(padded, altchars=b"-_" if ("-" in run or "_" in run) else None, validate=True)
    except (binascii.Error, ValueError):
        return None
    return _printable(data)


def _decode_hex(run: str) -> str | None:
    try:
        return _printable(bytes.fromhex(re.sub(r"[\s:]", "", run)))
    except ValueError:
        return None


def decoded_payloads(text: str) -> list[str]:
    """Text hidden as base64, hex, tag characters, or rot13 when the text says rot13."""
    found: list[str] = []
    for match in TAG_CHARS.finditer(text):
        found.append("".join(chr(ord(ch) - 0xE0000) for ch in match.group()))
    for match in BASE64_RUN.finditer(text):
        # Plain words and ids are also base64-alphabet runs; mixed case or digits hint at encoding.
        run = match.group()
        if not run.isalpha() or not (run.islower() or run.isupper()):
            decoded = _decode_base64(run)
            if decoded is not None:
                found.append(decoded)
    for match in HEX_RUN.finditer(text):
        decoded = _decode_hex(match.group())
        if decoded is not None:
            found.append(decoded)
    if ROT13_HINT.search(text):
        found.append(codecs.decode(text, "rot13"))
    if URL_ESCAPES.search(text):
        found.append(urllib.parse.unquote(text))
    leet = LEET_WORD.sub(lambda m: m.group().translate(LEET), text)
    if leet != text:
        found.append(leet)
    # One character per line or per word ("忽 / 略 / 以 / 上"): the characters joined, separators out.
    tokens = text.split()
    if len(tokens) >= 4 and sum(len(t) == 1 for t in tokens) >= 0.6 * len(tokens):
        found.append("".join(t for t in tokens if t not in SEPARATORS))
    # Text written backwards reads forwards when reversed; a reversed ordinary question is noise
    # to the rules, so this view costs nothing but time.
    found.append(text[::-1])
    return found


SEPARATORS = frozenset("/|\\-_.·•*+~")


def _join_spaced(text: str) -> str:
    return SPACED_LETTERS.sub(lambda m: re.sub(r"[ ._\-]", "", m.group()), text)


def normalise(text: str) -> tuple[str, bool]:
    """NFKC, invisible characters out, look-alikes folded, spaced letters joined, Simplified Chinese."""
    folded = unicodedata.normalize("NFKC", text)
    stripped = TAG_CHARS.sub("", INVISIBLE.sub("", folded))
    unconfused = stripped.translate(homoglyph_table())
    obfuscated = stripped != folded or unconfused != stripped
    result = re.sub(r"[ \t\u3000]+", " ", _join_spaced(unconfused))
    if CJK.search(result):
        # One set of Chinese rules serves both scripts once Traditional is folded to Simplified.
        result = HanziConv.toSimplified(result)
    return result, obfuscated


def views(text: str) -> TextViews:
    normalised, obfuscated = normalise(text)
    decoded = tuple(normalise(payload)[0] for payload in decoded_payloads(unicodedata.normalize("NFKC", text)))
    tags_present = TAG_CHARS.search(text) is not None
    return TextViews(normalised, decoded, obfuscated or tags_present)
