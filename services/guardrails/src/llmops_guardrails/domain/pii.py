"""Detects and redacts personal data: e-mail addresses, phone numbers, payment cards, national ids.

Placeholders name what was removed (``[EMAIL]``) so answers stay readable and analysts can count
redactions without seeing the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# International or local numbers with separators; at least 8 digits (checked below) so that
# years, prices and order quantities are not taken for phone numbers.
PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d[\d\s.-]{6,14}\d(?!\w)")
CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
TAIWAN_ID = re.compile(r"(?<![A-Za-z0-9])[A-Z][12]\d{8}(?![A-Za-z0-9])")
CHINA_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


@dataclass(frozen=True)
class PiiMatch:
    kind: str  # "email", "phone", "card", "national_id"
    start: int
    end: int

    @property
    def placeholder(self) -> str:
        return f"[{self.kind.upper()}]"


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _looks_like_phone(candidate: str) -> bool:
    """Formatted numbers (+, brackets, separators) with 8-15 digits; bare digit runs only when they
    have a mobile/landline shape (10-11 digits starting 0 or 1), so order numbers and dates pass."""
    digits = re.sub(r"\D", "", candidate)
    if not 8 <= len(digits) <= 15:
        return False
    if candidate.isdigit():
        return len(digits) in (10, 11) and digits[0] in "01"
    return True


def find_pii(text: str) -> list[PiiMatch]:
    """Non-overlapping matches, earliest first; more specific kinds win over phone numbers."""
    found: list[PiiMatch] = [PiiMatch("email", m.start(), m.end()) for m in EMAIL.finditer(text)]
    for pattern in (TAIWAN_ID, CHINA_ID):
        found += [PiiMatch("national_id", m.start(), m.end()) for m in pattern.finditer(text)]
    for m in CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and _luhn_valid(digits):
            found.append(PiiMatch("card", m.start(), m.end()))
    for m in PHONE.finditer(text):
        if _looks_like_phone(m.group()):
            found.append(PiiMatch("phone", m.start(), m.end()))
    chosen: list[PiiMatch] = []
    for match in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if all(match.end <= c.start or match.start >= c.end for c in chosen):
            chosen.append(match)
    return sorted(chosen, key=lambda f: f.start)


def redact(text: str, matches: list[PiiMatch]) -> str:
    pieces, cursor = [], 0
    for match in matches:
        pieces += [text[cursor : match.start], match.placeholder]
        cursor = match.end
    return "".join([*pieces, text[cursor:]])
