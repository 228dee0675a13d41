"""Which single-byte code page turned UTF-8 into mojibake, told from the characters the damage left.

UTF-8 read as a code page turns every non-ASCII character into two to four characters of that code
page's upper half; the bytes the code page leaves undefined are dropped by its decoders, and the soft
hyphen 0xAD by editors. Files in the wild were damaged by more than one code page (the two seed articles
of this project by Windows-1254, not -1252), so the repair must know which: its byte table says which
byte each character stands for, and its undefined bytes are the ones to re-insert.

Detection scores each code page by how likely it makes the characters in suspect runs (two or more
upper-half characters in a row: one damaged character always leaves a lead and its continuation, so a
lone "é" in "café" is no evidence). First, a code page must produce every such character (a 'ğ' rules
out Windows-1252; a 'ž' or 'Ž' rules out -1254, which drops 0x9E and 0x8E). Among those that do, one that
drops more bytes explains a long text that never shows them slightly better (each character is one of
the bytes it keeps, taken as uniform), and Windows-1252, the most common, is preferred where that
evidence is thin (``OTHER_PRIOR``).

Code pages that leave a UTF-8 lead byte undefined (Greek 1253, Hebrew 1255) are not offered: a lost
lead leaves orphan continuation bytes, which this repair does not model.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

SOFT_HYPHEN = 0xAD
# A character the code page cannot produce, inside a suspect run, all but rules the code page out: the
# absence evidence below is weak (continuation bytes are far from uniform in real text: one field file
# showed 5 'ž'/'Ž' in 3,621 damaged characters where uniform bytes predict 75) and must never outweigh one.
FOREIGN = -1000.0
# Log prior of a code page other than Windows-1252: a few nats, outweighed by a paragraph of evidence.
OTHER_PRIOR = -3.0


@dataclass(frozen=True)
class Codepage:
    codec: str  # Python's codec name
    label: str  # as people name it

    @cached_property
    def byte_of(self) -> dict[str, int]:
        """Each upper-half character the code page produces, with its byte.

        Undefined bytes are kept as C1 control characters too: "sloppy" decoders (browsers, ftfy) keep them.
        """
        table = {}
        for byte in range(0x80, 0x100):
            try:
                table[bytes([byte]).decode(self.codec)] = byte
            except UnicodeDecodeError:
                table[chr(byte)] = byte
        return table

    @cached_property
    def lost_bytes(self) -> tuple[int, ...]:
        """The bytes the round trip drops: the code page's undefined ones, and the invisible soft hyphen."""
        undefined = []
        for byte in range(0x80, 0x100):
            try:
                bytes([byte]).decode(self.codec)
            except UnicodeDecodeError:
                undefined.append(byte)
        return tuple(sorted({*undefined, SOFT_HYPHEN}))

    @cached_property
    def suspect(self) -> re.Pattern[str]:
        return re.compile("[" + re.escape("".join(self.byte_of)) + "]")

    @cached_property
    def certain(self) -> re.Pattern[str]:
        """What the damage never produces: a character outside ASCII and outside the byte table."""
        return re.compile("[^\\x00-\\x7f" + re.escape("".join(self.byte_of)) + "]")

    @cached_property
    def kept(self) -> int:
        """How many upper-half bytes survive as characters (what a damaged character is drawn from)."""
        return 128 - len(self.lost_bytes)


WINDOWS_1252 = Codepage("cp1252", "Windows-1252")
CODEPAGES = (
    WINDOWS_1252,
    Codepage("cp1254", "Windows-1254"),
    Codepage("cp1250", "Windows-1250"),
    Codepage("cp1251", "Windows-1251"),
    Codepage("cp1257", "Windows-1257"),
    Codepage("cp1258", "Windows-1258"),
    Codepage("cp1256", "Windows-1256"),
    Codepage("latin_1", "Latin-1"),
)
_UPPER = "".join(sorted({char for page in CODEPAGES for char in page.byte_of}))
_SUSPECT_RUN = re.compile("[" + re.escape(_UPPER) + "]{2,}")


def suspect_characters(text: str) -> Counter[str]:
    """Upper-half characters that stand in runs of two or more: what damage leaves."""
    return Counter(char for match in _SUSPECT_RUN.finditer(text) for char in match.group())


def detect_codepage(text: str) -> Codepage:
    """The code page that best explains the suspect runs of ``text``; Windows-1252 when there are none."""
    seen = suspect_characters(text)
    if not seen:
        return WINDOWS_1252

    def score(page: Codepage) -> float:
        each = -math.log(page.kept)
        fit = sum(count * (each if char in page.byte_of else FOREIGN) for char, count in seen.items())
        return fit + (0.0 if page is WINDOWS_1252 else OTHER_PRIOR)

    return max(CODEPAGES, key=score)
