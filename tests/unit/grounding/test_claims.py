"""The claim check shared by verified answers and hallucination scores."""

from __future__ import annotations

import asyncio

from llmops_grounding import SupportPolicy, Verdict, check_answer
from llmops_grounding.text import negated, split_clauses, split_sentences
from tests.unit.grounding.fakes import WordOverlapEmbedder

CONTEXT = [
    "Items can be returned within 30 days of delivery. Refunds go to the original card.",
    "Sale items cannot be returned or exchanged. Express shipping costs $25.",
]
POLICY = SupportPolicy(min_support=0.55)


def verdicts(answer: str, contexts: list[str] = CONTEXT, question: str = "") -> list[Verdict]:
    check = asyncio.run(check_answer(answer, contexts, WordOverlapEmbedder(), POLICY, question))
    return [c.verdict for c in check.claims]


def test_a_restated_answer_is_supported() -> None:
    assert verdicts("Items can be returned within 30 days of delivery.") == [Verdict.SUPPORTED]


def test_a_swapped_number_is_contradicted_although_the_wording_matches() -> None:
    assert verdicts("Items can be returned within 3 days of delivery.") == [Verdict.CONTRADICTED]
    assert verdicts("Express shipping costs $2.") == [Verdict.CONTRADICTED]


def test_negation_that_reverses_the_passage_is_contradicted() -> None:
    assert verdicts("Sale items can be returned or exchanged.") == [Verdict.CONTRADICTED]
    assert verdicts("Sale items cannot be returned.") == [Verdict.SUPPORTED]


def test_a_bare_no_before_an_affirmed_statement_is_contradicted() -> None:
    question = "Can items be returned within 30 days of delivery?"
    assert verdicts("No, items can be returned within 30 days of delivery.", question=question) == [
        Verdict.CONTRADICTED
    ]
    assert verdicts("Yes, items can be returned within 30 days of delivery.", question=question) == [Verdict.SUPPORTED]
    assert verdicts("No, sale items cannot be returned.", question="Can sale items be returned?") == [Verdict.SUPPORTED]


def test_an_invented_clause_fails_the_whole_claim() -> None:
    answer = "Refunds go to the original card, and a free gift voucher is mailed to every customer."
    assert verdicts(answer) == [Verdict.UNSUPPORTED]


def test_a_statement_of_absence_is_not_a_hallucination() -> None:
    assert verdicts("The passages do not mention gift wrapping.") == [Verdict.SUPPORTED]
    assert verdicts("The context does not say whether refunds go to the original card.") == [Verdict.SUPPORTED]


def test_across_languages_support_comes_from_facts_only() -> None:
    chinese = ["商品可於收到後三十天內退貨。"]
    assert verdicts("You can return items within 30 days.", chinese) == [Verdict.SUPPORTED]
    assert verdicts("You can return items within 7 days.", chinese) == [Verdict.CONTRADICTED]
    assert verdicts("Returns are handled politely.", chinese) == [Verdict.UNVERIFIABLE]


def test_no_passages_means_unsupported_and_no_claims_means_grounded() -> None:
    assert verdicts("It is 30 days.", []) == [Verdict.UNSUPPORTED]
    empty = asyncio.run(check_answer("Yes.", CONTEXT, WordOverlapEmbedder()))
    assert empty.claims == [] and empty.grounded and not empty.hallucinated


def test_text_helpers() -> None:
    assert split_sentences("Dr. Osei sees patients. Two!  三十天。好的") == [
        "Dr. Osei sees patients.",
        "Two!",
        "三十天。",
        "好的",
    ]
    assert split_clauses("開放時間為06:15至23:00，週一休館") == ["開放時間為06:15至23:00", "週一休館"]
    assert negated("開課後不予退費") and negated("Don't bring food") and not negated("分別為上午十一點")


def test_facts_count_in_every_passage_that_supports_the_claim_not_only_the_closest() -> None:
    # The claim's wording is closest to the first passage, which lacks the height; the second
    # supports it too and states it.
    contexts = [
        "The clock tower of the Guildhall is tall and was built in 1891.",
        "The Guildhall was finished in 1890. Its clock tower rises 47 metres.",
    ]
    assert verdicts("The clock tower of the Guildhall is 47 metres tall.", contexts) == [Verdict.SUPPORTED]
    # A fact that no supporting passage states still fails.
    assert verdicts("The clock tower of the Guildhall is 52 metres tall.", contexts) == [Verdict.CONTRADICTED]


def test_an_opening_attribution_is_not_a_claim_of_its_own() -> None:
    answer = "Based on the information provided in the context, items can be returned within 30 days of delivery."
    assert verdicts(answer) == [Verdict.SUPPORTED]
    chinese = ["商品可於收到後三十天內退貨。"]
    assert verdicts("根据提供的信息，商品可於收到後三十天內退貨。", chinese) == [Verdict.SUPPORTED]
    # The rest of the sentence is still checked.
    assert verdicts("According to the context, items can be returned within 3 days.") == [Verdict.CONTRADICTED]
    assert verdicts("Based on the rules of the club, members get a free gift voucher.") == [Verdict.UNSUPPORTED]


def test_traditional_and_simplified_characters_state_the_same_thing() -> None:
    passage = ["柳溪鎮現任鎮長是王建華，他於2019年上任。"]
    assert verdicts("柳溪镇现任镇长是王建华。", passage) == [Verdict.SUPPORTED]
    assert verdicts("柳溪镇现任镇长是李卫东。", passage) == [Verdict.CONTRADICTED]


def test_a_name_may_come_from_the_passage_title_but_a_number_must_be_in_the_passage() -> None:
    passage = ["Its clock tower rises to a height of 47 metres over the town square of the county town."]

    def check(answer: str, titles: list[str]) -> list[Verdict]:
        found = asyncio.run(check_answer(answer, passage, WordOverlapEmbedder(), POLICY, "", titles))
        return [c.verdict for c in found.claims]

    answer = "The clock tower of the Saltley Guildhall rises to a height of 47 metres over the town square."
    assert check(answer, []) == [Verdict.CONTRADICTED]  # Saltley, Guildhall: not in the chunk
    assert check(answer, ["Saltley Guildhall"]) == [Verdict.SUPPORTED]
    assert check(answer.replace("47", "52"), ["Saltley Guildhall"]) == [Verdict.CONTRADICTED]
