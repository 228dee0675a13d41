"""Facts compared by equality after normalisation: 3 ≠ 30, 五 = 5, 三十 = 30, 650元 = 650, $2 ≠ $25."""

from __future__ import annotations

import pytest

from llmops_grounding.facts import EvidenceText, chinese_numeral_value, extract_facts, missing_facts


@pytest.mark.parametrize(
    ("run", "value"),
    [("五", 5), ("三十", 30), ("十五", 15), ("六百五十", 650), ("一萬二千", 12000), ("二〇二五", 2025), ("兩百", 200)],
)
def test_chinese_numerals(run: str, value: int) -> None:
    assert chinese_numeral_value(run) == value


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("You have 3 days to return an item.", {"3"}),
        ("退貨期限為三十天", {"30"}),
        ("費用六百五十元", set()),  # money is compared as money, below
        ("1,200 points", {"1200"}),
        ("twenty-five stops", {"25"}),
        ("the one you bought", set()),  # "one" here is a pronoun
        ("我们一起去", set()),  # 一起 is a word, not a count
        ("全程３０分鐘", {"30"}),  # full-width digits
    ],
)
def test_claim_numbers(text: str, numbers: set[str]) -> None:
    assert extract_facts(text).numbers == numbers


def test_dates_times_and_money_normalise_across_writings() -> None:
    assert extract_facts("2025年3月14日").dates == extract_facts("March 14, 2025").dates == {"2025-03-14"}
    assert extract_facts("opens at 6 pm").times == extract_facts("18:00 開門").times == {"18:00"}
    assert extract_facts("清晨五點十五分發車").times == {"05:15"}
    assert extract_facts("NT$650").amounts == extract_facts("650元").amounts == {"650"}
    assert extract_facts("25 cents a day").amounts == extract_facts("$0.25 per day").amounts == {"0.25"}


def evidence(text: str) -> tuple[object, EvidenceText]:
    return extract_facts(text, generous=True), EvidenceText.of(text)


def missing(claim: str, source: str) -> list[str]:
    facts, text = evidence(source)
    return missing_facts(extract_facts(claim), facts, text)  # type: ignore[arg-type]


def test_a_number_is_not_found_inside_another() -> None:
    assert missing("You have 3 days.", "You have 30 days to return an item.") == ["3"]
    assert missing("Express costs $2.", "Express delivery within 2 business days costs $25.") == ["$2"]
    assert missing("You have 30 days.", "退貨期限為三十天，運費$25。") == []


def test_names_latin_and_chinese() -> None:
    source = "Contact Maria Lopez in the Admissions Office for questions about undergraduate admissions."
    assert missing("Contact Maria Lopez.", source) == []
    assert missing("Please contact John Smith today.", source) == ["John", "Smith"]
    assert missing("請聯絡陳美玲站長。", "站長陳美玲負責失物招領。") == []
    assert missing("請聯絡林志明站長。", "站長陳美玲負責失物招領。") == ["林志明"]


@pytest.mark.parametrize(
    ("passage", "claim"),
    [
        ("International delivery takes 7 to 14 business days.", "International delivery takes 7 days."),
        ("International delivery takes 7-14 business days.", "It takes 14 business days."),
        ("国际配送需要7至14个工作日。", "国际配送需要7个工作日。"),
        ("國際配送需要七到十四個工作天。", "需要7個工作天。"),
        ("The deposit is between 150 and 220 dollars.", "The deposit is 220 dollars."),
    ],
)
def test_half_a_range_is_not_stated_by_the_passage(passage: str, claim: str) -> None:
    missing = missing_facts(extract_facts(claim), extract_facts(passage, generous=True), None)
    assert any("without the other end of its range" in fact for fact in missing), missing


@pytest.mark.parametrize(
    ("passage", "claim"),
    [
        ("International delivery takes 7 to 14 business days.", "It takes 7 to 14 business days."),
        ("國際配送需要七到十四個工作天。", "需要7到14個工作天。"),
        ("He played for the club from 1998 to 2004.", "He joined the club in 1998."),  # a span of years
        ("Membership rose from 5 to 7 members.", "The club has 7 members."),  # a change, not a range
        ("Open 9-17 daily; the first bus leaves at 9.", "The first bus leaves at 9."),  # 9 stated alone too
    ],
)
def test_a_whole_range_or_a_number_stated_alone_passes(passage: str, claim: str) -> None:
    assert missing_facts(extract_facts(claim), extract_facts(passage, generous=True), None) == []
