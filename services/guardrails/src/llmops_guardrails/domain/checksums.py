"""Check digits of the identifiers the PII detector reports: a pattern alone matches too much."""

from __future__ import annotations

import datetime
import string

# Taiwan national id: the area letter stands for a two-digit number (not alphabetical order: I, O,
# W, X, Y, Z were added later), per the Ministry of the Interior's published algorithm.
TAIWAN_LETTERS = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
CHINA_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHINA_CHECK = "10X98765432"


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(iban: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to 10-35, remainder mod 97 is 1."""
    iban = iban.upper()
    if not 15 <= len(iban) <= 34 or not iban.isalnum() or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(string.ascii_uppercase.index(ch) + 10) if ch.isalpha() else ch for ch in rearranged)
    return int(number) % 97 == 1


def taiwan_id_valid(value: str) -> bool:
    """Letter (as two digits: tens weight 1, units weight 9), then weights 8..1 and the check digit 1."""
    if len(value) != 10 or value[0] not in TAIWAN_LETTERS or not value[1:].isdigit():
        return False
    code = TAIWAN_LETTERS[value[0]]
    total = code // 10 + (code % 10) * 9
    total += sum(int(d) * w for d, w in zip(value[1:9], range(8, 0, -1), strict=True))
    total += int(value[9])
    return total % 10 == 0


def plausible_date(digits: str) -> bool:
    """Eight digits that form a real calendar date: year first, or last with day or month first."""
    if len(digits) != 8 or not digits.isdigit():
        return False
    orders = (
        (digits[:4], digits[4:6], digits[6:]),
        (digits[4:], digits[2:4], digits[:2]),
        (digits[4:], digits[:2], digits[2:4]),
    )
    for year, month, day in orders:
        try:
            datetime.date(int(year), int(month), int(day))
        except ValueError:
            continue
        return True
    return False


def china_id_valid(value: str) -> bool:
    """GB 11643 / ISO 7064 MOD 11-2 check character, and a real birth date in positions 7-14."""
    value = value.upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], CHINA_WEIGHTS, strict=True))
    return CHINA_CHECK[total % 11] == value[17]
