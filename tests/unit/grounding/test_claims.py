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
