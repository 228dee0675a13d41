"""Facts that must be equal, not similar: numbers, amounts, dates, times and names.

Embeddings score "30 days" and "3 days" alike, and a substring test lets "3" pass against "30"
and "$2" against "$25". Here every fact becomes a normalised token and is compared by equality:
五 = 5, 三十 = 30, 六百五十元 = 650元 = NT$650 = 650, 2025年3月14日 = 2025-03-14, 6 pm = 18:00.

Extraction is deliberately asymmetric. Evidence is read generously (every way a number could be
written counts, so a right answer is not flagged because the source spelt a number out), claims
conservatively (an ambiguous word such as "one" in "the one you bought" is not a number claim).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from llmops_grounding.text import normalized

ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}  # fmt: skip
ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
ZH_MYRIADS = {"萬": 10_000, "万": 10_000, "億": 100_000_000, "亿": 100_000_000}
ZH_NUMERAL = re.compile(r"[零〇一二兩两三四五六七八九十百千萬万億亿]+")
# Measure words after which a lone 一/兩 is a count ("一小時" one hour) rather than part of a word ("一起").
ZH_MEASURE = "個个天年月日號号小時时點点分秒元塊块次張张件位名歲岁週周期班趟站間间台臺層层倍成折"
EN_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
            "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
            "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}  # fmt: skip
EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
EN_NUMBER = re.compile(
    r"\b(?:(?:" + "|".join(EN_UNITS) + r"|" + "|".join(EN_SCALES) + r")(?:[\s-]+(?:and\s+)?)?)+\b", re.IGNORECASE
)
MONTH_NAMES = "january february march april may june july august september october november december"
MONTHS = {m: i for i, m in enumerate(MONTH_NAMES.split(), start=1)}
MONTH_NAME = "|".join([*MONTHS, *(m[:3] for m in MONTHS)])
DATE_ISO = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
DATE_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日號号]")
DATE_EN_MDY = re.compile(rf"\b({MONTH_NAME})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)
DATE_EN_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH_NAME})\.?,?\s+(\d{{4}})\b", re.IGNORECASE)
TIME_24 = re.compile(r"\b(\d{1,2})[:：](\d{2})\b(?:\s*([ap])\.?m\.?)?", re.IGNORECASE)
TIME_12 = re.compile(r"\b(\d{1,2})\s*([ap])\.?m\.?(?![a-z])", re.IGNORECASE)
MYRIAD_AFTER_DIGITS = re.compile(r"(\d+(?:\.\d+)?)\s*([萬万億亿千])")
PERCENT_ZH = re.compile(r"百分之([零〇一二兩两三四五六七八九十百千]+|\d+(?:\.\d+)?)")
# After Chinese numerals became digits: 清晨5點15分 → 05:15, 晚上11點 → 23:00, 11點半 → 11:30.
TIME_ZH = re.compile(
    r"(上午|早上|清晨|凌晨|中午|下午|晚上|傍晚|夜間|夜间)?\s*(\d{1,2})\s*[點点](?:\s*(\d{1,2})\s*分|\s*(半))?"
)
AFTERNOON_ZH = ("下午", "晚上", "傍晚", "夜間", "夜间")
CURRENCY = r"(?:NT\$|US\$|HK\$|S\$|A\$|\$|¥|€|£|RMB\s?|USD\s?|NTD\s?|TWD\s?)"
AMOUNT_VALUE = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"  # "100,65歲" is two numbers, not 10065
AMOUNT_BEFORE = re.compile(CURRENCY + r"\s*" + AMOUNT_VALUE)
AMOUNT_AFTER = re.compile(AMOUNT_VALUE + r"\s*(元|圓|块|塊|dollars?\b|yuan\b|cents?\b)", re.IGNORECASE)
# 一點二 = 1.2 (a decimal, not a clock time: no 分 follows).
ZH_DECIMAL = re.compile(
    r"([零〇一二兩两三四五六七八九十百千]+)[點点]([零〇一二三四五六七八九]+)(?![零〇一二三四五六七八九十]*分)"
)
# 星期六, 週六, 禮拜天: weekdays, not numbers.
ZH_WEEKDAY = re.compile(r"(?:星期|週|周|禮拜|礼拜)[一二三四五六日天]")
MULTIPLES = re.compile(r"\b(twice|thrice)\b", re.IGNORECASE)
NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
# A range of quantities: "7 to 14 days", "3-5 cm", "5至7天". Year spans and changes ("from 5 to 7") are
# not ranges of one quantity, so neither counts (RANGE_NOT_AFTER, _is_year).
RANGE = re.compile(
    r"(?<![0-9A-Za-z.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:[-–—~～至到]|\s+to\s+|\s+and\s+)\s*"
    r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])",
    re.IGNORECASE,
)
RANGE_NOT_AFTER = re.compile(r"(?:\bfrom|\bbetween|[从從由])\s*$", re.IGNORECASE)
# Capitalised words not at the start of a sentence: people, places, products.
NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-zA-Z]+(?:[-'][A-Za-z]+)?\b")
WORD = re.compile(r"[a-z0-9]+")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
PERSON_TAGS = ("nr", "nrfg", "nrt")  # jieba's part-of-speech tags for personal names


@cache
def _segmenter() -> Any:
    """jieba's part-of-speech segmenter, loaded once (about a second) and only for Chinese text."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def load_models() -> None:
    """Load jieba's dictionary now (services call this at start-up), not on the first Chinese answer."""
    _segmenter().lcut("載入")


def chinese_names(text: str) -> set[str]:
    """Personal names in Chinese text (jieba tags them; a surname alone is not a name)."""
    if not CJK_RUN.search(text):
        return set()
    return {pair.word for pair in _segmenter().cut(text) if pair.flag in PERSON_TAGS and len(pair.word) >= 2}


@dataclass
class Facts:
    numbers: set[str] = field(default_factory=set)
    # Evidence only: a number stated nowhere but as one end of a range, with the range's other ends.
    range_ends: dict[str, set[str]] = field(default_factory=dict)
    amounts: set[str] = field(default_factory=set)  # money, whatever the currency sign
    dates: set[str] = field(default_factory=set)
    times: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def all(self) -> list[str]:
        return sorted(self.dates) + sorted(self.times) + sorted(self.numbers) + sorted(self.names)

    def checkable(self) -> bool:
        return bool(self.numbers or self.amounts or self.dates or self.times)


def canonical_number(text: str) -> str:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return text
    return format(value.normalize(), "f") if value == value.to_integral() else str(value.normalize())


def chinese_numeral_value(run: str) -> int | None:
    """三十 → 30, 六百五十 → 650, 一萬二千 → 12000, 二〇二五 → 2025 (digit by digit)."""
    if all(ch in ZH_DIGITS for ch in run):
        return int("".join(str(ZH_DIGITS[ch]) for ch in run)) if len(run) > 1 else ZH_DIGITS[run]
    total = section = digit = 0
    for ch in run:
        if ch in ZH_DIGITS:
            digit = ZH_DIGITS[ch]
        elif ch in ZH_UNITS:
            section += (digit or 1) * ZH_UNITS[ch]
            digit = 0
        elif ch in ZH_MYRIADS:
            total += (section + digit) * ZH_MYRIADS[ch]
            section = digit = 0
        else:
            return None
    return total + section + digit


def _chinese_numerals_to_digits(text: str, generous: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        following = text[match.end() : match.end() + 1]
        if len(run) == 1 and run in "一兩两" and not generous and (run == "一" or following not in ZH_MEASURE):
            return run  # 一起, 下一年, 一般: a word more often than a count
        if len(run) == 1 and run in ZH_UNITS | ZH_MYRIADS and (following not in ZH_MEASURE or following == "分"):
            return run  # a lone 十/百/萬 is part of a word (十分, 百貨) unless a measure word follows
        value = chinese_numeral_value(run)
        return run if value is None else f" {value} "

    def decimal(match: re.Match[str]) -> str:
        whole = chinese_numeral_value(match[1])
        return match[0] if whole is None else f" {whole}.{''.join(str(ZH_DIGITS[c]) for c in match[2])} "

    text = ZH_WEEKDAY.sub(" ", text)
    text = PERCENT_ZH.sub(lambda m: f" {m.group(1)}% ", text)
    text = ZH_DECIMAL.sub(decimal, text)
    return ZH_NUMERAL.sub(replace, text)


def _english_number_words(text: str, generous: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        words = [w for w in re.split(r"[\s-]+", match.group(0).lower()) if w and w != "and"]
        if words == ["one"] and not generous:
            return match.group(0)  # "the one you bought"
        total = current = 0
        for word in words:
            if word in EN_UNITS:
                current += EN_UNITS[word]
            else:
                current = max(current, 1) * EN_SCALES[word]
                if EN_SCALES[word] >= 1000:
                    total, current = total + current, 0
        trailing = " " if match.group(0).endswith((" ", "-")) else ""
        return f" {total + current}{trailing}"

    return EN_NUMBER.sub(replace, text)


def extract_facts(text: str, generous: bool = False) -> Facts:
    facts = Facts()
    text = normalized(text)
    text = _english_number_words(_chinese_numerals_to_digits(text, generous), generous)
    text = MYRIAD_AFTER_DIGITS.sub(lambda m: f" {Decimal(m.group(1)) * _scale(m.group(2))} ", text)

    def date(match: re.Match[str], year: str, month: str, day: str) -> str:
        month_number = MONTHS.get(month.lower()) or next(
            (i for name, i in MONTHS.items() if name.startswith(month.lower())), None
        )
        month_value = int(month) if month.isdigit() else month_number
        if month_value:
            facts.dates.add(f"{int(year):04d}-{month_value:02d}-{int(day):02d}")
            if generous:
                facts.numbers.update({str(int(year)), str(month_value), str(int(day))})
        return " "

    text = DATE_ISO.sub(lambda m: date(m, m[1], m[2], m[3]), text)
    text = DATE_ZH.sub(lambda m: date(m, m[1], m[2], m[3]), text)
    text = DATE_EN_MDY.sub(lambda m: date(m, m[3], m[1], m[2]), text)
    text = DATE_EN_DMY.sub(lambda m: date(m, m[3], m[2], m[1]), text)

    def clock(hour: int, minute: int, half: str | None) -> str:
        if half and half.lower() == "p" and hour < 12:
            hour += 12
        if half and half.lower() == "a" and hour == 12:
            hour = 0
        facts.times.add(f"{hour:02d}:{minute:02d}")
        if generous:
            facts.numbers.update({str(hour), str(hour - 12 if hour > 12 else hour)})
        return " "

    def clock_zh(match: re.Match[str]) -> str:
        hour, minute = int(match[2]), 30 if match[4] else int(match[3] or 0)
        if match[1] in AFTERNOON_ZH and hour < 12:
            hour += 12
        return clock(hour, minute, None)

    text = TIME_24.sub(lambda m: clock(int(m[1]), int(m[2]), m[3]), text)
    text = TIME_12.sub(lambda m: clock(int(m[1]), 0, m[2]), text)
    text = TIME_ZH.sub(clock_zh, text)

    if generous:
        _read_ranges(text, facts)

    def amount(value: str, unit: str = "") -> str:
        number = Decimal(value.replace(",", ""))
        facts.amounts.add(canonical_number(str(number / 100 if unit.lower().startswith("cent") else number)))
        # Evidence keeps the bare number too, so a claim "650" matches "NT$650"; a claim's money
        # is compared as money only.
        return f" {value} " if generous else " "

    text = AMOUNT_BEFORE.sub(lambda m: amount(m[1]), text)
    text = AMOUNT_AFTER.sub(lambda m: amount(m[1], m[2]), text)
    if generous:
        text = MULTIPLES.sub(lambda m: " 2 " if m[1].lower() == "twice" else " 3 ", text)
    facts.numbers.update(canonical_number(n) for n in NUMBER.findall(text))
    # All-capital tokens (SLA, CCTV) are abbreviations more often than names: not checked.
    facts.names.update(n for n in NAME.findall(text) if n.upper() != n)
    if not generous:  # evidence is matched as text, so only claims need their names found
        facts.names.update(chinese_names(text))
    return facts


def _is_year(number: str) -> bool:
    return number.isdigit() and 1000 <= int(number) <= 2100


def _read_ranges(text: str, facts: Facts) -> None:
    """Numbers the text gives only as an end of a range ("7 to 14 business days": 7 and 14 never alone)."""
    ends: dict[str, set[str]] = {}
    for match in RANGE.finditer(text):
        low, high = canonical_number(match[1]), canonical_number(match[2])
        # "between 5 and 7" is a range, but "and" alone joins two counts ("3 and 4 bedrooms" aside).
        joined_by_and = " and " in match.group().lower()
        between = RANGE_NOT_AFTER.search(text, 0, match.start())
        if (_is_year(low) and _is_year(high)) or (between and not joined_by_and) or (joined_by_and and not between):
            continue
        ends.setdefault(low, set()).add(high)
        ends.setdefault(high, set()).add(low)
    alone = {canonical_number(n) for n in NUMBER.findall(RANGE.sub(" ", text))}
    facts.range_ends.update({number: others for number, others in ends.items() if number not in alone})


def _scale(unit: str) -> int:
    return {**ZH_MYRIADS, **ZH_UNITS}[unit]


@dataclass(frozen=True)
class EvidenceText:
    """A passage read for names: its Latin words, and its text for Chinese names."""

    text: str
    words: frozenset[str]

    @classmethod
    def of(cls, passage: str) -> EvidenceText:
        normal = normalized(passage).lower()
        return cls(normal, frozenset(WORD.findall(normal)))


def missing_facts(claim: Facts, evidence: Facts, text: EvidenceText | None, min_latin_words: int = 8) -> list[str]:
    """The claim's facts that the evidence does not state (by token equality after normalisation)."""
    missing = [d for d in sorted(claim.dates) if d not in evidence.dates]
    # A time may be written as a bare hour in the source ("opens at 6") and as 06:00 in the answer.
    missing += [
        t for t in sorted(claim.times)
        if t not in evidence.times and not (t.endswith(":00") and str(int(t[:2])) in evidence.numbers)
    ]  # fmt: skip
    missing += [n for n in sorted(claim.numbers) if n not in evidence.numbers]
    # "7 days" from "7 to 14 business days" is wrong, though 7 is in the passage: half a range.
    stated = claim.numbers | claim.amounts
    missing += [
        f"{n} without the other end of its range ({' or '.join(sorted(evidence.range_ends[n]))})"
        for n in sorted(stated) if n in evidence.range_ends and not evidence.range_ends[n] & stated
    ]  # fmt: skip
    # "$2" is not "2 business days": money must match money where the evidence states any.
    missing += [
        f"${a}" for a in sorted(claim.amounts)
        if a not in evidence.amounts and (evidence.amounts or a not in evidence.numbers)
    ]  # fmt: skip
    if text is None:
        return missing
    # A Latin name is checked only against a passage with enough Latin words: in a Chinese passage
    # an English name cannot be found even when the answer is right. A Chinese name is looked for
    # in the passage text itself.
    for name in sorted(claim.names):
        if name.isascii():
            if len(text.words) >= min_latin_words and not all(p in text.words for p in WORD.findall(name.lower())):
                missing.append(name)
        elif normalized(name).lower() not in text.text:
            missing.append(name)
    return missing
